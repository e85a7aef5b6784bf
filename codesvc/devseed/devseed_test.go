package devseed_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/assets"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/devseed"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/server/servertest"
	"github.com/shcommunity/kiosk/healthcode"
)

var now = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func newService(t *testing.T) *server.Service {
	return servertest.New(t, server.Options{Now: func() time.Time { return now }})
}

// TestSeedHoldsTheDeckNotes seeds a service and checks every deck card's
// note against the colour the service's rules now give: the yellow card
// from an arrival three days ago (yellow for the 11 days left), the red
// one under medical management with no end, every other card green with
// nothing recorded. Seeding again changes nothing.
func TestSeedHoldsTheDeckNotes(t *testing.T) {
	svc := newService(t)
	ctx := context.Background()
	got, err := devseed.Seed(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	var deck struct {
		Cards []struct{ Label string } `json:"cards"`
	}
	if err := json.Unmarshal(assets.SampleDeck, &deck); err != nil {
		t.Fatal(err)
	}
	// The cards left for the demo's self-enrolment are not seeded, and the
	// service does not know them.
	seeded := deck.Cards[:0]
	for _, c := range deck.Cards {
		if devseed.NotEnrolled[c.Label] {
			continue
		}
		seeded = append(seeded, c)
	}
	if len(devseed.NotEnrolled) == 0 || len(got) != len(seeded) {
		t.Fatalf("seeded %d residents, want the deck's %d that are enrolled", len(got), len(seeded))
	}
	deck.Cards = seeded
	arrival := now.Add(-3 * 24 * time.Hour)
	want := map[string]api.Status{
		"resident-yellow": {Colour: healthcode.Yellow, Reason: rules.ReasonArrivalKeyArea, ValidUntil: arrival.Add(14 * 24 * time.Hour)},
		"resident-red":    {Colour: healthcode.Red, Reason: rules.ReasonMedicalManagement},
	}
	for i, r := range got {
		t.Run(r.Label, func(t *testing.T) {
			if r.Label != deck.Cards[i].Label {
				t.Errorf("resident %d is %s, want the deck's order (%s)", i, r.Label, deck.Cards[i].Label)
			}
			w, ok := want[r.Label]
			if !ok {
				w = api.Status{Colour: healthcode.Green, Reason: rules.ReasonNoEvents}
			}
			if r.Status.Colour != w.Colour || r.Status.Reason != w.Reason || !r.Status.ValidUntil.Equal(w.ValidUntil) {
				t.Errorf("status = %s/%s until %v, want %s/%s until %v (%s)", r.Status.Colour, r.Status.Reason,
					r.Status.ValidUntil, w.Colour, w.Reason, w.ValidUntil, r.Note)
			}
			st, err := svc.StatusFor(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !st.Known || st.MaskedName != r.Name.Masked() || st.MaskedID != r.ID.Masked() {
				t.Errorf("service record: known %v, %s %s; want known, %s %s", st.Known, st.MaskedName, st.MaskedID, r.Name.Masked(), r.ID.Masked())
			}
		})
	}

	again, err := devseed.Seed(ctx, svc)
	if err != nil {
		t.Fatalf("second seed: %v", err)
	}
	for i := range again {
		if again[i].Status != got[i].Status {
			t.Errorf("%s after a second seed: %+v, want %+v unchanged", again[i].Label, again[i].Status, got[i].Status)
		}
	}
	for _, label := range []string{"resident-yellow", "resident-red"} {
		for _, r := range again {
			if r.Label != label {
				continue
			}
			if _, evs, err := svc.Store.ResidentByKey(ctx, svc.ResidentKey(r.ID)); err != nil || len(evs) != 1 {
				t.Errorf("%s after two seeds: %d events, %v; want 1", label, len(evs), err)
			}
		}
	}
}

// TestSeedAddsTheDemoWorker: the worker a kiosk's counter logs in with
// exists and takes the documented password.
func TestSeedAddsTheDemoWorker(t *testing.T) {
	svc := newService(t)
	ctx := context.Background()
	if _, err := devseed.Seed(ctx, svc); err != nil {
		t.Fatal(err)
	}
	w, err := svc.Store.Worker(ctx, devseed.WorkerID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		pw   string
		want bool
	}{{devseed.Password, true}, {"demo12345", false}} {
		if ok, err := api.CheckPassword(w.PasswordHash, tt.pw); err != nil || ok != tt.want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", tt.pw, ok, err, tt.want)
		}
	}
	if w.DisplayName != devseed.WorkerName || w.Disabled {
		t.Errorf("worker %q disabled %v, want %q enabled", w.DisplayName, w.Disabled, devseed.WorkerName)
	}
}

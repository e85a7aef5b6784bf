package rig_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/rig"
	"github.com/shcommunity/kiosk/app/wire"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/pii"
)

// deckResident is the resident of a deck card.
func deckResident(t *testing.T, k *kiosk, label string) flow.Resident {
	t.Helper()
	for _, c := range k.Deck.Cards {
		if c.Label == label {
			return flow.Resident{Name: pii.Name(c.Name), Number: pii.IDNumber(c.IDNumber)}
		}
	}
	t.Fatalf("no deck card %q", label)
	return flow.Resident{}
}

// exported is the kinds of the export's entries about the resident, in
// order.
func exported(t *testing.T, k *kiosk, r flow.Resident) []string {
	t.Helper()
	page, _, err := k.Service.Export(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range page.Entries {
		if e.Subject == k.Service.HealthSubject(r.Number) {
			kinds = append(kinds, e.Kind)
		}
	}
	return kinds
}

// hasPurpose reports whether a group of gs was for purpose p, at place
// when it is set.
func hasPurpose(gs []flow.AccessGroup, p api.Purpose, place string) bool {
	for _, g := range gs {
		if g.Purpose == string(p) && (place == "" || g.Place == place) {
			return true
		}
	}
	return false
}

// TestPrivacyOnRig walks the demo's story on the rig: a venue checks her
// card; at the kiosk, after her paper code, she sees that check in 谁查询过我
// and prints it; she agrees once to see her health services, sees and
// prints them, and the export starts for her; a worker withdraws her
// consent at the counter, and at her next visit nothing is shown (the
// consent screen only) and nothing more of hers is exported. A resident
// the health cloud does not know gets the "no record" screen.
func TestPrivacyOnRig(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, rig.Options{Dir: dir})
	ctx := context.Background()
	her := deckResident(t, k, "resident-green")
	if _, err := k.Backend.CardStatus(ctx, her); err != nil { // the venue check, as the venue screen makes it
		t.Fatal(err)
	}
	step := func(s flow.Step) func(flow.SelfView) bool { return func(v flow.SelfView) bool { return v.Step == s } }
	before := k.slipCount()
	if err := k.Reader.Place("resident-green"); err != nil {
		t.Fatal(err)
	}
	v := k.waitFor(t, settled)
	if v.Step != flow.StepDone || !v.CanAsk {
		t.Fatalf("step %q problem %q, can ask %v; want her code and the questions", v.Step, v.Problem, v.CanAsk)
	}
	k.slipOut(t, v, before) // her paper code
	k.flow.AccessRecords()
	v = k.waitFor(t, step(flow.StepAccess))
	if !hasPurpose(v.Access.Rows, api.PurposeVenueEntry, "demo kiosk") {
		t.Errorf("access records %+v; want the venue check", v.Access.Rows)
	}
	before = k.slipCount()
	k.flow.PrintSheet()
	k.waitFor(t, func(v flow.SelfView) bool { return v.Step == flow.StepAccess && v.Sheet == flow.SheetPrinted })
	k.waitSlips(t, before+1)
	if text := k.lastSlipText(t); !strings.Contains(text, "谁查询过我") || !strings.Contains(text, "场所核验") ||
		strings.Contains(text, her.Name.Reveal()) {
		t.Errorf("access sheet:\n%s", text)
	}

	k.flow.HealthServices()
	k.waitFor(t, step(flow.StepHealthConsent))
	if kinds := exported(t, k, her); len(kinds) != 0 {
		t.Errorf("exported before she agreed: %v", kinds)
	}
	k.flow.AgreeHealth()
	v = k.waitFor(t, step(flow.StepHealth))
	if v.Health == nil || v.Health.FamilyDoctor != "陈医生" || v.Health.ConsentVersion != flow.HealthConsentVersion {
		t.Fatalf("health services %+v", v.Health)
	}
	k.flow.PrintSheet()
	k.waitFor(t, func(v flow.SelfView) bool { return v.Step == flow.StepHealth && v.Sheet == flow.SheetPrinted })
	k.waitSlips(t, before+2)
	if text := k.lastSlipText(t); !strings.Contains(text, "我的健康服务") || !strings.Contains(text, "陈医生") {
		t.Errorf("health sheet:\n%s", text)
	}
	if kinds := exported(t, k, her); len(kinds) < 2 || kinds[0] != api.ExportConsentGiven || kinds[1] != api.ExportColour {
		t.Errorf("export after she agreed: %v; want consent_given then her colour", kinds)
	}
	k.Reader.Remove()
	k.waitFor(t, func(v flow.SelfView) bool { return v.Step == flow.StepStart && !v.CardOn })

	// At the counter, a worker withdraws her consent: without a worker
	// session the service refuses, with the worker's it takes it.
	counter := &wire.Counter{Backend: k.Backend}
	if err := counter.WithdrawHealth(ctx, rig.DemoWorker, her); !errors.Is(err, flow.ErrLoginAgain) {
		t.Fatalf("withdrawal with no worker logged in: %v, want ErrLoginAgain", err)
	}
	if _, err := k.Backend.Client.HealthConsent(client.WithPurpose(ctx, api.PurposeCounter), her.Number, false, "", rig.DemoWorker); err == nil {
		t.Fatal("the service took a counter's withdrawal without the worker's session")
	}
	if _, err := counter.Login(ctx, rig.DemoWorker, rig.DemoPassword); err != nil {
		t.Fatal(err)
	}
	if err := counter.WithdrawHealth(ctx, rig.DemoWorker, her); err != nil {
		t.Fatal(err)
	}
	if a, err := counter.ResidentAccess(ctx, rig.DemoWorker, her); err != nil || !hasPurpose(a.Groups, api.PurposeCounter, "") {
		t.Errorf("her access records at the counter: %+v, %v; want the withdrawal among them", a.Groups, err)
	}
	withdrawn := exported(t, k, her)
	if withdrawn[len(withdrawn)-1] != api.ExportConsentWithdrawn {
		t.Fatalf("export after the withdrawal: %v", withdrawn)
	}
	if err := k.Reader.Place("resident-green"); err != nil { // her next visit: a new code
		t.Fatal(err)
	}
	k.waitFor(t, settled)
	k.flow.HealthServices()
	if v := k.waitFor(t, step(flow.StepHealthConsent)); v.Health != nil {
		t.Errorf("after the withdrawal: %+v shown", v.Health)
	}
	if kinds := exported(t, k, her); len(kinds) != len(withdrawn) {
		t.Errorf("export after the withdrawal and a new code: %v, want nothing after %v", kinds, withdrawn)
	}
	k.Reader.Remove()
	k.waitFor(t, func(v flow.SelfView) bool { return v.Step == flow.StepStart && !v.CardOn })

	if err := k.Reader.Place("family-member"); err != nil { // no record in the sample health cloud
		t.Fatal(err)
	}
	k.waitFor(t, settled)
	k.flow.HealthServices()
	k.waitFor(t, step(flow.StepHealthConsent))
	k.flow.AgreeHealth()
	if v := k.waitFor(t, step(flow.StepNoHealthRecord)); v.Health != nil {
		t.Errorf("no record: %+v shown", v.Health)
	}

	// The kiosk caches none of it: no answer is in its files.
	files, _ := filepath.Glob(filepath.Join(dir, "kiosk.db*"))
	if len(files) == 0 {
		t.Fatal("no kiosk database found")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) == "kiosk.db" && !bytes.Contains(b, []byte("CREATE TABLE")) {
			t.Fatal("kiosk.db is not plain SQLite: the search below would prove nothing")
		}
		for _, s := range []string{"陈医生", "南京东路街道社区卫生服务中心", string(api.PurposeVenueEntry), "access_records"} {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q", filepath.Base(f), s)
			}
		}
	}
}

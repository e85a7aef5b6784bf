package rig_test

import (
	"context"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/rig"
	"github.com/shcommunity/kiosk/app/wire"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/pii"
)

// TestCounterWatchList: a resident served here whose close contact was
// never ended is still yellow fifteen days on; the counter's dashboard
// lists her with the reason while online, and lists nothing offline.
func TestCounterWatchList(t *testing.T) {
	clk := newTestClock()
	k := startKiosk(t, rig.Options{Now: clk.Now})
	ctx := context.Background()
	const label = "resident-green"
	if v := k.serve(t, label); v.Step != flow.StepDone || v.Ticket.Kind != flow.TicketCode {
		t.Fatalf("serve: step %q ticket %q", v.Step, v.Ticket.Kind)
	}
	dc, ok := k.Deck.Find(label)
	if !ok {
		t.Fatalf("no card %q", label)
	}
	id := pii.IDNumber(dc.IDNumber)
	if _, err := k.Service.AddEvent(ctx, id, rules.CloseContactStart, clk.Now(), "test"); err != nil {
		t.Fatal(err)
	}
	clk.Add(15 * 24 * time.Hour)
	counter := &wire.Counter{Backend: k.Backend}
	d, err := counter.Dashboard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Watch) != 1 || d.Watch[0].Reason != api.WatchContactOpen || d.Watch[0].MaskedID != id.Masked() ||
		d.Watch[0].Colour != healthcode.Yellow {
		t.Fatalf("watch list %+v, want her, yellow, for a close contact open too long", d.Watch)
	}
	k.SetOnline(false)
	if d, err := counter.Dashboard(ctx); err != nil || d.Watch != nil {
		t.Errorf("offline: watch list %+v, %v; want none and no error", d.Watch, err)
	}
}

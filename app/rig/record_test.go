package rig_test

import (
	"context"
	"errors"
	"testing"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/rig"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/healthcode"
)

// TestCounterRecordOnRig: at the counter, a resident's card brings her
// live colour and the paper code she took at the self-service kiosk (where
// and still valid) from the reference service; her access records list
// the kiosk's look and the counter's; a report of loss stops her paper
// with no new one, and her record then says so; her health-cloud consent
// is withdrawn; offline her record has the cached colour and says her
// codes cannot be listed.
func TestCounterRecordOnRig(t *testing.T) {
	k := startKiosk(t, rig.Options{})
	ctx := context.Background()
	old := k.serve(t, "resident-yellow")
	c, wait := counterOn(t, k)
	c.Login(ctx, rig.DemoWorker, rig.DemoPassword)
	wait("login", func(v flow.CounterView) bool { return v.Step == flow.CounterReady })

	card, err := k.Deck.Cards[1].Card() // resident-yellow
	if err != nil {
		t.Fatal(err)
	}
	c.Card(flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: card}))
	v := wait("her record", func(v flow.CounterView) bool { return !v.RecordLoading && v.Record.Status.Source != "" })
	rec := v.Record
	if !rec.CodesKnown || !rec.Enrolled || len(rec.Codes) != 1 || rec.Active() != 1 || rec.Codes[0].TokenID != old.Ticket.TokenID ||
		rec.Codes[0].Place == "" || rec.Status.Source != healthcode.SourceLive || rec.Status.Colour != healthcode.Yellow {
		t.Fatalf("her record = %+v; want her one valid code from the kiosk, live yellow", rec)
	}

	c.ShowAccess(ctx)
	v = wait("her access records", func(v flow.CounterView) bool { return v.AccessShown || v.Problem != "" })
	purposes := map[string]bool{}
	for _, g := range v.Access.Groups {
		purposes[g.Purpose] = true
	}
	if !purposes[string(api.PurposeSelfService)] || !purposes[string(api.PurposeCounter)] {
		t.Errorf("access records %+v; want the kiosk's look and the counter's", v.Access)
	}

	c.ReportLost(ctx)
	v = wait("report lost", func(v flow.CounterView) bool { return v.Step == flow.CounterDone })
	if v.Message != flow.MessageLost || v.Revoked != 1 || v.Ticket.QR != "" {
		t.Fatalf("report lost: %+v; want one code stopped, no new one", v)
	}
	if _, err := k.Backend.CheckCode(ctx, old.Ticket.QR); !errors.Is(err, flow.ErrTokenRefused) {
		t.Errorf("the lost paper still verifies: %v", err)
	}
	v = wait("her record again", func(v flow.CounterView) bool {
		return len(v.Record.Codes) == 1 && v.Record.Codes[0].State == flow.CodeRevoked
	})
	if v.Record.Codes[0].StateAt.IsZero() {
		t.Errorf("the lost code %+v says not when", v.Record.Codes[0])
	}

	c.WithdrawHealth(ctx)
	v = wait("withdrawal", func(v flow.CounterView) bool { return v.Message == flow.MessageWithdrawn || v.Problem != "" })
	if v.Problem != "" {
		t.Errorf("withdrawal: %s", v.Problem)
	}

	k.SetOnline(false)
	c.Card(flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: card}))
	v = wait("her record offline", func(v flow.CounterView) bool { return !v.RecordLoading && v.Record.Status.Source != "" })
	if v.Record.CodesKnown || v.Record.Status.Source == healthcode.SourceLive {
		t.Errorf("offline record %+v; want no codes listed and no live colour", v.Record)
	}
}

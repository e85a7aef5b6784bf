package rig_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/rig"
	"github.com/shcommunity/kiosk/app/wire"
	"github.com/shcommunity/kiosk/devices/idcard"
)

// TestCounterOnRig logs a worker in offline against the cached hashes,
// re-issues a resident's code at the counter (the old paper stops
// verifying), files a correction, and finds the self-service help call on
// the dashboard; every action is audited under the worker.
func TestCounterOnRig(t *testing.T) {
	k := startKiosk(t, rig.Options{})
	ctx := context.Background()
	old := k.serve(t, "resident-yellow")
	k.flow.Help()

	views := make(chan flow.CounterView, 64)
	c := &flow.Counter{Backend: &wire.Counter{Backend: k.Backend}, Printer: k.Slips, OnView: func(v flow.CounterView) {
		select {
		case views <- v:
		default:
		}
	}}
	wait := func(what string, ok func(flow.CounterView) bool) flow.CounterView {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for {
			if v := c.View(); ok(v) {
				return v
			}
			select {
			case <-views:
			case <-deadline:
				t.Fatalf("waiting for %s; view %+v", what, c.View())
			}
		}
	}
	k.SetOnline(false) // the login needs no network
	c.Login(ctx, rig.DemoWorker, rig.DemoPassword)
	wait("login", func(v flow.CounterView) bool { return v.Step == flow.CounterReady })
	k.SetOnline(true)

	card, err := k.Deck.Cards[1].Card() // resident-yellow
	if err != nil {
		t.Fatal(err)
	}
	c.Card(idcard.Event{Kind: idcard.CardPlaced, Card: card})
	c.Reissue(ctx)
	v := wait("re-issue", func(v flow.CounterView) bool { return v.Step == flow.CounterDone })
	if v.Message != "printed" || v.Ticket.QR == "" || v.Ticket.QR == old.Ticket.QR {
		t.Fatalf("re-issue: %+v, want a new printed code", v)
	}
	if _, err := k.Backend.CheckCode(ctx, old.Ticket.QR); !errors.Is(err, flow.ErrTokenRefused) {
		t.Errorf("the lost paper still verifies: %v", err)
	}
	c.Correction(ctx, "已解除管控")
	wait("correction", func(v flow.CounterView) bool { return v.Step == flow.CounterDone && v.Ticket.Receipt != "" })
	v = wait("dashboard", func(v flow.CounterView) bool { return len(v.Dashboard.HelpCalls) > 0 })
	if !strings.Contains(v.Dashboard.HelpCalls[0], "e2e") {
		t.Errorf("help calls %q, want the self-service kiosk's", v.Dashboard.HelpCalls)
	}

	log, err := k.Store.AuditLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var worker []string
	for _, e := range log {
		if e.WorkerID == rig.DemoWorker {
			worker = append(worker, e.Action)
		}
	}
	for _, want := range []string{"print", "correction_request"} {
		if !slices.Contains(worker, want) {
			t.Errorf("audit under the worker %v lacks %q", worker, want)
		}
	}
	if err := k.Store.VerifyAudit(ctx); err != nil {
		t.Errorf("audit chain: %v", err)
	}
}

package rig_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/rig"
	"github.com/shcommunity/kiosk/app/wire"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/internal/clocktest"
	"github.com/shcommunity/kiosk/pii"
)

// counterOn is a counter flow on the kiosk's backend and printer, and a
// wait for its view.
func counterOn(t *testing.T, k *kiosk) (*flow.Counter, func(string, func(flow.CounterView) bool) flow.CounterView) {
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
	return c, wait
}

// TestCounterOnRig logs a worker in offline against the cached hashes,
// re-issues a resident's code at the counter (the old paper stops
// verifying), files a correction, and finds the self-service help call on
// the dashboard; every action is audited under the worker.
func TestCounterOnRig(t *testing.T) {
	k := startKiosk(t, rig.Options{})
	ctx := context.Background()
	old := k.serve(t, "resident-yellow")
	k.flow.Help()

	c, wait := counterOn(t, k)
	k.SetOnline(false) // the login needs no network
	c.Login(ctx, rig.DemoWorker, rig.DemoPassword)
	wait("login", func(v flow.CounterView) bool { return v.Step == flow.CounterReady })
	k.SetOnline(true)

	card, err := k.Deck.Cards[1].Card() // resident-yellow
	if err != nil {
		t.Fatal(err)
	}
	c.Card(flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: card}))
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

// TestCounterMinorOnRig: a worker enrols a child under 16 with her
// guardian's card read on the reader and her number typed from the
// household register; the child's code prints, and the service records
// the guardian as her proxy.
func TestCounterMinorOnRig(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, rig.Options{Dir: dir})
	ctx := context.Background()
	c, wait := counterOn(t, k)
	c.Login(ctx, rig.DemoWorker, rig.DemoPassword)
	wait("login", func(v flow.CounterView) bool { return v.Step == flow.CounterReady })
	dc, _ := k.Deck.Find("family-member")
	guardian, err := dc.Card()
	if err != nil {
		t.Fatal(err)
	}
	c.ExpectFamily(true)
	c.Card(flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: guardian}))
	birth := time.Now().AddDate(-9, 0, 0).Format("20060102")
	first := "310104" + birth + "005"
	cd, err := pii.CheckDigit(first)
	if err != nil {
		t.Fatal(err)
	}
	c.Minor(ctx, first+string(cd), "王小明")
	if v := c.View(); !v.Minor || v.ManualFailed != "" {
		t.Fatalf("minor refused: %+v", v)
	}
	c.Enrol(ctx, "13800138000", true)
	v := wait("enrol", func(v flow.CounterView) bool { return v.Step == flow.CounterDone })
	if v.Message != "printed" || v.Ticket.Kind != flow.TicketCode || v.Ticket.MaskedName != "王*明" {
		t.Fatalf("enrol: %+v, want the child's code printed", v)
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "codes.db")+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var actors string
	var proxies int
	if err := db.QueryRow(`SELECT group_concat(actor) FROM enrolments WHERE outcome = 'accepted' AND actor != ''`).Scan(&actors); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM proxies`).Scan(&proxies); err != nil {
		t.Fatal(err)
	}
	if actors != "guardian" || proxies != 1 {
		t.Errorf("service: actors %q, %d proxies; want one guardian enrolment with its proxy", actors, proxies)
	}
}

// TestCounterWatchList: a resident served here whose close contact was
// never ended is still yellow fifteen days on; the counter's dashboard
// lists her with the reason while online, and lists nothing offline.
func TestCounterWatchList(t *testing.T) {
	clk := clocktest.New(time.Now())
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

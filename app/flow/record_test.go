package flow_test

import (
	"context"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/healthcode"
)

// loggedIn is a counter with the demo worker logged in over b.
func loggedIn(t *testing.T, b *fakeCounter) *flow.Counter {
	t.Helper()
	c := &flow.Counter{Backend: b, Printer: &fakePrinter{}, Now: func() time.Time { return asOf }}
	c.Login(context.Background(), "demo", "demo1234")
	waitCounter(t, c, func(v flow.CounterView) bool { return v.Step == flow.CounterReady && v.Dashboard.Pending == 2 })
	return c
}

func (f *fakeCounter) calls() (records, lost, withdrawn, looks int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.records, f.lost, f.withdrawn, f.looks
}

// TestCounterRecord: a card read brings the resident's record (her colour
// with its source, her codes, her pending items) onto the counter; a
// report of loss asks for no new code, says how many codes stopped and
// reads her record again; withdrawing her health-cloud consent and her
// access records go to the backend for her; the next resident starts with
// none of it.
func TestCounterRecord(t *testing.T) {
	ctx := context.Background()
	rec := flow.Record{Enrolled: true, CodesKnown: true,
		Status: healthcode.Status{Source: healthcode.SourceLive, Colour: healthcode.Yellow, AsOf: asOf},
		Codes: []flow.Code{{TokenID: "T2", State: flow.CodeActive, Place: "田林街道", IssuedAt: asOf},
			{TokenID: "T1", State: flow.CodeSuperseded, Place: "自助机 2", IssuedAt: asOf.Add(-time.Hour), StateAt: asOf}},
		Pending: []flow.PendingItem{{Kind: flow.PendingCorrection, Receipt: "C-0001", Since: asOf}}}
	b := &fakeCounter{record: &rec, access: flow.AccessList{Groups: []flow.AccessGroup{{Place: "徐家汇地铁站", Purpose: "venue_entry", Count: 2}}}}
	c := loggedIn(t, b)
	if v := c.View(); v.Record.Status.Source != "" || v.RecordLoading {
		t.Fatalf("a record with no resident: %+v", v.Record)
	}
	c.Card(flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: card("张三丰", greenID)}))
	v := waitCounter(t, c, func(v flow.CounterView) bool { return !v.RecordLoading && v.Record.CodesKnown })
	if v.Record.Active() != 1 || v.Record.Status.Colour != healthcode.Yellow || len(v.Record.Pending) != 1 || v.Step != flow.CounterResident {
		t.Errorf("her record = %+v, want one active code of two, yellow, one pending correction", v.Record)
	}

	c.ReportLost(ctx)
	v = waitCounter(t, c, func(v flow.CounterView) bool { return v.Step == flow.CounterDone })
	if v.Message != flow.MessageLost || v.Revoked != 1 || v.Ticket.QR != "" || v.Preview != nil {
		t.Errorf("report lost: %+v, want one code stopped and no slip", v)
	}
	waitCounter(t, c, func(flow.CounterView) bool { r, lost, _, _ := b.calls(); return r == 2 && lost == 1 })
	b.mu.Lock()
	if b.reissued != 0 || b.printed != 0 {
		t.Errorf("report lost issued %d and printed %d codes, want none", b.reissued, b.printed)
	}
	b.mu.Unlock()

	c.WithdrawHealth(ctx)
	waitCounter(t, c, func(v flow.CounterView) bool { return v.Step == flow.CounterDone && v.Message == flow.MessageWithdrawn })
	c.ShowAccess(ctx)
	v = waitCounter(t, c, func(v flow.CounterView) bool { return v.AccessShown })
	if len(v.Access.Groups) != 1 || v.Access.Groups[0].Count != 2 || v.AccessLoading {
		t.Errorf("access records %+v, want the venue's two looks", v.Access)
	}
	if _, _, withdrawn, looks := b.calls(); withdrawn != 1 || looks != 1 {
		t.Errorf("withdrawn %d, looks %d; want 1 and 1", withdrawn, looks)
	}

	// Her record is held back until the view has been looked at: on a
	// fast machine the fake would otherwise answer before View.
	hold := make(chan struct{})
	b.mu.Lock()
	b.hold = hold
	b.mu.Unlock()
	c.Card(flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: card("李秀英", "310115198605120080")}))
	if v := c.View(); v.AccessShown || v.Access.Groups != nil || v.Revoked != 0 || v.Message != "" || !v.RecordLoading {
		t.Errorf("the next resident: %+v; want nothing of the one before and her own record on its way", v)
	}
	close(hold)
	waitCounter(t, c, func(v flow.CounterView) bool { return !v.RecordLoading })
	c.Clear()
	if v := c.View(); v.Record.Status.Source != "" || v.Record.Codes != nil {
		t.Errorf("after Clear the record is still %+v", v.Record)
	}
}

// TestCounterActionsNeedResident: with no resident at the counter, a
// report of loss, a withdrawal and the access records do nothing but say
// a resident is needed.
func TestCounterActionsNeedResident(t *testing.T) {
	ctx := context.Background()
	b := &fakeCounter{}
	c := loggedIn(t, b)
	c.ReportLost(ctx)
	c.WithdrawHealth(ctx)
	c.ShowAccess(ctx)
	if v := c.View(); v.Message != flow.ErrNoResident.Error() || v.AccessLoading {
		t.Errorf("no resident: %+v, want the no-resident message", v)
	}
	if _, lost, withdrawn, looks := b.calls(); lost+withdrawn+looks != 0 {
		t.Errorf("calls with no resident: lost %d, withdrawn %d, looks %d", lost, withdrawn, looks)
	}
}

// TestCounterServe: choosing a dashboard item shows whom and what for
// until the worker clears; the card read next is served with it on
// screen. An item no longer on the list is ignored.
func TestCounterServe(t *testing.T) {
	b := &fakeCounter{}
	c := loggedIn(t, b)
	c.Serve(flow.ListHelp, 5)
	if v := c.View(); v.Serving != nil {
		t.Fatalf("an item not on the list is served: %+v", v.Serving)
	}
	c.Serve(flow.ListHelp, 0)
	v := c.View()
	if v.Serving == nil || v.Serving.List != flow.ListHelp || v.Serving.Help != "09:30 kiosk-1" || v.Step != flow.CounterReady {
		t.Fatalf("serving %+v, want the help call at 09:30", v.Serving)
	}
	c.Card(flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: card("张三丰", greenID)}))
	if v := c.View(); v.Serving == nil || v.Step != flow.CounterResident || v.MaskedName != "张*丰" {
		t.Errorf("her card: %+v, want her served with the help call still shown", v)
	}
	waitCounter(t, c, func(v flow.CounterView) bool { return !v.RecordLoading })
	c.Clear()
	if v := c.View(); v.Serving != nil {
		t.Errorf("after Clear still serving %+v", v.Serving)
	}
	c.Logout()
	c.Serve(flow.ListHelp, 0)
	if v := c.View(); v.Serving != nil {
		t.Error("served with nobody logged in")
	}
}

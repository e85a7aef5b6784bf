package flow_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/internal/clocktest"
)

// fakeCounter records what the counter asked for.
type fakeCounter struct {
	mu       sync.Mutex
	enrols   []flow.Enrolment
	reissued int
	printed  int
	manual   int
	reasons  []string
	// reissue is what Reissue answers when set (a green code otherwise);
	// status answers Status.
	reissue *flow.Ticket
	status  func() healthcode.Status
	// record is what Record answers (an empty record otherwise), lost
	// how many ReportLost says it stopped; the rest count the calls.
	record                          *flow.Record
	records, lost, withdrawn, looks int
	access                          flow.AccessList
	// hold, when set, keeps Record from answering until it is closed, so
	// that a test sees the record still on its way.
	hold chan struct{}
}

func (f *fakeCounter) Record(ctx context.Context, w string, r flow.Resident) (flow.Record, error) {
	f.mu.Lock()
	hold := f.hold
	f.mu.Unlock()
	if hold != nil {
		<-hold
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.records++
	if f.record != nil {
		return *f.record, nil
	}
	return flow.Record{}, nil
}

func (f *fakeCounter) ReportLost(ctx context.Context, w string, r flow.Resident) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lost++
	return 1, nil
}

func (f *fakeCounter) ResidentAccess(ctx context.Context, w string, r flow.Resident) (flow.AccessList, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.looks++
	return f.access, nil
}

func (f *fakeCounter) WithdrawHealth(ctx context.Context, w string, r flow.Resident) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.withdrawn++
	return nil
}

func (f *fakeCounter) Login(ctx context.Context, id, pw string) (string, error) {
	if id == "demo" && pw == "demo1234" {
		return "演示社工", nil
	}
	return "", errors.New("worker id or password not accepted")
}

func (f *fakeCounter) Enrol(ctx context.Context, w string, e flow.Enrolment) (flow.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.enrols = append(f.enrols, e)
	return flow.Ticket{Kind: flow.TicketPending, Receipt: "K3QF-7XBA"}, nil
}

func (f *fakeCounter) Reissue(ctx context.Context, w string, r flow.Resident) (flow.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reissued++
	if f.reissue != nil {
		return *f.reissue, nil
	}
	return liveTicket(healthcode.Green), nil
}

func (f *fakeCounter) Status(ctx context.Context, r flow.Resident) (healthcode.Status, error) {
	if f.status == nil {
		return healthcode.Status{Source: healthcode.SourceUnknown}, nil
	}
	return f.status(), nil
}

func (f *fakeCounter) Correction(ctx context.Context, w string, r flow.Resident, reason string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reasons = append(f.reasons, reason)
	return "C-0001", nil
}

func (f *fakeCounter) Printed(ctx context.Context, t flow.Ticket) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.printed++
	return nil
}

func (f *fakeCounter) ManualEntry(ctx context.Context, w string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.manual++
	return nil
}

func (f *fakeCounter) Dashboard(ctx context.Context) (flow.Dashboard, error) {
	return flow.Dashboard{Pending: 2, HelpCalls: []string{"09:30 kiosk-1"}}, nil
}

// waitCounter waits (a bounded number of short sleeps) for the view.
func waitCounter(t *testing.T, c *flow.Counter, ok func(flow.CounterView) bool) flow.CounterView {
	t.Helper()
	for range 400 {
		if v := c.View(); ok(v) {
			return v
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("counter view never matched; it is %+v", c.View())
	return flow.CounterView{}
}

func TestCounter(t *testing.T) {
	ctx := context.Background()
	b := &fakeCounter{}
	c := &flow.Counter{Backend: b, Printer: &fakePrinter{}, Now: func() time.Time { return asOf }}

	c.Login(ctx, "demo", "wrong")
	waitCounter(t, c, func(v flow.CounterView) bool { return v.LoginFailed })
	c.Card(flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: card("张三丰", greenID)}))
	if v := c.View(); v.MaskedID != "" {
		t.Fatal("a card was taken before any worker logged in")
	}
	c.Login(ctx, "demo", "demo1234")
	v := waitCounter(t, c, func(v flow.CounterView) bool { return v.Step == flow.CounterReady && v.Dashboard.Pending == 2 })
	if v.Worker != "演示社工" || len(v.Dashboard.HelpCalls) != 1 {
		t.Errorf("after login %+v, want the worker and the dashboard", v)
	}

	// Enrolment with a family member, consent required.
	resident, daughter := card("张三丰", greenID), card("孙丽", "310115198605120080")
	c.Card(flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: resident}))
	c.ExpectFamily(true)
	c.Card(flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: daughter}))
	if v := c.View(); v.MaskedName != "张*丰" || v.FamilyName != "孙*" || v.WaitFamily {
		t.Errorf("resident %q family %q waiting %v, want 张*丰 and 孙*", v.MaskedName, v.FamilyName, v.WaitFamily)
	}
	c.Enrol(ctx, "13800138000", false)
	waitCounter(t, c, func(v flow.CounterView) bool { return v.Message == "consent" })
	c.Enrol(ctx, "13800138000", true)
	v = waitCounter(t, c, func(v flow.CounterView) bool { return v.Step == flow.CounterDone })
	if v.Message != "receipt" || v.Ticket.Receipt != "K3QF-7XBA" {
		t.Errorf("enrol gave %+v, want a receipt", v)
	}
	b.mu.Lock()
	e := b.enrols[len(b.enrols)-1]
	b.mu.Unlock()
	if e.ConsentBy != "family" || e.Family.Number.Reveal() != "310115198605120080" || e.Phone != "13800138000" {
		t.Errorf("enrolment %+v, want consent by family with the daughter's number", e)
	}

	// Re-issue prints and records.
	c.Reissue(ctx)
	v = waitCounter(t, c, func(v flow.CounterView) bool { return v.Step == flow.CounterDone && v.Message == "printed" })
	if v.Preview == nil || b.reissued != 1 || b.printed != 1 {
		t.Errorf("reissue: preview %v, reissued %d, printed %d; want 1 and 1", v.Preview != nil, b.reissued, b.printed)
	}

	// 纠错.
	c.Correction(ctx, "已出院，颜色应为绿码")
	waitCounter(t, c, func(v flow.CounterView) bool { return v.Ticket.Receipt == "C-0001" })

	// Clearing wipes both cards.
	c.Clear()
	if v := c.View(); v.MaskedName != "" || v.FamilyName != "" || resident.Number != "" || daughter.Number != "" {
		t.Errorf("after Clear: view %q/%q, cards %q/%q; want all empty", v.MaskedName, v.FamilyName, resident.Number.Reveal(), daughter.Number.Reveal())
	}

	// Manual entry: validated, audited.
	c.ManualID(ctx, "310101194803140018", "张三丰") // wrong check digit
	if v := c.View(); v.ManualFailed == "" || v.MaskedID != "" {
		t.Errorf("bad number accepted: %+v", v)
	}
	c.ManualID(ctx, "310101194803140019", "张三丰")
	if v := c.View(); v.ManualFailed != "" || v.MaskedID != "3*************0019" {
		t.Errorf("good number refused: %+v", v)
	}
	for range 200 {
		b.mu.Lock()
		n := b.manual
		b.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if b.manual != 1 {
		t.Errorf("manual entries audited = %d, want 1", b.manual)
	}
	c.Logout()
	if v := c.View(); v.Step != flow.CounterLogin || v.MaskedID != "" {
		t.Errorf("after logout %+v, want the login screen", v)
	}
}

// TestCounterMinor: a child under 16 is enrolled at the counter with the
// guardian's card read and her number typed from the household register;
// the guardian is her proxy. Without the guardian's card, or for someone
// who is 16 that day, the number is refused.
func TestCounterMinor(t *testing.T) {
	ctx := context.Background()
	b := &fakeCounter{}
	c := &flow.Counter{Backend: b, Printer: &fakePrinter{}, Now: func() time.Time { return asOf }}
	c.Login(ctx, "demo", "demo1234")
	waitCounter(t, c, func(v flow.CounterView) bool { return v.Step == flow.CounterReady })

	const child, sixteen = "310104201506010033", "310104201003010015" // born 2015-06-01; 16 on 2026-03-01
	c.Minor(ctx, child, "王小明")
	if v := c.View(); v.ManualFailed != flow.MinorNoGuardian || v.MaskedID != "" {
		t.Fatalf("no guardian yet: %+v, want refused", v)
	}
	c.ExpectFamily(true)
	c.Card(flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: card("孙丽", "310115198605120080")}))
	c.Minor(ctx, sixteen, "王大明")
	if v := c.View(); v.ManualFailed != flow.MinorNotMinor || v.MaskedID != "" {
		t.Fatalf("a 16-year-old: %+v, want not_minor", v)
	}
	c.Minor(ctx, child[:17]+"0", "王小明")
	if v := c.View(); v.ManualFailed == "" || v.MaskedID != "" {
		t.Fatalf("a wrong check digit: %+v, want refused", v)
	}
	c.Minor(ctx, child, "王小明")
	v := c.View()
	if v.ManualFailed != "" || !v.Minor || v.MaskedName != "王*明" || v.FamilyName != "孙*" {
		t.Fatalf("the child with her guardian: %+v", v)
	}
	c.Enrol(ctx, "13800138000", true)
	waitCounter(t, c, func(v flow.CounterView) bool { return v.Step == flow.CounterDone })
	b.mu.Lock()
	e := b.enrols[len(b.enrols)-1]
	b.mu.Unlock()
	if !e.Guardian || e.ConsentBy != "family" || e.Family.Number.Reveal() != "310115198605120080" || e.Resident.Number.Reveal() != child || !e.Manual {
		t.Errorf("enrolment %+v, want the child by her guardian", e)
	}
	// The next resident's card is not a minor's.
	c.Card(flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: card("张三丰", greenID)}))
	if v := c.View(); v.Minor {
		t.Error("the next resident is still marked a minor")
	}
}

// loggingOut is a counter backend that counts the worker logouts it is
// told of (flow.WorkerLogout): its session must go with the screen.
type loggingOut struct {
	fakeCounter
	mu      sync.Mutex
	logouts int
}

func (l *loggingOut) LogoutWorker() { l.mu.Lock(); l.logouts++; l.mu.Unlock() }

func (l *loggingOut) count() int { l.mu.Lock(); defer l.mu.Unlock(); return l.logouts }

// TestFinding11CounterIdleLogout: a worker who walked away stayed logged
// in at the counter for good, her session open to whoever sat down next.
// Now the counter logs her out after five minutes untouched (by its own
// clock, moved here by the test, never by a sleep), and each touch of
// hers starts the five minutes again; the backend drops her session.
func TestFinding11CounterIdleLogout(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(asOf)
	b := &loggingOut{}
	c := &flow.Counter{Backend: b, Printer: &fakePrinter{}, Now: clk.Now}
	if c.CheckIdle() {
		t.Fatal("CheckIdle logged out a counter nobody was logged in to")
	}
	c.Login(ctx, "demo", "demo1234")
	waitCounter(t, c, func(v flow.CounterView) bool { return v.Step == flow.CounterReady })
	clk.Add(flow.DefaultCounterIdle - time.Second)
	if c.CheckIdle() {
		t.Fatal("logged out before five minutes")
	}
	c.Card(flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: card("张三丰", greenID)})) // she is back
	clk.Add(flow.DefaultCounterIdle - time.Second)
	if c.CheckIdle() || c.View().Step != flow.CounterResident {
		t.Fatalf("logged out %v after her last touch; view %+v", flow.DefaultCounterIdle-time.Second, c.View())
	}
	clk.Add(time.Second)
	if !c.CheckIdle() {
		t.Fatal("still logged in five minutes after her last touch")
	}
	if v := c.View(); v.Step != flow.CounterLogin || v.MaskedID != "" || v.Worker != "" {
		t.Errorf("after the idle logout the view is %+v, want the login screen and no resident", v)
	}
	if b.count() == 0 {
		t.Error("the backend was not told: the worker's session would outlive the screen")
	}
	c.Card(flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: card("张三丰", greenID)}))
	if v := c.View(); v.MaskedID != "" {
		t.Error("a card was taken after the idle logout")
	}
}

// TestFinding11IdleConfigurable: IdleLogout sets the time; a negative one
// never logs out.
func TestFinding11IdleConfigurable(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		idle, after time.Duration
		out         bool
	}{
		{time.Minute, time.Minute, true},
		{time.Minute, time.Minute - time.Second, false},
		{-1, 24 * time.Hour, false},
	} {
		clk := clocktest.New(asOf)
		c := &flow.Counter{Backend: &fakeCounter{}, Printer: &fakePrinter{}, Now: clk.Now, IdleLogout: tc.idle}
		c.Login(ctx, "demo", "demo1234")
		waitCounter(t, c, func(v flow.CounterView) bool { return v.Step == flow.CounterReady })
		clk.Add(tc.after)
		if got := c.CheckIdle(); got != tc.out {
			t.Errorf("idle %v, after %v: logged out %v, want %v", tc.idle, tc.after, got, tc.out)
		}
	}
}

package flow_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/devices/idcard"
)

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
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
	clk := &fakeClock{t: asOf}
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
		clk := &fakeClock{t: asOf}
		c := &flow.Counter{Backend: &fakeCounter{}, Printer: &fakePrinter{}, Now: clk.Now, IdleLogout: tc.idle}
		c.Login(ctx, "demo", "demo1234")
		waitCounter(t, c, func(v flow.CounterView) bool { return v.Step == flow.CounterReady })
		clk.Add(tc.after)
		if got := c.CheckIdle(); got != tc.out {
			t.Errorf("idle %v, after %v: logged out %v, want %v", tc.idle, tc.after, got, tc.out)
		}
	}
}

package flow_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/healthcode"
)

// The tests below run in a synctest bubble, whose clock is the fake one
// every timer of the flows follows: a colour's instant is reached by
// sleeping to it, and each check is made just before and at it.

// transition is a resident yellow until at, then green: the answer the
// service gives at now (a yellow that says when it ends).
func transition(at, now time.Time) healthcode.Status {
	if now.Before(at) {
		return healthcode.Status{Source: healthcode.SourceLive, Colour: healthcode.Yellow, AsOf: now, ValidUntil: at}
	}
	return healthcode.Status{Source: healthcode.SourceLive, Colour: healthcode.Green, AsOf: now}
}

// sleepTo sleeps the bubble's clock to t and lets every flow settle.
func sleepTo(t time.Time) {
	time.Sleep(time.Until(t))
	synctest.Wait()
}

// clockBackend is a fakeBackend whose Now is the service's clock, ahead
// of the kiosk's by skew.
type clockBackend struct {
	*fakeBackend
	skew time.Duration
}

func (b clockBackend) Now() time.Time { return time.Now().Add(b.skew) }

// TestSelfColourExpiresOnline: her card stays on the reader across her
// yellow → green instant; the screen shows yellow until the instant and
// green from it, without the idle reset and without a second slip.
func TestSelfColourExpiresOnline(t *testing.T) {
	for _, skew := range []time.Duration{0, 3 * time.Second, -3 * time.Second} {
		t.Run(skew.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				cb := clockBackend{fakeBackend: h.b, skew: skew}
				h.s.Backend = cb
				// at is the service's time of the change; the kiosk
				// reaches it skew earlier (or later) by its own clock.
				at := cb.Now().Add(90 * time.Second)
				h.b.status = func(flow.Resident) healthcode.Status { return transition(at, cb.Now()) }
				tk := liveTicket(healthcode.Yellow)
				tk.Status = transition(at, cb.Now())
				h.b.set(yellowID, tk, nil)
				h.start()
				defer h.stop()
				h.place(card("李秀英", yellowID), nil)
				if v := h.s.View(); v.Step != flow.StepDone || v.Ticket.Status.Colour != healthcode.Yellow || v.Preview == nil {
					t.Fatalf("first view: step %q colour %q preview %v", v.Step, v.Ticket.Status.Colour, v.Preview != nil)
				}
				kioskAt := at.Add(-skew)
				sleepTo(kioskAt.Add(-time.Millisecond))
				if v := h.s.View(); v.Ticket.Status.Colour != healthcode.Yellow || !v.Ticket.Status.HasColour() {
					t.Errorf("1 ms before the instant: %+v, want yellow still", v.Ticket.Status)
				}
				sleepTo(kioskAt)
				v := h.s.View()
				if v.Step != flow.StepDone || v.Ticket.Status.Colour != healthcode.Green || !v.Ticket.Status.HasColour() {
					t.Errorf("at the instant: step %q status %+v, want green", v.Step, v.Ticket.Status)
				}
				if v.Preview != nil {
					t.Error("the yellow slip's preview is still on screen")
				}
				h.p.mu.Lock()
				onPaper := len(h.p.printed)
				h.p.mu.Unlock()
				if printed, _ := h.b.counts(); printed != 1 || onPaper != 1 {
					t.Errorf("prints = %d recorded, %d on paper; want 1 each", printed, onPaper)
				}
				// Green has no instant of its own: nothing more happens
				// until she leaves.
				sleepTo(kioskAt.Add(time.Hour))
				if v := h.s.View(); v.Ticket.Status.Colour != healthcode.Green || h.b.asked != 1 {
					t.Errorf("an hour on: colour %q after %d asks, want green after 1", v.Ticket.Status.Colour, h.b.asked)
				}
			})
		})
	}
}

// TestSelfColourExpiresOffline: a cached yellow re-printed offline comes
// off the screen at its freshness bound, and at its valid_until when
// that comes first; the engine has nothing to show after it, so the
// screen says "unknown" and keeps saying it.
func TestSelfColourExpiresOffline(t *testing.T) {
	for _, tc := range []struct {
		name       string
		fresh, vtu time.Duration
	}{
		{"freshness bound first", 40 * time.Second, 90 * time.Second},
		{"valid_until first", 90 * time.Second, 40 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				h.b.link = flow.Link{Online: false}
				start := time.Now()
				end := start.Add(min(tc.fresh, tc.vtu))
				cached := healthcode.Status{Source: healthcode.SourceCached, Colour: healthcode.Yellow, AsOf: start.Add(-time.Hour),
					ValidUntil: start.Add(tc.vtu), ShowUntil: start.Add(tc.fresh)}
				h.b.status = func(flow.Resident) healthcode.Status {
					if cached.Expired(time.Now()) {
						return healthcode.Status{Source: healthcode.SourceUnknown}
					}
					return cached
				}
				h.b.set(yellowID, flow.Ticket{Kind: flow.TicketReprint, QR: "HC1:OLD", Serial: "0002", Status: cached}, nil)
				h.start()
				defer h.stop()
				h.place(card("李秀英", yellowID), nil)
				sleepTo(end.Add(-time.Millisecond))
				if v := h.s.View(); v.Ticket.Status.Colour != healthcode.Yellow || !v.Ticket.Status.HasColour() {
					t.Errorf("before its bound: %+v, want the cached yellow", v.Ticket.Status)
				}
				sleepTo(end)
				v := h.s.View()
				if v.Ticket.Status.HasColour() || v.Ticket.Status.Source != healthcode.SourceUnknown || v.Preview != nil {
					t.Errorf("at its bound: %+v (preview %v), want unknown and no preview", v.Ticket.Status, v.Preview != nil)
				}
				if v.Step != flow.StepDone || v.MaskedName == "" {
					t.Errorf("at its bound the screen left her: step %q", v.Step)
				}
				sleepTo(start.Add(5 * time.Minute))
				if v := h.s.View(); v.Ticket.Status.HasColour() {
					t.Errorf("later: %+v, want unknown still", v.Ticket.Status)
				}
			})
		})
	}
}

// TestSelfUnprintedExpired: the printer failed and came back after the
// slip's colour ran out; the old slip is not printed, a new code is
// asked for and printed instead.
func TestSelfUnprintedExpired(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.s.Poll = 10 * time.Second
		at := time.Now().Add(30 * time.Second)
		tk := liveTicket(healthcode.Yellow)
		tk.Status = transition(at, time.Now())
		h.b.set(yellowID, tk, nil)
		h.p.err = escpos.ErrPaperOut
		h.start()
		defer h.stop()
		h.place(card("李秀英", yellowID), nil)
		if v := h.s.View(); v.Step != flow.StepError {
			t.Fatalf("step %q, want the paper-out error", v.Step)
		}
		green := liveTicket(healthcode.Green)
		green.Serial = "0003"
		h.b.set(yellowID, green, nil)
		sleepTo(at.Add(time.Second))
		h.p.fail(nil)
		sleepTo(at.Add(15 * time.Second)) // a poll finds the printer ready
		v := h.s.View()
		if v.Step != flow.StepDone || v.Ticket.Status.Colour != healthcode.Green {
			t.Errorf("after the printer came back: step %q colour %q, want done and green", v.Step, v.Ticket.Status.Colour)
		}
		h.p.mu.Lock()
		defer h.p.mu.Unlock()
		if len(h.p.printed) != 1 || h.p.printed[0].Status.Colour != healthcode.Green {
			t.Errorf("printed %d slips, want 1 green", len(h.p.printed))
		}
	})
}

// TestVenueColourExpires: a card left on the venue reader, and a paper
// code checked offline on its claim, across the colour's instant.
func TestVenueColourExpires(t *testing.T) {
	for _, tc := range []struct {
		name    string
		scan    bool
		offline bool
		want    healthcode.Colour // after the instant; "" is unknown
	}{
		{"card online", false, false, healthcode.Green},
		{"paper online", true, false, healthcode.Green},
		{"card offline", false, true, ""},
		{"paper offline on its claim", true, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				at := time.Now().Add(time.Minute)
				b := &fakeVenue{answer: func() flow.CodeCheck {
					s := transition(at, time.Now())
					if tc.offline {
						s = healthcode.Status{Source: healthcode.SourceCached, Colour: healthcode.Yellow, AsOf: at.Add(-24 * time.Hour), ShowUntil: at}
						if s.Expired(time.Now()) {
							s = healthcode.Status{Source: healthcode.SourceUnknown}
						}
					}
					return flow.CodeCheck{Status: s}
				}}
				// A scan's result is held from the start; the card is
				// left on the reader.
				v := &flow.Venue{Backend: b, Hold: 2 * time.Minute}
				events, stop := runVenue(v)
				defer stop()
				if tc.scan {
					v.Scan("HC1:TEXT")
				} else {
					events <- flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: card("李秀英", yellowID)})
				}
				synctest.Wait()
				if got := v.View(); got.Check.Status.Colour != healthcode.Yellow {
					t.Fatalf("first check: %+v, want yellow", got.Check.Status)
				}
				sleepTo(at.Add(-time.Millisecond))
				if got := v.View(); got.Check.Status.Colour != healthcode.Yellow || got.Step != flow.VenueResult {
					t.Errorf("just before: %+v, want yellow", got)
				}
				sleepTo(at)
				got := v.View()
				if tc.want == "" && (got.Check.Status.HasColour() || got.Check.Status.Source != healthcode.SourceUnknown) ||
					tc.want != "" && got.Check.Status.Colour != tc.want {
					t.Errorf("at the instant: %+v, want %q", got.Check.Status, tc.want)
				}
			})
		})
	}
}

// TestCounterColourExpires: a code re-issued at the counter shows the
// service's yellow until its instant, then green, while the worker still
// has the resident on screen; a resident cleared takes the timer with
// her.
func TestCounterColourExpires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		at := time.Now().Add(2 * time.Minute)
		tk := liveTicket(healthcode.Yellow)
		tk.Status = transition(at, time.Now())
		asked := 0
		b := &fakeCounter{reissue: &tk, status: func() healthcode.Status { asked++; return transition(at, time.Now()) }}
		c := &flow.Counter{Backend: b, Printer: &fakePrinter{}}
		reissueFor(ctx, c, card("李秀英", yellowID))
		if v := c.View(); v.Ticket.Status.Colour != healthcode.Yellow || v.Preview == nil {
			t.Fatalf("after the reissue: %+v", v.Ticket.Status)
		}
		sleepTo(at.Add(-time.Millisecond))
		if v := c.View(); v.Ticket.Status.Colour != healthcode.Yellow {
			t.Errorf("just before: %+v, want yellow", v.Ticket.Status)
		}
		sleepTo(at)
		if v := c.View(); v.Ticket.Status.Colour != healthcode.Green || v.Preview != nil || asked != 1 {
			t.Errorf("at the instant: %+v (preview %v, %d asks), want green, no preview, 1 ask", v.Ticket.Status, v.Preview != nil, asked)
		}

		// A second resident's yellow, cleared before its instant: no ask.
		tk2 := liveTicket(healthcode.Yellow)
		tk2.Status = transition(at.Add(time.Hour), time.Now())
		b.reissue = &tk2
		c.Card(flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: card("张三丰", greenID)}))
		c.Reissue(ctx)
		synctest.Wait()
		c.Clear()
		sleepTo(at.Add(2 * time.Hour))
		if v := c.View(); v.Ticket != (flow.Ticket{}) || asked != 1 {
			t.Errorf("after clearing: ticket %+v, %d asks; want none and 1", v.Ticket, asked)
		}
	})
}

// TestSelfPrinterUnpluggedMidSlip: the printer goes away in the middle
// of her slip (the driver's error is "not responding", as wire.Printer
// reports a port gone mid-job). The screen says so, the slip is not
// recorded as printed, and when the printer is back (the status bar's
// poll finds it ready) the same slip prints once and is recorded once.
func TestSelfPrinterUnpluggedMidSlip(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.s.Poll = 10 * time.Second
		h.p.err = fmt.Errorf("printer: send job (812 of 1630 bytes sent): %w: %w", escpos.ErrNotResponding, io.ErrUnexpectedEOF)
		h.start()
		defer h.stop()
		h.place(card("张三丰", greenID), nil)
		v := h.s.View()
		if v.Step != flow.StepError || v.Problem != flow.ProblemPrinterDown || v.Bar.Printer != flow.PrinterOffline {
			t.Fatalf("after the unplug: step %q problem %q printer %q, want the printer-down error", v.Step, v.Problem, v.Bar.Printer)
		}
		if printed, _ := h.b.counts(); printed != 0 {
			t.Fatalf("%d prints recorded for a slip that did not come out", printed)
		}
		sleepTo(time.Now().Add(30 * time.Second)) // still away: polls change nothing
		if printed, _ := h.b.counts(); printed != 0 || h.s.View().Step != flow.StepError {
			t.Fatalf("while away: %d recorded, step %q", printed, h.s.View().Step)
		}
		h.p.fail(nil)
		sleepTo(time.Now().Add(10 * time.Second))
		sleepTo(time.Now().Add(time.Minute)) // more polls: nothing twice
		h.p.mu.Lock()
		onPaper := len(h.p.printed)
		h.p.mu.Unlock()
		printed, _ := h.b.counts()
		if v := h.s.View(); v.Step != flow.StepDone || onPaper != 1 || printed != 1 {
			t.Errorf("printer back: step %q, %d on paper, %d recorded; want done, 1, 1", v.Step, onPaper, printed)
		}
	})
}

// TestCounterPrintAgain: the printer is away when a re-issued code goes
// to print. The counter says so, records no print and offers the slip
// again; once the printer is back it prints the same code, recorded once,
// and the offer goes.
func TestCounterPrintAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		b := &fakeCounter{}
		p := &fakePrinter{err: fmt.Errorf("print slip: %w", escpos.ErrNotResponding)}
		c := &flow.Counter{Backend: b, Printer: p}
		reissueFor(ctx, c, card("张三丰", greenID))
		v := c.View()
		if v.Problem != flow.ProblemPrinterDown || !v.PrintAgain || b.printed != 0 {
			t.Fatalf("printer away: problem %q, offer %v, %d recorded; want printer down, the offer, none", v.Problem, v.PrintAgain, b.printed)
		}
		c.PrintAgain(ctx) // still away: the offer stays
		synctest.Wait()
		if v := c.View(); !v.PrintAgain || b.printed != 0 {
			t.Fatalf("still away: offer %v, %d recorded", v.PrintAgain, b.printed)
		}
		p.fail(nil)
		c.PrintAgain(ctx)
		synctest.Wait()
		c.PrintAgain(ctx) // a second touch prints nothing more
		synctest.Wait()
		v = c.View()
		p.mu.Lock()
		onPaper := len(p.printed)
		p.mu.Unlock()
		if v.PrintAgain || v.Message != "printed" || b.printed != 1 || onPaper != 1 || b.reissued != 1 {
			t.Errorf("printer back: offer %v, message %q, %d recorded, %d on paper, %d issued; want 1 each",
				v.PrintAgain, v.Message, b.printed, onPaper, b.reissued)
		}
	})
}

// TestCounterPrintAgainExpired: the printer came back after the slip's
// colour ran out; it is not printed, and the worker is told to re-issue.
func TestCounterPrintAgainExpired(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		at := time.Now().Add(time.Minute)
		tk := liveTicket(healthcode.Yellow)
		tk.Status = transition(at, time.Now())
		b := &fakeCounter{reissue: &tk}
		p := &fakePrinter{err: fmt.Errorf("print slip: %w", escpos.ErrPaperOut)}
		c := &flow.Counter{Backend: b, Printer: p}
		reissueFor(ctx, c, card("李秀英", yellowID))
		if !c.View().PrintAgain {
			t.Fatal("no offer to print again after paper out")
		}
		sleepTo(at.Add(time.Second))
		p.fail(nil)
		c.PrintAgain(ctx)
		synctest.Wait()
		p.mu.Lock()
		onPaper := len(p.printed)
		p.mu.Unlock()
		if v := c.View(); v.PrintAgain || v.Message != "expired" || onPaper != 0 || b.printed != 0 {
			t.Errorf("expired: offer %v, message %q, %d on paper, %d recorded; want no offer, expired, none", v.PrintAgain, v.Message, onPaper, b.printed)
		}
	})
}

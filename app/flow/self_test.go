package flow_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/ssc"
	"github.com/shcommunity/kiosk/healthcode"
)

// harness runs a SelfService inside a synctest bubble.
type harness struct {
	t       *testing.T
	s       *flow.SelfService
	b       *fakeBackend
	p       *fakePrinter
	events  chan flow.CardEvent
	mu      sync.Mutex
	steps   []flow.Step
	said    []flow.Prompt
	cancel  context.CancelFunc
	stopped chan error
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, b: newFakeBackend(), p: &fakePrinter{}, events: make(chan flow.CardEvent)}
	h.b.set(greenID, liveTicket(healthcode.Green), nil)
	h.b.set(yellowID, liveTicket(healthcode.Yellow), nil)
	h.b.set(redID, liveTicket(healthcode.Red), nil)
	h.s = &flow.SelfService{
		Backend: h.b, Printer: h.p, Where: "kiosk-1", IdleTimeout: 20 * time.Second, Poll: time.Minute,
		OnView: func(v flow.SelfView) {
			h.mu.Lock()
			defer h.mu.Unlock()
			if n := len(h.steps); n == 0 || h.steps[n-1] != v.Step {
				h.steps = append(h.steps, v.Step)
			}
		},
		OnSay: func(p flow.Prompt) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.said = append(h.said, p)
		},
	}
	return h
}

// startHarness is a harness whose flow runs until the test ends.
func startHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.start()
	t.Cleanup(h.stop)
	return h
}

func (h *harness) start() {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.stopped = make(chan error, 1)
	go func() { h.stopped <- h.s.Run(ctx, h.events) }()
	h.send(idcard.Event{Kind: idcard.ReaderConnected})
}

func (h *harness) stop() {
	h.cancel()
	if err := <-h.stopped; !errors.Is(err, context.Canceled) {
		h.t.Errorf("Run returned %v, want context.Canceled", err)
	}
}

func (h *harness) send(e idcard.Event) { h.sendCard(flow.IDCardEvent(e)) }

// sendCard sends an event of either reader.
func (h *harness) sendCard(e flow.CardEvent) {
	h.events <- e
	synctest.Wait()
}

func (h *harness) place(c *idcard.Card, err error) {
	h.send(idcard.Event{Kind: idcard.CardPlaced, Card: c, Err: err})
}

func (h *harness) remove() { h.send(idcard.Event{Kind: idcard.CardRemoved}) }

func (h *harness) saidSoFar() []flow.Prompt {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.said)
}

// after lets d pass on the bubble's clock, lets the flow settle and
// returns its view then.
func (h *harness) after(d time.Duration) flow.SelfView {
	time.Sleep(d)
	synctest.Wait()
	return h.s.View()
}

// wantProblem checks that the flow shows the error screen of want and
// that nothing was printed, and returns the view.
func (h *harness) wantProblem(t *testing.T, want flow.Problem) flow.SelfView {
	t.Helper()
	v := h.s.View()
	if v.Step != flow.StepError || v.Problem != want {
		t.Errorf("step %q problem %q, want error %q", v.Step, v.Problem, want)
	}
	if printed, _ := h.b.counts(); printed != 0 {
		t.Errorf("prints recorded = %d, want 0", printed)
	}
	return v
}

// do runs a control, lets the flow settle and returns its view then.
func (h *harness) do(f func()) flow.SelfView {
	f()
	synctest.Wait()
	return h.s.View()
}

func (h *harness) stepsSeen() []flow.Step {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.steps)
}

func TestSelfServiceColours(t *testing.T) {
	for _, tc := range []struct {
		name, id string
		colour   healthcode.Colour
	}{
		{"张三丰", greenID, healthcode.Green},
		{"李秀英", yellowID, healthcode.Yellow},
		{"周建国", redID, healthcode.Red},
	} {
		t.Run(string(tc.colour), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := startHarness(t)
				h.place(card(tc.name, tc.id), nil)
				v := h.s.View()
				if v.Step != flow.StepDone {
					t.Fatalf("step = %q, want %q", v.Step, flow.StepDone)
				}
				if got := v.Ticket.Status.Colour; got != tc.colour || !v.Ticket.Status.HasColour() {
					t.Errorf("colour = %q (shown %v), want %q", got, v.Ticket.Status.HasColour(), tc.colour)
				}
				wantName := card(tc.name, tc.id).Name.Masked()
				if v.MaskedName != wantName || v.Ticket.MaskedName != wantName {
					t.Errorf("masked name = %q / %q, want %q", v.MaskedName, v.Ticket.MaskedName, wantName)
				}
				if v.Preview == nil {
					t.Error("no slip preview")
				}
				want := []flow.Step{flow.StepStart, flow.StepChecking, flow.StepPrinting, flow.StepDone}
				if got := h.stepsSeen(); !slices.Equal(got, want) {
					t.Errorf("steps = %v, want %v", got, want)
				}
				if printed, _ := h.b.counts(); printed != 1 {
					t.Errorf("prints recorded = %d, want 1", printed)
				}
				if !v.Bar.ReaderConnected || v.Bar.Printer != flow.PrinterReady || !v.Bar.Link.Online {
					t.Errorf("status bar = %+v, want reader connected, printer ready, online", v.Bar)
				}
			})
		})
	}
}

func TestSelfServiceOffline(t *testing.T) {
	reprint := flow.Ticket{Kind: flow.TicketReprint, QR: "HC1:OLD",
		Status: healthcode.Status{Source: healthcode.SourceCached, Colour: healthcode.Green, AsOf: asOf}}
	pending := flow.Ticket{Kind: flow.TicketPending, Receipt: "R-0042",
		Status: healthcode.Status{Source: healthcode.SourcePending}}
	for _, tc := range []struct {
		name       string
		ticket     flow.Ticket
		wantColour bool
	}{
		{"reprint cached", reprint, true},
		{"pending", pending, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				h.b.link = flow.Link{Online: false, Waiting: 3}
				h.b.set(greenID, tc.ticket, nil)
				h.start()
				defer h.stop()
				h.place(card("张三丰", greenID), nil)
				v := h.s.View()
				if v.Step != flow.StepDone {
					t.Fatalf("step = %q, want done", v.Step)
				}
				if v.Ticket.Kind != tc.ticket.Kind || v.Ticket.Status.HasColour() != tc.wantColour {
					t.Errorf("ticket %q with colour %v, want %q with colour %v",
						v.Ticket.Kind, v.Ticket.Status.HasColour(), tc.ticket.Kind, tc.wantColour)
				}
				if v.Bar.Link.Online || v.Bar.Link.Waiting != 3 {
					t.Errorf("link = %+v, want offline with 3 waiting", v.Bar.Link)
				}
			})
		})
	}
}

func TestStaleGreenIsNotAColour(t *testing.T) {
	for _, s := range []healthcode.Status{
		{Source: healthcode.SourceUnknown, Colour: healthcode.Green},
		{Source: healthcode.SourcePending, Colour: healthcode.Green},
		{Source: healthcode.SourceLive, Colour: ""},
		{Source: "", Colour: healthcode.Green},
	} {
		if s.HasColour() {
			t.Errorf("%+v.HasColour() = true, want false", s)
		}
	}
}

func TestSelfServiceProblems(t *testing.T) {
	expired := card("赵桂兰", "310107194407190047")
	for _, tc := range []struct {
		name     string
		cardErr  error
		svcErr   error
		printErr error
		want     flow.Problem
		printer  flow.PrinterState
	}{
		{name: "expired", cardErr: &idcard.CardError{Card: expired, Field: "validity", Err: idcard.ErrCardExpired}, want: flow.ProblemCardExpired},
		{name: "not yet valid", cardErr: &idcard.CardError{Field: "validity", Err: idcard.ErrCardNotYetValid}, want: flow.ProblemCardNotYetValid},
		{name: "invalid", cardErr: &idcard.CardError{Field: "number", Err: idcard.ErrInvalidCard}, want: flow.ProblemCardInvalid},
		{name: "unreadable", cardErr: fmt.Errorf("idcard: card unreadable: %w", idcard.ErrTimeout), want: flow.ProblemCardUnreadable},
		{name: "service down", svcErr: fmt.Errorf("dial: %w", flow.ErrServiceUnavailable), want: flow.ProblemServiceDown},
		{name: "paper out", printErr: fmt.Errorf("before printing: %w", escpos.ErrPaperOut), want: flow.ProblemPaperOut, printer: flow.PrinterPaperOut},
		{name: "cover open", printErr: fmt.Errorf("after printing: %w", escpos.ErrCoverOpen), want: flow.ProblemCoverOpen, printer: flow.PrinterCover},
		{name: "printer silent", printErr: escpos.ErrNotResponding, want: flow.ProblemPrinterDown, printer: flow.PrinterOffline},
		{name: "cutter", printErr: escpos.ErrCutter, want: flow.ProblemPrinterFault, printer: flow.PrinterFault},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				h.p.err = tc.printErr
				if tc.svcErr != nil {
					h.b.set(greenID, flow.Ticket{}, tc.svcErr)
				}
				h.start()
				defer h.stop()
				c := card("张三丰", greenID)
				if tc.cardErr != nil {
					c = nil
					if ce, ok := tc.cardErr.(*idcard.CardError); ok {
						c = ce.Card
					}
				}
				h.place(c, tc.cardErr)
				if v := h.wantProblem(t, tc.want); tc.printer != "" && v.Bar.Printer != tc.printer {
					t.Errorf("printer state = %q, want %q", v.Bar.Printer, tc.printer)
				}
			})
		})
	}
}

func TestIdleTimeoutClearsResident(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startHarness(t)
		c := card("张三丰", greenID)
		h.place(c, nil)

		// The card stays on the reader: the screen never changes.
		if v := h.after(10 * time.Minute); v.Step != flow.StepDone {
			t.Fatalf("card on the reader, after 10 min step = %q, want done", v.Step)
		}

		h.remove()
		time.Sleep(15 * time.Second)
		h.s.Touch() // still reading the screen
		synctest.Wait()
		if v := h.after(15 * time.Second); v.Step != flow.StepDone || !v.HasResident() {
			t.Fatalf("touched 15 s ago, step = %q, want done with the resident", v.Step)
		}

		v := h.after(6 * time.Second)
		if v.Step != flow.StepStart || v.HasResident() || v.Problem != "" {
			t.Errorf("after the timeout: %+v, want the empty start screen", v)
		}
		if c.Name != "" || c.Number != "" || c.Photo != nil {
			t.Errorf("card not wiped: name %q number %q photo %v", c.Name.Reveal(), c.Number.Reveal(), c.Photo)
		}
	})
}

func TestIdleNeverMidPrint(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.p.delay = time.Minute // a slow print
		h.start()
		defer h.stop()
		h.place(card("张三丰", greenID), nil)
		h.remove() // the resident lifts the card early
		if v := h.after(30 * time.Second); v.Step != flow.StepPrinting {
			t.Fatalf("mid-print step = %q, want printing", v.Step)
		}
		if v := h.after(31 * time.Second); v.Step != flow.StepDone {
			t.Fatalf("after the print step = %q, want done", v.Step)
		}
		if v := h.after(21 * time.Second); v.Step != flow.StepStart {
			t.Fatalf("after idle step = %q, want start", v.Step)
		}
	})
}

func TestHelpIsRecorded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.b.set(greenID, flow.Ticket{}, flow.ErrServiceUnavailable)
		h.start()
		defer h.stop()
		h.place(card("张三丰", greenID), nil)
		h.s.Help()
		synctest.Wait()
		h.s.Help() // a second press does not call twice
		synctest.Wait()
		if v := h.s.View(); !v.HelpCalled || v.Step != flow.StepError {
			t.Errorf("help %v step %q, want help shown over the error", v.HelpCalled, v.Step)
		}
		if _, helps := h.b.counts(); helps != 1 {
			t.Errorf("help calls recorded = %d, want 1", helps)
		}
		h.s.Dismiss()
		synctest.Wait()
		if v := h.s.View(); v.HelpCalled {
			t.Error("help still shown after Dismiss")
		}
	})
}

func TestNewCardReplacesOld(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.b.delay = time.Second
		h.start()
		defer h.stop()
		first := card("张三丰", greenID)
		h.events <- flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: first})
		h.events <- flow.IDCardEvent(idcard.Event{Kind: idcard.CardRemoved})
		h.place(card("周建国", redID), nil)
		v := h.after(3 * time.Second)
		if v.Ticket.Status.Colour != healthcode.Red || v.MaskedName != "周*国" {
			t.Errorf("shown %q %q, want the second resident's red", v.MaskedName, v.Ticket.Status.Colour)
		}
		if first.Number != "" {
			t.Error("first card not wiped when the second was placed")
		}
		if printed, _ := h.b.counts(); printed != 1 {
			t.Errorf("prints = %d, want 1 (the first resident's answer is dropped)", printed)
		}
	})
}

// TestStopClearsResident: when the kiosk exits with a resident's result
// on screen, the flow's last view must not keep it.
func TestStopClearsResident(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.start()
		h.place(card("张三丰", greenID), nil)
		if v := h.s.View(); !v.HasResident() {
			t.Fatalf("before stop: view holds no resident (step %q); the test proves nothing", v.Step)
		}
		h.stop()
		if v := h.s.View(); v.HasResident() || v.Step != flow.StepStart {
			t.Errorf("after stop: step %q, resident still in view: %v", v.Step, v.HasResident())
		}
	})
}

// TestReaderGoneIsOnScreen: the ID card reader vanishing (unplugged, even
// half-way through reading a card, which the watcher reports the same
// way) puts "the reader is not working, ask staff" on the idle screen and
// says it; the reader coming back restores the start screen. A resident
// already being served keeps her screen, and gets the error only once
// she has gone. With the social-security card's reader working, the start
// screen stays: that card still works.
func TestReaderGoneIsOnScreen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startHarness(t)
		gone := func() {
			h.send(idcard.Event{Kind: idcard.ReaderDisconnected, Err: idcard.ErrDisconnected})
		}
		gone()
		if v := h.s.View(); v.Step != flow.StepError || v.Problem != flow.ProblemReaderDown || v.Bar.ReaderConnected {
			t.Fatalf("reader gone: step %q problem %q, want the reader-down error", v.Step, v.Problem)
		}
		if said := h.saidSoFar(); said[len(said)-1] != flow.ProblemPrompt(flow.ProblemReaderDown) {
			t.Errorf("said %v, want the reader-down prompt last", said)
		}
		h.send(idcard.Event{Kind: idcard.ReaderConnected})
		if v := h.s.View(); v.Step != flow.StepStart || v.Problem != flow.ProblemNone {
			t.Fatalf("reader back: step %q problem %q, want the start screen", v.Step, v.Problem)
		}

		// A resident at the kiosk keeps her screen; once she has gone the
		// idle screen says the reader is down.
		h.place(card("张三丰", greenID), nil)
		gone()
		if v := h.s.View(); v.Step != flow.StepDone || v.Problem != flow.ProblemNone {
			t.Fatalf("reader gone while serving: step %q problem %q, want her done screen", v.Step, v.Problem)
		}
		h.remove()
		if v := h.after(21 * time.Second); v.Step != flow.StepError || v.Problem != flow.ProblemReaderDown || v.HasResident() {
			t.Fatalf("after she left: step %q problem %q resident %v, want the reader-down error and nobody", v.Step, v.Problem, v.HasResident())
		}

		// The other reader works: its card may still be used.
		h.sendCard(flow.SSCEvent(ssc.Event{Kind: ssc.ReaderConnected}))
		if v := h.s.View(); v.Step != flow.StepStart || v.Bar.ReaderConnected {
			t.Errorf("contact reader ready, ID reader gone: step %q, want the start screen", v.Step)
		}
		if p, _ := h.b.counts(); p != 1 {
			t.Errorf("%d slips recorded printed, want 1", p)
		}
	})
}

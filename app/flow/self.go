package flow

import (
	"context"
	"image"
	"log/slog"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/devices/idcard"
)

// Step is where a resident is in the self-service flow.
type Step string

// The self-service steps.
const (
	// StepStart: "请将身份证放在读卡器上".
	StepStart Step = "start"
	// StepChecking: the card was read; the status and paper code are on
	// their way.
	StepChecking Step = "checking"
	// StepPrinting: the colour and the slip preview are shown while the
	// slip prints.
	StepPrinting Step = "printing"
	// StepDone: "请取走您的纸质码和身份证".
	StepDone Step = "done"
	// StepError: a Problem, with what to do next.
	StepError Step = "error"
)

// Bar is the status bar: the devices and the link to the service.
type Bar struct {
	ReaderConnected bool
	Printer         PrinterState
	Link            Link
}

// SelfView is one immutable picture of the self-service screen. The
// resident fields are masked; they are empty on the start screen.
type SelfView struct {
	Step       Step
	MaskedName string
	MaskedID   string
	Ticket     Ticket      // from StepPrinting on
	Preview    image.Image // the slip exactly as printed
	Problem    Problem
	CardOn     bool // a card is on the reader
	HelpCalled bool // "工作人员马上就来" is showing
	Bar        Bar
}

// HasResident reports whether the view holds anything about a resident.
func (v SelfView) HasResident() bool {
	return v.MaskedName != "" || v.MaskedID != "" || v.Ticket != (Ticket{}) || v.Preview != nil
}

// DefaultIdleTimeout is how long the kiosk waits, once the card is off
// the reader and nobody touches the screen, before it returns to the start
// screen.
const DefaultIdleTimeout = 20 * time.Second

// DefaultPoll is how often the status bar asks the printer and the link.
const DefaultPoll = 5 * time.Second

// SelfService is the self-service kiosk flow. Set the fields, then call
// Run; the other methods may be called from any goroutine and never block.
type SelfService struct {
	Backend Backend
	Printer Printer
	// Where names this kiosk in a help call.
	Where string
	// IdleTimeout: see DefaultIdleTimeout.
	IdleTimeout time.Duration
	// Poll: see DefaultPoll.
	Poll time.Duration
	// OnView receives every new view, on the flow's goroutine: hand it to
	// the UI thread and return.
	OnView func(SelfView)
	// Log gets events without personal data; nil discards them.
	Log *slog.Logger

	once    sync.Once
	actions chan func(*selfState)

	views viewBox[SelfView]
}

func (s *SelfService) init() {
	s.once.Do(func() { s.actions = make(chan func(*selfState), 64) })
}

// selfState is owned by Run's goroutine.
type selfState struct {
	*SelfService
	ctx     context.Context
	view    SelfView
	card    *idcard.Card // the card on the reader, wiped on reset
	session int          // counts residents; stale results are dropped
	busy    bool         // a status request or a print is under way
	idle    *time.Timer
	results chan func(*selfState)
	log     *slog.Logger
}

// View returns the latest view.
func (s *SelfService) View() SelfView {
	return s.views.get()
}

// Touch records that someone touched the screen: it holds off the idle
// timeout.
func (s *SelfService) Touch() { s.do(func(st *selfState) { st.touch() }) }

// Help shows "staff are coming" and records the call.
func (s *SelfService) Help() {
	s.do(func(st *selfState) {
		st.touch()
		if st.view.HelpCalled {
			return
		}
		st.view.HelpCalled = true
		st.publish()
		st.async(func(ctx context.Context) func(*selfState) {
			err := st.Backend.CallHelp(ctx, st.Where)
			return func(st *selfState) {
				if err != nil {
					st.log.Warn("Help call not recorded", "err", err)
				}
			}
		}, false)
	})
}

// Dismiss closes the help message (or an error) and keeps the resident's
// screen otherwise as it was.
func (s *SelfService) Dismiss() {
	s.do(func(st *selfState) {
		st.touch()
		st.view.HelpCalled = false
		st.publish()
	})
}

func (s *SelfService) do(f func(*selfState)) {
	s.init()
	select {
	case s.actions <- f:
	default: // a burst of touches: dropping one changes nothing
	}
}

// Run consumes the reader's events until ctx ends or events is closed.
func (s *SelfService) Run(ctx context.Context, events <-chan idcard.Event) error {
	s.init()
	if s.IdleTimeout <= 0 {
		s.IdleTimeout = DefaultIdleTimeout
	}
	if s.Poll <= 0 {
		s.Poll = DefaultPoll
	}
	st := &selfState{SelfService: s, ctx: ctx, results: make(chan func(*selfState), 16), log: s.Log}
	if st.log == nil {
		st.log = slog.New(slog.DiscardHandler)
	}
	st.view.Step = StepStart
	st.idle = time.NewTimer(time.Hour)
	st.idle.Stop()
	defer st.idle.Stop()
	defer func() {
		// On the way out (kiosk exit, shutdown) the resident goes too:
		// the card, and the last view that View still hands out.
		st.wipe()
		st.views.publish(st.view, nil)
	}()
	poll := time.NewTicker(s.Poll)
	defer poll.Stop()
	st.pollBar()
	st.publish()

	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e, ok := <-events:
			if !ok {
				return nil
			}
			st.event(e)
		case f := <-s.actions:
			f(st)
		case f := <-st.results:
			f(st)
		case <-st.idle.C:
			st.timeout()
		case <-poll.C:
			st.pollBar()
		}
	}
}

// async runs work off the loop and applies its result on the loop. With
// session set, a result that arrives after the resident left is dropped.
func (st *selfState) async(work func(context.Context) func(*selfState), session bool) {
	id := st.session
	go func() {
		apply := work(st.ctx)
		if apply == nil {
			return
		}
		select {
		case st.results <- func(st *selfState) {
			if session && id != st.session {
				return
			}
			apply(st)
		}:
		case <-st.ctx.Done():
		}
	}()
}

func (st *selfState) pollBar() {
	st.async(func(ctx context.Context) func(*selfState) {
		ctx, cancel := context.WithTimeout(ctx, st.Poll)
		defer cancel()
		var p PrinterState
		if st.Printer != nil {
			p = st.Printer.State(ctx)
		}
		l := st.Backend.Link(ctx)
		return func(st *selfState) {
			if st.view.Bar.Printer != p || st.view.Bar.Link != l {
				st.view.Bar.Printer, st.view.Bar.Link = p, l
				st.publish()
			}
		}
	}, false)
}

func (st *selfState) publish() {
	st.views.publish(st.view, st.OnView)
}

func (st *selfState) event(e idcard.Event) {
	switch e.Kind {
	case idcard.ReaderConnected:
		st.view.Bar.ReaderConnected = true
	case idcard.ReaderDisconnected:
		st.view.Bar.ReaderConnected = false
	case idcard.CardRemoved:
		st.view.CardOn = false
		st.armIdle()
	case idcard.CardPlaced:
		st.placed(e)
		return
	}
	st.publish()
}

// placed starts a new resident: whatever the screen showed before belongs
// to someone who has gone.
func (st *selfState) placed(e idcard.Event) {
	st.wipe()
	st.session++
	st.idle.Stop()
	st.view.CardOn = true
	st.card = e.Card
	if e.Err != nil || e.Card == nil {
		st.fail(CardProblem(e.Err))
		st.log.Info("Card refused", "problem", string(st.view.Problem))
		return
	}
	st.view.Step = StepChecking
	st.view.MaskedName = e.Card.Name.Masked()
	st.view.MaskedID = e.Card.Number.Masked()
	st.busy = true
	st.publish()
	r := ResidentOf(e.Card)
	st.async(func(ctx context.Context) func(*selfState) {
		t, err := st.Backend.PaperCode(ctx, r)
		if err != nil {
			return func(st *selfState) {
				st.busy = false
				st.log.Info("No paper code", "err", err)
				st.fail(ServiceProblem(err))
			}
		}
		img, perr := st.Printer.Preview(t)
		return func(st *selfState) {
			st.pollBar() // the link may have changed under the request
			st.print(t, img, perr)
		}
	}, true)
}

func (st *selfState) print(t Ticket, img image.Image, perr error) {
	if perr != nil {
		st.busy = false
		st.log.Error("Slip preview", "err", perr)
		st.fail(ProblemInternal)
		return
	}
	st.view.Step = StepPrinting
	st.view.Ticket = t
	st.view.Preview = img
	st.publish()
	st.async(func(ctx context.Context) func(*selfState) {
		if err := st.Printer.Print(ctx, t); err != nil {
			return func(st *selfState) {
				st.busy = false
				st.log.Warn("Slip not printed", "err", err)
				st.fail(PrintProblem(err))
				st.view.Bar.Printer = PrinterStateOfProblem(st.view.Problem, st.view.Bar.Printer)
				st.publish()
			}
		}
		rerr := st.Backend.Printed(ctx, t)
		return func(st *selfState) {
			st.busy = false
			if rerr != nil {
				st.log.Error("Print not recorded", "err", rerr)
			}
			st.view.Step = StepDone
			st.publish()
			st.armIdle()
			st.pollBar()
		}
	}, true)
}

// PrinterStateOfProblem updates the status bar from a failed print.
func PrinterStateOfProblem(p Problem, was PrinterState) PrinterState {
	switch p {
	case ProblemPaperOut:
		return PrinterPaperOut
	case ProblemCoverOpen:
		return PrinterCover
	case ProblemPrinterDown:
		return PrinterOffline
	case ProblemPrinterFault:
		return PrinterFault
	}
	return was
}

func (st *selfState) fail(p Problem) {
	st.view.Step = StepError
	st.view.Problem = p
	st.publish()
	st.armIdle()
}

func (st *selfState) touch() { st.armIdle() }

// armIdle (re)starts the idle timeout, but only when the resident has
// clearly finished: the card is off the reader and nothing is under way.
func (st *selfState) armIdle() {
	st.idle.Stop()
	if st.view.CardOn || st.busy || st.view.Step == StepStart && !st.view.HelpCalled {
		return
	}
	st.idle.Reset(st.IdleTimeout)
}

func (st *selfState) timeout() {
	if st.view.CardOn || st.busy {
		return
	}
	st.log.Info("Idle: back to the start screen")
	st.wipe()
	st.session++
	st.publish()
}

// wipe drops everything about the resident: the card's bytes are zeroed
// and the view keeps only the status bar.
func (st *selfState) wipe() {
	if st.card != nil {
		st.card.Wipe()
		st.card = nil
	}
	if f, ok := st.Backend.(Forgetter); ok && st.view.HasResident() {
		f.Forget()
	}
	st.view = SelfView{Step: StepStart, Bar: st.view.Bar, CardOn: st.view.CardOn}
}

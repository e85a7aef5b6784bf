package flow

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/healthcode"
)

// VenueStep is where the venue check (数字哨兵) is.
type VenueStep string

// The venue steps.
const (
	VenueReady    VenueStep = "ready"    // "请刷身份证或扫描纸质码"
	VenueChecking VenueStep = "checking" // asking the service
	VenueResult   VenueStep = "result"   // a colour, or "cannot verify"
	VenueRefused  VenueStep = "refused"  // a forged, revoked, replaced or expired code; a bad card
)

// CodeCheck is the venue answer for a card or a paper code. Status
// carries a colour only when it may be shown (Status.HasColour); a
// status claim read from a paper code offline counts as cached, with its
// AsOf.
type CodeCheck struct {
	Status     healthcode.Status
	MaskedName string
	// Explanation is the verifier's text for the staff, when there is one.
	Explanation string
}

// VenueBackend is what the venue check needs from the service.
type VenueBackend interface {
	// CardStatus is the live status by ID number; offline, the cached one
	// or unknown.
	CardStatus(ctx context.Context, r Resident) (CodeCheck, error)
	// CheckCode verifies a scanned paper code (codesvc/verify). Refused
	// codes return an error matching ErrTokenRefused, with the result
	// carrying the explanation.
	CheckCode(ctx context.Context, text string) (CodeCheck, error)
}

// VenueView is one picture of the venue screen.
type VenueView struct {
	Step VenueStep
	// Check.Status loses its colour when its answer runs out
	// (healthcode.Status.Until), and the card or code is checked again.
	Check   CodeCheck
	Problem Problem // VenueRefused by a card problem, or a service problem
	// Source is the card tapped or inserted; "" for a scanned code.
	Source CardSource
	Bar    Bar
}

// DefaultVenueHold is how long a result stays on screen once the card is
// off the reader (or after a scan).
const DefaultVenueHold = 8 * time.Second

// Venue is the venue check controller.
type Venue struct {
	Backend VenueBackend
	Hold    time.Duration // DefaultVenueHold if 0
	Poll    time.Duration // the link's poll; DefaultPoll if 0
	OnView  func(VenueView)
	Log     *slog.Logger

	once    sync.Once
	actions chan func(*venueState)
	views   viewBox[VenueView]
}

type venueState struct {
	*Venue
	ctx     context.Context
	view    VenueView
	session int
	cardOn  bool
	busy    bool
	hold    *time.Timer
	expiry  expiryTimer
	// again checks the card or code on screen once more, when its colour
	// runs out; it holds the card's number only while its result shows.
	again   func(context.Context) (CodeCheck, error)
	results chan func(*venueState)
	log     *slog.Logger
}

func (v *Venue) init() {
	v.once.Do(func() { v.actions = make(chan func(*venueState), 16) })
}

// View returns the latest view.
func (v *Venue) View() VenueView {
	return v.views.get()
}

// Scan checks the text a barcode scanner typed (the QR content).
func (v *Venue) Scan(text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	v.init()
	v.send(func(st *venueState) {
		st.begin()
		st.ask(func(ctx context.Context) (CodeCheck, error) { return st.Backend.CheckCode(ctx, text) })
	})
}

// send posts to the loop without blocking the caller (the UI goroutine).
func (v *Venue) send(f func(*venueState)) {
	select {
	case v.actions <- f:
	default:
	}
}

// Run consumes the reader's events until ctx ends or events is closed.
func (v *Venue) Run(ctx context.Context, events <-chan CardEvent) error {
	v.init()
	if v.Hold <= 0 {
		v.Hold = DefaultVenueHold
	}
	if v.Poll <= 0 {
		v.Poll = DefaultPoll
	}
	poll := time.NewTicker(v.Poll)
	defer poll.Stop()
	st := &venueState{Venue: v, ctx: ctx, results: make(chan func(*venueState), 8), log: v.Log}
	if st.log == nil {
		st.log = slog.New(slog.DiscardHandler)
	}
	st.view.Step = VenueReady
	st.hold = time.NewTimer(time.Hour)
	st.hold.Stop()
	defer st.hold.Stop()
	defer st.expiry.stop()
	st.publish()
	st.pollLink()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-poll.C:
			st.pollLink()
		case e, ok := <-events:
			if !ok {
				return nil
			}
			st.event(e)
		case f := <-v.actions:
			f(st)
		case f := <-st.results:
			f(st)
		case <-st.hold.C:
			if !st.cardOn && !st.busy {
				st.view = VenueView{Step: VenueReady, Bar: st.view.Bar}
				st.session++
				st.again = nil
				st.publish()
			}
		case <-st.expiry.C():
			st.expire()
		}
	}
}

// pollLink asks the backend for the link, when it can tell.
func (st *venueState) pollLink() {
	l, ok := st.Backend.(Linker)
	if !ok {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(st.ctx, st.Poll)
		link := l.Link(ctx)
		cancel()
		select {
		case st.results <- func(st *venueState) {
			if st.view.Bar.Link != link {
				st.view.Bar.Link = link
				st.publish()
			}
		}:
		case <-st.ctx.Done():
		}
	}()
}

func (st *venueState) publish() {
	st.expiry.arm(st.view.Check.Status, serviceNow(st.Backend))
	st.views.publish(st.view, st.OnView)
}

// ask runs a check off the loop and shows its answer; the same check
// runs again when the answer's colour runs out.
func (st *venueState) ask(check func(context.Context) (CodeCheck, error)) {
	st.again = check
	st.async(func(ctx context.Context) func(*venueState) {
		c, err := check(ctx)
		return func(st *venueState) { st.answer(c, err) }
	})
}

// expire takes a colour off the screen when its answer runs out: at once
// "unknown", then the card or code on screen is checked again (offline,
// the engine and the verifier have nothing they may show any more).
func (st *venueState) expire() {
	if !st.view.Check.Status.Expired(serviceNow(st.Backend)) {
		st.publish() // a newer colour: its own instant
		return
	}
	st.log.Info("The colour on screen expired: checking again")
	st.view.Check.Status = healthcode.Status{Source: healthcode.SourceUnknown}
	st.view.Check.Explanation = ""
	st.publish()
	if again := st.again; again != nil && st.view.Step == VenueResult {
		st.async(func(ctx context.Context) func(*venueState) {
			c, err := again(ctx)
			return func(st *venueState) {
				if err == nil && !c.Status.HasColour() {
					return // no colour to show: "unknown" stays
				}
				st.answer(c, err) // a new answer: held as long as a first one
			}
		})
	}
}

func (st *venueState) begin() {
	st.session++
	st.again = nil
	st.busy = true
	st.hold.Stop()
	st.view = VenueView{Step: VenueChecking, Bar: st.view.Bar}
	st.publish()
}

func (st *venueState) async(work func(context.Context) func(*venueState)) {
	id := st.session
	go func() {
		apply := work(st.ctx)
		select {
		case st.results <- func(st *venueState) {
			if id == st.session {
				apply(st)
			}
		}:
		case <-st.ctx.Done():
		}
	}()
}

func (st *venueState) answer(c CodeCheck, err error) {
	st.busy = false
	if c.Status.Expired(serviceNow(st.Backend)) {
		c.Status = healthcode.Status{Source: healthcode.SourceUnknown}
	}
	st.view.Check = c
	switch {
	case err == nil:
		st.view.Step = VenueResult
	case errors.Is(err, ErrTokenRefused):
		st.view.Step = VenueRefused
	default:
		st.view.Step = VenueRefused
		st.view.Problem = ServiceProblem(err)
		st.log.Warn("Venue check failed", "err", err)
	}
	st.publish()
	st.armHold()
}

func (st *venueState) armHold() {
	st.hold.Stop()
	if !st.cardOn && !st.busy {
		st.hold.Reset(st.Hold)
	}
}

func (st *venueState) event(e CardEvent) {
	if st.view.Bar.readerEvent(e) {
		st.publish()
		return
	}
	switch e.Kind {
	case idcard.CardRemoved:
		st.cardOn = false
		st.armHold()
	case idcard.CardPlaced:
		st.cardOn = true
		st.begin()
		st.view.Source = e.Source
		r, ok := e.Resident()
		e.Wipe() // the number stays only while its result shows (again)
		if !ok {
			st.busy = false
			st.view.Step = VenueRefused
			st.view.Problem = e.Problem()
			st.publish()
			return
		}
		st.ask(func(ctx context.Context) (CodeCheck, error) { return st.Backend.CardStatus(ctx, r) })
	}
}

package flow

import (
	"context"
	"errors"
	"image"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/pii"
)

// Enrolment is what a worker submits at the counter.
type Enrolment struct {
	Resident Resident
	Phone    string // the resident's or the family member's
	Consent  bool
	// ConsentBy is "self" or "family".
	ConsentBy string
	// Family is the family member collecting on the resident's behalf,
	// from their own card; zero when the resident came alone.
	Family Resident
	// Manual marks a number typed by the worker (an audited fallback).
	Manual bool
	// Guardian: the resident is a minor whose number was typed from the
	// household register, and Family is her guardian, whose card was read.
	Guardian bool
}

// Dashboard is the counter's overview.
type Dashboard struct {
	TodayActions int // audit rows today at this kiosk
	Pending      int
	Quarantined  []string // "receipt: reason"
	LastSync     time.Time
	Online       bool
	Calls        []Call   // residents whose colour changed since their paper was printed here
	HelpCalls    []string // help calls from the self-service screen
	// Ready lists residents enrolled here whose code the service has
	// issued but who have not taken a paper code yet (an enrolment queued
	// offline, or not confirmed in time): call them in.
	Ready []Ready
	// Unchecked lists the slips printed offline that say a resident's
	// status could not be checked, until she has a live answer or a code
	// here: check her status for her.
	Unchecked []Unchecked
	// Watch lists the residents whose status should have changed by the
	// rules' schedule and did not, or was wrong for a while, as the
	// service sees them (online only): check them for a 纠错.
	Watch []Watch
}

// Watch is one resident on the watch list.
type Watch struct {
	MaskedName, MaskedID string
	Reason               string // api.Watch*, put into words by the screen
	Since                time.Time
	Colour               healthcode.Colour // now
}

// Unchecked is one slip printed without a status check.
type Unchecked struct {
	MaskedName string
	Serial     string
	At         time.Time
}

// Ready is one resident whose code is ready to print.
type Ready struct {
	Receipt    string
	MaskedName string
	Since      time.Time // when the service accepted her enrolment
}

// Call is one resident on the call list: the colour on their paper and
// the colour now. The screen puts the colours into words in its language.
type Call struct {
	MaskedName, MaskedID string
	Printed, Current     healthcode.Colour
}

// CounterBackend is what the counter needs. Every call carries the
// worker, who goes into the audit.
type CounterBackend interface {
	Login(ctx context.Context, workerID, password string) (displayName string, err error)
	// Enrol queues the enrolment (sealed, in the outbox) and, when the
	// service confirms it in time, returns a fresh code to print; else a
	// pending receipt.
	Enrol(ctx context.Context, workerID string, e Enrolment) (Ticket, error)
	// Reissue reports the resident's paper codes lost and issues a new
	// one: the old ones stop verifying.
	Reissue(ctx context.Context, workerID string, r Resident) (Ticket, error)
	// Correction files a 纠错 request; it returns the receipt number.
	Correction(ctx context.Context, workerID string, r Resident, reason string) (string, error)
	// Printed records that a code from Enrol or Reissue was printed.
	Printed(ctx context.Context, t Ticket) error
	// ManualEntry audits a typed ID number.
	ManualEntry(ctx context.Context, workerID string) error
	Dashboard(ctx context.Context) (Dashboard, error)
	// Status is as Backend.Status: asked again when the colour of a
	// code on screen runs out.
	Status(ctx context.Context, r Resident) (healthcode.Status, error)
	// Record is the resident's colour now, her paper codes and what this
	// kiosk holds for her, read when she is at the counter.
	Record(ctx context.Context, workerID string, r Resident) (Record, error)
	// ReportLost reports every active paper code of hers lost, with no
	// new one, and returns how many stopped verifying.
	ReportLost(ctx context.Context, workerID string, r Resident) (int, error)
	// ResidentAccess is who looked her up in the last 30 days (谁查询过我),
	// asked by the worker serving her.
	ResidentAccess(ctx context.Context, workerID string, r Resident) (AccessList, error)
	// WithdrawHealth withdraws her consent to share with the health
	// cloud.
	WithdrawHealth(ctx context.Context, workerID string, r Resident) error
}

// CounterStep is the counter screen's state.
type CounterStep string

// The counter steps.
const (
	CounterLogin    CounterStep = "login"
	CounterReady    CounterStep = "ready"    // logged in, no resident yet
	CounterResident CounterStep = "resident" // a resident's card was read (or number typed)
	CounterBusy     CounterStep = "busy"
	CounterDone     CounterStep = "done" // a slip printed or a receipt given
)

// CounterView is one picture of the counter screen.
type CounterView struct {
	Step       CounterStep
	Worker     string // display name
	MaskedName string
	MaskedID   string
	FamilyName string // masked
	WaitFamily bool   // the next card is the family member's
	// Ticket.Status is also the colour on screen: it loses its colour
	// (and the preview with it) when its answer runs out, and the
	// service is asked again for the resident.
	Ticket       Ticket
	Preview      image.Image
	Message      string // the outcome, for the worker
	Problem      Problem
	LoginFailed  bool
	Dashboard    Dashboard
	ManualFailed string // why a typed number was refused
	// Minor: the resident is a child under healthcode.MinorAge, enrolled
	// through the guardian shown as FamilyName.
	Minor bool
	// Source is the card the resident's details were read from; "" for
	// a typed number.
	Source CardSource
	// PrintAgain: Ticket's slip did not come out for a printer fault
	// (paper, cover, the printer away); PrintAgain prints the same one
	// once the printer is back, and records it once.
	PrintAgain bool
	// Record is the resident's colour, paper codes and pending items,
	// read when she came (RecordLoading until it arrives) and again after
	// each action.
	Record        Record
	RecordLoading bool
	// Access is who looked her up (ShowAccess), once AccessShown.
	Access        AccessList
	AccessShown   bool
	AccessLoading bool
	// Revoked is how many codes the last report of loss stopped.
	Revoked int
	// Serving is the dashboard item the worker chose to serve, if any.
	Serving *Serving
}

// The outcomes an action without a slip leaves in CounterView.Message.
const (
	MessageLost      = "lost"      // her codes were reported lost (Revoked of them)
	MessageWithdrawn = "withdrawn" // her health-cloud consent was withdrawn
)

// Why a typed number for a minor is refused (CounterView.ManualFailed),
// besides the pii.IDError reasons.
const (
	MinorNoGuardian = "no_guardian" // read the guardian's card first
	MinorNotMinor   = "not_minor"   // the number is of someone 16 or older
)

// Errors of the counter.
var (
	// ErrConsentMissing: no enrolment without recorded consent.
	ErrConsentMissing = errors.New("consent not recorded")
	// ErrNoResident: no resident card read or number entered.
	ErrNoResident = errors.New("no resident")
	// ErrLoginAgain: the service no longer takes the worker's session
	// (expired, or she logged in offline and it cannot be had): the
	// counter logs her out and she logs in again.
	ErrLoginAgain = errors.New("worker must log in again")
)

// DefaultCounterIdle is how long a logged-in worker may leave the counter
// untouched before it logs her out (finding 11): long enough for a
// resident to find a document, short enough that a worker who walks
// away does not leave her session to the next person at the desk.
const DefaultCounterIdle = 5 * time.Minute

// WorkerLogout is implemented by a CounterBackend that holds something
// for the logged-in worker (a session at the service): the counter calls
// it whenever the worker is logged out.
type WorkerLogout interface {
	LogoutWorker()
}

// Counter is the community worker's counter controller. Its methods
// return at once; results arrive through OnView.
type Counter struct {
	Backend CounterBackend
	Printer Printer
	OnView  func(CounterView)
	Now     func() time.Time
	Log     *slog.Logger
	// IdleLogout logs the worker out after this long without a touch of
	// the counter (CheckIdle); 0 means DefaultCounterIdle, negative never.
	IdleLogout time.Duration

	mu         sync.Mutex
	work       sync.WaitGroup // the goroutines of its calls, for Wait
	view       CounterView
	workerID   string
	lastActive time.Time // the worker's last action, by Now
	resident   Resident
	family     Resident
	card       []CardEvent
	manual     bool
	minor      bool
	ctx        context.Context // of the last operation, for asking again
	loginCtx   context.Context // of the worker's login, for what a card read starts
	recordSeq  int             // the resident's record asked last, to drop older answers
	// unprinted is the slip that failed for a printer fault, as it was
	// issued (the screen's Ticket may have lost its colour since).
	unprinted *Ticket
	expiry    *time.Timer // the colour on screen runs out
}

func (c *Counter) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Counter) log() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.New(slog.DiscardHandler)
}

// View returns the latest view.
func (c *Counter) View() CounterView {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.view.Step == "" {
		c.view.Step = CounterLogin
	}
	return c.view
}

// publish must be called with mu held.
func (c *Counter) publish() {
	if c.view.Step == "" {
		c.view.Step = CounterLogin
	}
	if c.expiry != nil {
		c.expiry.Stop()
	}
	if u := c.view.Ticket.Status.Until(); !u.IsZero() {
		c.expiry = time.AfterFunc(max(u.Sub(serviceNow(c.Backend)), 0), c.expire)
	}
	if c.OnView != nil {
		c.OnView(c.view)
	}
}

// Wait returns when every call under way has finished: after the
// context they were given ends, their network calls stop, and a slip
// being printed finishes first (Finishing).
func (c *Counter) Wait() { c.work.Wait() }

// Login checks the worker offline against the cached credentials.
func (c *Counter) Login(ctx context.Context, workerID, password string) {
	c.work.Go(func() {
		name, err := c.Backend.Login(ctx, workerID, password)
		c.mu.Lock()
		defer c.mu.Unlock()
		if err != nil {
			c.log().Info("Login refused", "err", err)
			c.view = CounterView{Step: CounterLogin, LoginFailed: true}
		} else {
			c.workerID, c.lastActive, c.loginCtx = workerID, c.now(), ctx
			c.view = CounterView{Step: CounterReady, Worker: name}
		}
		c.publish()
		if err == nil {
			c.refreshLocked(ctx)
		}
	})
}

// Logout clears the worker and any resident, and drops what the
// backend holds for the worker (WorkerLogout).
func (c *Counter) Logout() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.logoutLocked()
}

func (c *Counter) logoutLocked() {
	c.clearLocked()
	c.workerID = ""
	if l, ok := c.Backend.(WorkerLogout); ok {
		l.LogoutWorker()
	}
	c.view = CounterView{Step: CounterLogin}
	c.publish()
}

// touch notes the worker's action now; with mu held.
func (c *Counter) touch() { c.lastActive = c.now() }

// CheckIdle logs the worker out when she has left the counter untouched
// for IdleLogout, and reports whether it did. The screen calls it every
// few seconds; a test calls it after moving its clock.
func (c *Counter) CheckIdle() bool {
	idle := c.IdleLogout
	if idle == 0 {
		idle = DefaultCounterIdle
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if idle < 0 || c.workerID == "" || c.now().Sub(c.lastActive) < idle {
		return false
	}
	c.log().Info("Counter idle: worker logged out")
	c.logoutLocked()
	return true
}

// Clear drops the resident (and family member) from memory.
func (c *Counter) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clearLocked()
	if c.workerID != "" {
		c.view = CounterView{Step: CounterReady, Worker: c.view.Worker, Dashboard: c.view.Dashboard}
	}
	c.recordSeq++ // an answer for her still on its way is dropped
	c.publish()
}

func (c *Counter) clearLocked() {
	for _, k := range c.card {
		k.Wipe()
	}
	c.card, c.resident, c.family, c.manual, c.minor, c.unprinted = nil, Resident{}, Resident{}, false, false, nil
}

// ExpectFamily makes the next card read the family member's.
func (c *Counter) ExpectFamily(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.touch()
	c.view.WaitFamily = on
	c.publish()
}

// Card takes a reader event: an ID card or a social-security card read
// makes its holder the resident (or the family member).
func (c *Counter) Card(e CardEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.Kind != idcard.CardPlaced || c.workerID == "" {
		return
	}
	c.touch()
	r, ok := e.Resident()
	if !ok {
		e.Wipe()
		c.view.Problem = e.Problem()
		c.publish()
		return
	}
	c.card = append(c.card, e)
	c.view.Problem = ""
	if c.view.WaitFamily {
		c.family = r
		c.view.FamilyName = r.Name.Masked()
		c.view.WaitFamily = false
	} else {
		c.resident, c.manual, c.minor = r, false, false
		c.view.Minor = false
		c.view.MaskedName, c.view.MaskedID = r.Name.Masked(), r.Number.Masked()
		c.view.Source = r.Source
		c.view.Step = CounterResident
		c.newResidentLocked()
	}
	c.publish()
}

// newResidentLocked forgets what was shown of the resident before and
// asks for the new one's record; with mu held.
func (c *Counter) newResidentLocked() {
	c.view.Ticket, c.view.Preview, c.view.Message, c.view.PrintAgain, c.unprinted = Ticket{}, nil, "", false, nil
	c.view.Record, c.view.Access, c.view.AccessShown, c.view.AccessLoading, c.view.Revoked = Record{}, AccessList{}, false, false, 0
	c.loadRecordLocked(nil)
}

// ManualID takes a typed ID number (and name): the audited fallback for
// a card that cannot be read. The number is validated with
// pii.ParseIDNumber.
func (c *Counter) ManualID(ctx context.Context, number, name string) {
	c.typed(ctx, number, name, false)
}

// Minor takes a child's ID number and name typed from the household
// register (户口簿): the guardian's card must have been read (as the
// family member), and the number must be valid and of someone under
// healthcode.MinorAge. The child becomes the resident; an enrolment then
// goes in with the guardian recorded as her proxy.
func (c *Counter) Minor(ctx context.Context, number, name string) {
	c.typed(ctx, number, name, true)
}

// typed takes a number and name the worker typed (for a minor, from the
// household register), validates them and makes them the resident, and
// audits the typing.
func (c *Counter) typed(ctx context.Context, number, name string, minor bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.workerID == "" {
		return
	}
	c.touch()
	refuse := func(why string) {
		c.view.ManualFailed = why
		c.publish()
	}
	if minor && c.family.Number == "" {
		refuse(MinorNoGuardian)
		return
	}
	now := c.now()
	id, err := pii.ParseIDNumber(strings.ToUpper(strings.TrimSpace(number)), now)
	if err != nil {
		var ie *pii.IDError
		if errors.As(err, &ie) {
			refuse(string(ie.Reason))
		} else {
			refuse("invalid")
		}
		return
	}
	if age, ok := id.AgeAt(now); minor && (!ok || age >= healthcode.MinorAge) {
		refuse(MinorNotMinor)
		return
	}
	c.resident, c.manual, c.minor = Resident{Name: pii.Name(strings.TrimSpace(name)), Number: id}, true, minor
	c.view.ManualFailed, c.view.Minor = "", minor
	c.view.MaskedName, c.view.MaskedID, c.view.Source = c.resident.Name.Masked(), id.Masked(), ""
	c.view.Step = CounterResident
	c.newResidentLocked()
	c.publish()
	worker := c.workerID
	c.work.Go(func() {
		if err := c.Backend.ManualEntry(ctx, worker); err != nil {
			c.log().Error("Manual entry not audited", "err", err)
		}
	})
}

// Enrol submits an enrolment for the resident and prints what comes back.
func (c *Counter) Enrol(ctx context.Context, phone string, consent bool) {
	c.run(ctx, func(ctx context.Context, s serving) (Ticket, string, error) {
		if !consent {
			return Ticket{}, "", ErrConsentMissing
		}
		by := "self"
		if s.family.Number != "" {
			by = "family"
		}
		t, err := c.Backend.Enrol(ctx, s.worker, Enrolment{Resident: s.resident, Phone: phone, Consent: true, ConsentBy: by,
			Family: s.family, Manual: s.manual, Guardian: s.minor})
		return t, "", err
	})
}

// Reissue replaces a lost paper code and prints the new one: her old
// papers stop verifying. The screen asks the worker to confirm first.
func (c *Counter) Reissue(ctx context.Context) {
	c.run(ctx, func(ctx context.Context, s serving) (Ticket, string, error) {
		t, err := c.Backend.Reissue(ctx, s.worker, s.resident)
		return t, "", err
	})
}

// Correction files a 纠错 request for the resident's colour.
func (c *Counter) Correction(ctx context.Context, reason string) {
	c.run(ctx, func(ctx context.Context, s serving) (Ticket, string, error) {
		receipt, err := c.Backend.Correction(ctx, s.worker, s.resident, reason)
		return Ticket{Kind: TicketPending, Receipt: receipt}, "", err
	})
}

// serving is who a counter operation is for, taken under the lock when
// the worker starts it.
type serving struct {
	worker        string
	resident      Resident
	family        Resident
	manual, minor bool
}

// run does one resident operation off the caller's goroutine, prints its
// ticket when it has a code, and refreshes the dashboard and her record.
// The operation's message is the outcome's when it prints nothing (a
// receipt when it has none).
func (c *Counter) run(ctx context.Context, op func(context.Context, serving) (Ticket, string, error)) {
	c.mu.Lock()
	if c.resident.Number == "" {
		c.view.Problem = ProblemNone
		c.view.Message = ErrNoResident.Error()
		c.publish()
		c.mu.Unlock()
		return
	}
	c.touch()
	who := serving{worker: c.workerID, resident: c.resident, family: c.family, manual: c.manual, minor: c.minor}
	c.ctx = ctx
	c.view.Step, c.view.Message, c.view.Problem, c.view.PrintAgain, c.unprinted = CounterBusy, "", "", false, nil
	c.publish()
	c.mu.Unlock()
	c.work.Go(func() {
		t, msg, err := op(ctx, who)
		var img image.Image
		var perr error
		printed := false
		if err == nil && t.QR != "" && c.Printer != nil {
			pctx, cancel := Finishing(ctx)
			if img, perr = c.Printer.Preview(t); perr == nil {
				perr = c.Printer.Print(pctx, t)
				printed = perr == nil
			}
			if printed {
				if rerr := c.Backend.Printed(pctx, t); rerr != nil {
					c.log().Error("Print not recorded", "err", rerr)
				}
			} else {
				c.log().Warn("Slip not printed", "err", perr)
			}
			cancel()
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		c.view.Step = CounterDone
		c.view.Ticket, c.view.Preview = t, img
		switch {
		case errors.Is(err, ErrLoginAgain) && c.workerID == who.worker:
			c.log().Info("Worker session refused: log in again")
			c.logoutLocked()
			return
		case errors.Is(err, ErrConsentMissing):
			c.view.Step, c.view.Message = CounterResident, "consent"
		case err != nil:
			c.view.Step, c.view.Problem = CounterResident, ServiceProblem(err)
			c.log().Warn("Counter operation failed", "err", err)
		case perr != nil:
			c.view.Problem = PrintProblem(perr)
			if c.view.PrintAgain = retriable(c.view.Problem); c.view.PrintAgain {
				c.unprinted = &t
			}
		case printed:
			c.view.Message = "printed"
		case msg != "":
			c.view.Message = msg
		default:
			c.view.Message = "receipt"
		}
		c.publish()
		c.refreshLocked(ctx)
		if c.resident.Number == who.resident.Number {
			c.loadRecordLocked(ctx)
		}
	})
}

// PrintAgain prints the slip that failed for a printer fault, now that
// the printer is back: the same code, recorded once when it comes out.
// A slip whose colour ran out meanwhile is not printed; the worker
// re-issues instead.
func (c *Counter) PrintAgain(ctx context.Context) {
	c.mu.Lock()
	if !c.view.PrintAgain || c.unprinted == nil || c.Printer == nil || c.view.Step != CounterDone {
		c.mu.Unlock()
		return
	}
	t := *c.unprinted
	c.unprinted = nil
	if t.Status.Expired(serviceNow(c.Backend)) {
		c.view.PrintAgain, c.view.Message = false, "expired"
		c.publish()
		c.mu.Unlock()
		return
	}
	c.view.Step, c.view.Message, c.view.Problem, c.view.PrintAgain = CounterBusy, "", "", false
	c.publish()
	c.mu.Unlock()
	c.work.Go(func() {
		pctx, cancel := Finishing(ctx)
		defer cancel()
		img, err := c.Printer.Preview(t)
		if err == nil {
			err = c.Printer.Print(pctx, t)
		}
		if err == nil {
			if rerr := c.Backend.Printed(pctx, t); rerr != nil {
				c.log().Error("Print not recorded", "err", rerr)
			}
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		c.view.Step, c.view.Preview = CounterDone, img
		if err != nil {
			c.log().Warn("Slip not printed again", "err", err)
			c.view.Problem = PrintProblem(err)
			if c.view.PrintAgain = retriable(c.view.Problem); c.view.PrintAgain {
				c.unprinted = &t
			}
		} else {
			c.view.Message = "printed"
		}
		c.publish()
	})
}

// expire takes a colour off the screen when its answer runs out: at once
// no colour and no preview, then the service is asked again for the
// resident still on screen (offline, the engine has nothing it may show).
func (c *Counter) expire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.view.Ticket.Status.Expired(serviceNow(c.Backend)) {
		return // a newer view has its own timer
	}
	c.log().Info("The colour on screen expired: asking again")
	c.view.Ticket.Status = healthcode.Status{Source: healthcode.SourceUnknown}
	c.view.Preview = nil
	c.publish()
	r, ctx := c.resident, c.ctx
	if r.Number == "" || ctx == nil {
		return
	}
	go func() {
		s, err := c.Backend.Status(ctx, r)
		c.mu.Lock()
		defer c.mu.Unlock()
		switch {
		case err != nil:
			c.log().Info("Status not asked again", "err", err)
		case c.resident.Number != r.Number || c.view.Ticket.Status.HasColour() || !s.HasColour():
			// another resident, something newer, or nothing to show
		case !s.Expired(serviceNow(c.Backend)):
			c.view.Ticket.Status = s
			c.publish()
		}
	}()
}

// Refresh reloads the dashboard.
func (c *Counter) Refresh(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refreshLocked(ctx)
}

func (c *Counter) refreshLocked(ctx context.Context) {
	c.work.Go(func() {
		d, err := c.Backend.Dashboard(ctx)
		if err != nil {
			c.log().Warn("Dashboard", "err", err)
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		c.view.Dashboard = d
		c.publish()
	})
}

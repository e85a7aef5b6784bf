package flow

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/healthcode"
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
	// StepConsent: the service does not know the resident (or, offline,
	// this kiosk does not): what enrolling records, why and for how long,
	// with 同意并领取 and 不同意.
	StepConsent Step = "consent"
	// StepPhone: an optional contact phone on the keypad, or 跳过.
	StepPhone Step = "phone"
	// StepEnrolling: the enrolment is on its way to the service.
	StepEnrolling Step = "enrolling"
	// StepPrinting: the colour and the slip preview are shown while the
	// slip prints.
	StepPrinting Step = "printing"
	// StepDone: "请取走您的纸质码和身份证".
	StepDone Step = "done"
	// StepDeclined: the resident did not agree; nothing about her was
	// kept, and the screen says so.
	StepDeclined Step = "declined"
	// StepError: a Problem, with what to do next.
	StepError Step = "error"
)

// Notice is a short message on the start screen about what just happened
// to the resident who left.
type Notice string

// The notices.
const (
	NoticeNone Notice = ""
	// NoticeCancelled: the card was lifted during enrolment; nothing
	// about the resident was kept.
	NoticeCancelled Notice = "cancelled"
)

// Bar is the status bar: the devices and the link to the service.
type Bar struct {
	ReaderConnected bool // the ID card reader
	// Contact is the contact reader of social-security cards.
	Contact ContactState
	Printer PrinterState
	Link    Link
}

// SelfView is one immutable picture of the self-service screen. The
// resident fields are masked; they are empty on the start screen.
type SelfView struct {
	Step       Step
	MaskedName string
	MaskedID   string
	Ticket     Ticket // from StepPrinting on
	// Ticket.Status is also the colour on screen: the slip's until its
	// answer runs out (healthcode.Status.Until), then no colour while the
	// service is asked again, then its new answer if it has one.
	Preview    image.Image // the slip exactly as printed; dropped with an expired colour
	Problem    Problem
	CardOn     bool // a card is on the reader
	HelpCalled bool // "工作人员马上就来" is showing
	// Offline (StepConsent): the kiosk cannot ask the service, so it
	// cannot tell whether the resident is already enrolled.
	Offline bool
	// Phone is what was typed on the keypad (StepPhone); it leaves with
	// the resident like everything else here.
	Phone string
	// PhoneRefused: the number typed is not a mainland mobile number.
	PhoneRefused bool
	// Enrolled: the resident was enrolled in this visit; the slip after
	// it is her first code or the receipt of her queued enrolment.
	Enrolled bool
	// Source is the card on the reader: the screens name the
	// social-security card where it is the one to take back.
	Source CardSource
	Notice Notice
	Bar    Bar
	// CanAsk: her own card is on the reader after her paper code, and the
	// kiosk answers her own questions (PrivacyBackend): 谁查询过我 and
	// 我的健康服务 are offered.
	CanAsk bool
	// CanCredential: her own card is on the reader, her new paper code
	// is out, and the kiosk issues medical-visit credentials
	// (CredentialBackend): 打印就医凭证 is offered.
	CanCredential bool
	// Access (StepAccess) and Health (StepHealth) are her answers; Sheet
	// and SheetProblem what became of 打印 on their screens.
	Access       AccessView
	Health       *HealthServices
	Sheet        SheetState
	SheetProblem Problem
}

// HasResident reports whether the view holds anything about a resident.
func (v SelfView) HasResident() bool {
	return v.MaskedName != "" || v.MaskedID != "" || v.Ticket != (Ticket{}) || v.Preview != nil || v.Phone != "" ||
		v.Access.Total > 0 || v.Health != nil
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
	// OnSay receives what the kiosk says aloud, on the flow's goroutine,
	// when a screen appears or the resident asks: start it playing and
	// return (a speaker that blocks stalls the flow). Nil is silence.
	OnSay func(Prompt)
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
	ctx      context.Context
	work     sync.WaitGroup // the goroutines of async, which Run waits for
	view     SelfView
	card     CardEvent // the card on the reader, wiped on reset
	resident Resident  // from the card, while she is being enrolled
	session  int       // counts residents; stale results are dropped
	busy     bool      // a status request, an enrolment or a print is under way
	idle     *time.Timer
	expiry   expiryTimer // the colour on screen runs out
	results  chan func(*selfState)
	log      *slog.Logger
	// unprinted is a slip that failed to print for a printer fault; it
	// is printed when the printer is ready again, if the resident is
	// still there.
	unprinted *Ticket
	said      Prompt     // the last prompt, for Repeat
	saidFor   string     // the screen it was said for
	refusals  int        // phone numbers refused for this resident
	access    AccessList // her answer to 谁查询过我, while on screen
	// readerDown: the ID card reader's last event said it is gone (not
	// merely "not yet connected" at start-up).
	readerDown bool
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

// Agree is 同意并领取 on the consent screen: on to the phone keypad. A
// second touch, or a touch on any other screen, does nothing.
func (s *SelfService) Agree() {
	s.on(StepConsent, func(st *selfState) {
		if st.resident.Number == "" {
			return
		}
		st.view.Step = StepPhone
		st.publish()
	})
}

// Decline is 不同意: nothing is enrolled and nothing about the resident
// stays, on screen or in memory.
func (s *SelfService) Decline() {
	s.on(StepConsent, func(st *selfState) {
		st.log.Info("Enrolment declined")
		st.wipe()
		st.view.Step = StepDeclined
		st.publish()
		st.armIdle()
	})
}

// Key types one digit on the phone keypad; an eleventh digit is ignored.
func (s *SelfService) Key(d byte) {
	s.editPhone(func(p string) string {
		if d < '0' || d > '9' || len(p) >= 11 {
			return p
		}
		return p + string(d)
	})
}

// Delete removes the last digit typed.
func (s *SelfService) Delete() {
	s.editPhone(func(p string) string {
		if p == "" {
			return p
		}
		return p[:len(p)-1]
	})
}

// editPhone changes the digits typed on the phone keypad as edit says;
// a change clears the word that the number was refused.
func (s *SelfService) editPhone(edit func(string) string) {
	s.on(StepPhone, func(st *selfState) {
		p := edit(st.view.Phone)
		if p == st.view.Phone {
			return
		}
		st.view.Phone = p
		st.view.PhoneRefused = false
		st.publish()
	})
}

// ConfirmPhone enrols with the number typed if it is a mainland mobile
// number; otherwise the screen says so and keeps the digits to correct.
func (s *SelfService) ConfirmPhone() {
	s.on(StepPhone, func(st *selfState) {
		if !ValidMobile(st.view.Phone) {
			st.refusals++
			st.view.PhoneRefused = true
			st.publish()
			return
		}
		st.enrol(st.view.Phone)
	})
}

// SkipPhone is 跳过: enrol without a phone number.
func (s *SelfService) SkipPhone() {
	s.on(StepPhone, func(st *selfState) { st.enrol("") })
}

// ReadAloud is 读给我听: the colour on screen said aloud, only because
// the resident asked (a status is never spoken by itself).
func (s *SelfService) ReadAloud() {
	s.do(func(st *selfState) {
		st.touch()
		if st.view.Step != StepPrinting && st.view.Step != StepDone || st.view.Ticket == (Ticket{}) ||
			st.view.Ticket.Kind == TicketCredential {
			return
		}
		st.say(StatusPrompt(st.view.Ticket.Status))
	})
}

// Repeat is 再听一遍: the last thing said, again.
func (s *SelfService) Repeat() {
	s.do(func(st *selfState) {
		st.touch()
		if st.said != PromptNone {
			st.say(st.said)
		}
	})
}

func (s *SelfService) do(f func(*selfState)) {
	s.init()
	select {
	case s.actions <- f:
	default: // a burst of touches: dropping one changes nothing
	}
}

// on is a touch meant for the screen of step: like any touch it keeps
// her session from timing out, and f runs only if that screen is the one
// showing.
func (s *SelfService) on(step Step, f func(*selfState)) {
	s.do(func(st *selfState) {
		st.touch()
		if st.view.Step == step {
			f(st)
		}
	})
}

// Run consumes the reader's events until ctx ends or events is closed.
func (s *SelfService) Run(ctx context.Context, events <-chan CardEvent) error {
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
	defer st.expiry.stop()
	defer func() {
		// On the way out (kiosk exit, shutdown) the resident goes too:
		// the card, and the last view that View still hands out.
		st.wipe()
		st.views.publish(st.view, nil)
	}()
	poll := time.NewTicker(s.Poll)
	defer poll.Stop()
	// Run returns only when the work it started has: a slip being
	// printed at shutdown finishes (or is recorded as not printed)
	// before the program closes its store.
	defer st.work.Wait()
	st.pollBar()
	st.publish()

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
		case <-st.expiry.C():
			st.expire()
		case <-poll.C:
			st.pollBar()
		}
	}
}

// async runs work off the loop and applies its result on the loop. With
// session set, a result that arrives after the resident left is dropped.
func (st *selfState) async(work func(context.Context) func(*selfState), session bool) {
	id := st.session
	st.work.Go(func() {
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
	})
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
			st.retryPrint()
		}
	}, false)
}

// publish hands the view out and says the screen's prompt when the
// screen is a new one.
func (st *selfState) publish() {
	st.expiry.arm(st.view.Ticket.Status, st.now())
	st.view.CanAsk = st.own() && (st.view.Step == StepDone || privateStep(st.view.Step))
	st.view.CanCredential = st.credentialOffered()
	st.views.publish(st.view, st.OnView)
	if key, p := promptFor(st.view, st.refusals); key != st.saidFor {
		st.saidFor = key
		if p != PromptNone {
			st.say(p)
		}
	}
}

func (st *selfState) say(p Prompt) {
	st.said = p
	if st.OnSay != nil {
		st.OnSay(p)
	}
}

// promptFor is what a screen says when it appears, and a key naming the
// screen, so that a view that changes only in its details (a digit typed,
// the status bar) is not said again; each refused phone number is a new
// screen. The colour is never among them.
func promptFor(v SelfView, refusals int) (string, Prompt) {
	key := string(v.Step)
	switch {
	case v.HelpCalled:
		return "help", PromptHelpCalled
	case v.Step == StepStart && v.Notice == NoticeCancelled:
		return key + "/cancelled", PromptCancelled
	case v.Step == StepStart && v.Bar.Contact == ContactReady:
		return key + "/either", PromptPlaceEither
	case v.Step == StepStart:
		return key, PromptPlaceCard
	case v.Step == StepChecking, v.Step == StepEnrolling:
		return key, PromptChecking
	case v.Step == StepConsent:
		return key, PromptConsent
	case v.Step == StepPhone && refusals > 0:
		return fmt.Sprintf("%s/refused-%d", key, refusals), PromptPhoneInvalid
	case v.Step == StepPhone:
		return key, PromptPhone
	case v.Ticket.Kind == TicketCredential && (v.Step == StepPrinting || v.Step == StepDone):
		return credentialPrompt(v)
	case v.Step == StepPrinting && v.Enrolled:
		return key, PromptReadyToPrint
	case v.Step == StepPrinting:
		return key, PromptPrinting
	case v.Step == StepDone && v.Enrolled && v.Ticket.Kind == TicketPending:
		return key, PromptEnrolledOffline
	case v.Step == StepDone && v.Source == SourceSSC:
		return key, PromptTakeSlipSSC
	case v.Step == StepDone:
		return key, PromptTakeSlip
	case v.Step == StepDeclined:
		return key, PromptDeclined
	case v.Step == StepError:
		return key + "/" + string(v.Problem), ProblemPrompt(v.Problem)
	case privateStep(v.Step):
		return questionPrompt(v)
	}
	return key, PromptNone
}

// questionPrompt is what the screens of her own questions say: the
// screen when it appears, then what became of 打印. Turning a page says
// nothing again.
func questionPrompt(v SelfView) (string, Prompt) {
	key := string(v.Step)
	switch {
	case v.Sheet == SheetPrinted:
		return key + "/printed", PromptSheetPrinted
	case v.Sheet == SheetFailed:
		return key + "/failed/" + string(v.SheetProblem), ProblemPrompt(v.SheetProblem)
	case v.Step == StepLooking:
		return key, PromptChecking
	case v.Step == StepAccess && v.Access.Total == 0:
		return key + "/none", PromptAccessNone
	case v.Step == StepAccess:
		return key, PromptAccessRecords
	case v.Step == StepHealthConsent:
		return key, PromptHealthConsent
	case v.Step == StepHealth:
		return key, PromptHealthServices
	}
	return key, PromptNoHealthRecord
}

func (st *selfState) event(e CardEvent) {
	if st.view.Bar.readerEvent(e) {
		if e.Source != SourceSSC {
			st.readerDown = e.Kind == idcard.ReaderDisconnected
		}
		st.showReader()
		st.publish()
		return
	}
	switch e.Kind {
	case idcard.CardRemoved:
		if st.view.Source != "" && e.Source != st.view.Source {
			return // the other reader's card: the resident's is still in
		}
		st.view.CardOn = false
		if st.view.Step == StepConsent || st.view.Step == StepPhone {
			st.abandon()
			return
		}
		if privateStep(st.view.Step) {
			st.backToCode() // her answers leave with her card
			return
		}
		st.armIdle()
	case idcard.CardPlaced:
		st.placed(e)
		return
	}
	st.publish()
}

// showReader puts a lost reader on an otherwise idle start screen, and
// takes it off when the reader is back: a resident at a reader that
// vanished (even half-way through reading her card) is told so and sent
// to staff, not left waiting for a read that cannot come. While the
// social-security card's reader works she may still use that card, so
// the start screen stays. A resident's own screen is never replaced.
func (st *selfState) showReader() {
	down := st.readerDown && st.view.Bar.Contact != ContactReady
	shown := st.view.Step == StepError && st.view.Problem == ProblemReaderDown
	switch {
	case down && st.view.Step == StepStart && !st.busy && !st.view.HelpCalled:
		st.log.Info("The ID card reader is gone: telling the resident")
		st.view.Step, st.view.Problem, st.view.Notice = StepError, ProblemReaderDown, NoticeNone
	case !down && shown:
		st.view.Step, st.view.Problem = StepStart, ProblemNone
	}
}

// abandon ends an enrolment whose card was lifted before it was sent:
// nothing about the resident stays, and the start screen says so.
func (st *selfState) abandon() {
	st.log.Info("Enrolment abandoned: the card was lifted")
	st.wipe()
	st.session++
	st.view.Notice = NoticeCancelled
	st.publish()
	st.armIdle()
}

// placed starts a new resident: whatever the screen showed before belongs
// to someone who has gone.
func (st *selfState) placed(e CardEvent) {
	st.wipe()
	st.session++
	st.idle.Stop()
	st.view.CardOn = true
	st.card = e
	st.view.Source = e.Source
	r, ok := e.Resident()
	if !ok {
		st.fail(e.Problem())
		st.log.Info("Card refused", "source", string(e.Source), "problem", string(st.view.Problem))
		return
	}
	st.view.MaskedName = r.Name.Masked()
	st.view.MaskedID = r.Number.Masked()
	st.check(r)
}

// check asks for the resident's paper code, or her enrolment.
func (st *selfState) check(r Resident) {
	st.view.Step = StepChecking
	st.busy = true
	st.publish()
	st.async(func(ctx context.Context) func(*selfState) {
		t, err := st.Backend.PaperCode(ctx, r)
		if errors.Is(err, ErrNotEnrolled) || errors.Is(err, ErrNotKnownHere) {
			offline := errors.Is(err, ErrNotKnownHere)
			return func(st *selfState) { st.consent(r, offline) }
		}
		if err != nil {
			return func(st *selfState) {
				st.busy = false
				st.log.Info("No paper code", "err", err)
				st.fail(ServiceProblem(err))
			}
		}
		return func(st *selfState) {
			st.pollBar() // the link may have changed under the request
			st.print(t)
		}
	}, true)
}

// consent offers enrolment to a resident the service does not know.
func (st *selfState) consent(r Resident, offline bool) {
	st.busy = false
	st.resident = r
	st.view.Step = StepConsent
	st.view.Offline = offline
	st.log.Info("Resident not enrolled: consent offered", "offline", offline)
	st.publish()
}

// enrol sends the enrolment she agreed to, then prints what comes back:
// her first code, or the receipt of the queued enrolment.
func (st *selfState) enrol(phone string) {
	e := SelfEnrolment{Resident: st.resident, Phone: phone, ConsentVersion: ConsentVersion}
	st.resident = Resident{} // the backend has it now; the flow needs it no more
	st.view.Step = StepEnrolling
	st.view.Phone, st.view.PhoneRefused = "", false
	st.view.Enrolled = true
	st.busy = true
	st.publish()
	st.async(func(ctx context.Context) func(*selfState) {
		t, err := st.Backend.EnrolSelf(ctx, e)
		if err != nil {
			return func(st *selfState) {
				st.busy = false
				st.serviceFailed("Self-enrolment failed", err)
			}
		}
		return func(st *selfState) {
			st.log.Info("Self-enrolled", "kind", string(t.Kind))
			st.pollBar()
			st.print(t)
		}
	}, true)
}

// print sends the ticket to the printer and, at the same time, draws its
// preview for the screen: the picture is not on the way to the paper.
func (st *selfState) print(t Ticket) {
	st.unprinted = nil
	st.view.Step = StepPrinting
	st.view.Problem = ProblemNone
	st.view.Ticket = t
	st.view.Preview = nil
	st.publish()
	st.async(func(ctx context.Context) func(*selfState) {
		img, err := st.Printer.Preview(t)
		return func(st *selfState) {
			if err != nil {
				st.log.Error("Slip preview", "err", err)
				return
			}
			if st.view.Ticket.Serial == t.Serial && st.view.Ticket.Status == t.Status &&
				(st.view.Step == StepPrinting || st.view.Step == StepDone) {
				st.view.Preview = img
				st.publish()
			}
		}
	}, true)
	st.async(func(ctx context.Context) func(*selfState) {
		// A slip under way when the kiosk stops is finished, not cut
		// off with half a QR code; one that fails is logged here, where
		// it is seen even when the kiosk is stopping.
		ctx, cancel := Finishing(ctx)
		defer cancel()
		if err := st.Printer.Print(ctx, t); err != nil {
			st.log.Warn("Slip not printed", "err", err)
			return func(st *selfState) {
				st.busy = false
				st.fail(PrintProblem(err))
				st.view.Bar.Printer = PrinterStateOfProblem(st.view.Problem, st.view.Bar.Printer)
				st.publish()
				if retriable(st.view.Problem) {
					st.unprinted = &t
				}
			}
		}
		if err := st.Backend.Printed(ctx, t); err != nil {
			st.log.Error("Print not recorded", "err", err)
		}
		return func(st *selfState) {
			st.busy = false
			st.view.Step = StepDone
			st.publish()
			st.armIdle()
			st.pollBar()
		}
	}, true)
}

// retriable reports whether a print problem goes away by itself once
// staff fix the printer (paper, cover), so that the slip is printed then.
func retriable(p Problem) bool {
	return p == ProblemPaperOut || p == ProblemCoverOpen || p == ProblemPrinterDown
}

// retryPrint prints a slip that failed for a printer fault once the
// printer is ready again, while its resident is still at the kiosk. The
// code behind it was issued (or the enrolment queued) once; printing it
// again asks nothing of the service.
func (st *selfState) retryPrint() {
	if st.unprinted == nil || st.busy || st.view.Step != StepError || st.view.Bar.Printer != PrinterReady {
		return
	}
	t := *st.unprinted
	if t.Status.Expired(st.now()) {
		// Its colour ran out while the printer was down: no slip with
		// it, a new code (or, offline, what may be printed now) instead.
		st.unprinted = nil
		if r, ok := st.card.Resident(); ok {
			st.log.Info("Printer ready again; the slip's colour expired meanwhile: asking again")
			st.check(r)
		}
		return
	}
	st.log.Info("Printer ready again: printing the slip that failed")
	st.busy = true
	st.print(t)
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

// serviceFailed shows the problem of a request the service failed, and
// logs as a warning what was not done.
func (st *selfState) serviceFailed(what string, err error) {
	st.log.Warn(what, "err", err)
	st.fail(ServiceProblem(err))
}

func (st *selfState) fail(p Problem) {
	st.view.Step = StepError
	st.view.Problem = p
	st.publish()
	st.armIdle()
}

func (st *selfState) touch() { st.armIdle() }

func (st *selfState) now() time.Time { return serviceNow(st.Backend) }

// expire takes a colour off the screen when its answer runs out: at once
// no colour (and no preview, which shows it too), then the service is
// asked again for the resident still at the kiosk. Offline the engine has
// nothing it may show any more, so the screen stays without a colour.
func (st *selfState) expire() {
	if !st.view.Ticket.Status.Expired(st.now()) {
		st.publish() // a newer colour: its own instant
		return
	}
	st.log.Info("The colour on screen expired: asking again")
	st.view.Ticket.Status = healthcode.Status{Source: healthcode.SourceUnknown}
	st.view.Preview = nil
	st.publish()
	r, ok := st.card.Resident()
	if !ok || st.view.Step != StepPrinting && st.view.Step != StepDone {
		return
	}
	st.async(func(ctx context.Context) func(*selfState) {
		s, err := st.Backend.Status(ctx, r)
		return func(st *selfState) {
			switch {
			case err != nil:
				st.log.Info("Status not asked again", "err", err)
			case st.view.Ticket.Status.HasColour() || !s.HasColour() || s.Expired(st.now()):
				// something newer is on screen, or nothing to show
			case st.view.Step == StepPrinting || st.view.Step == StepDone:
				st.view.Ticket.Status = s
				st.publish()
			}
		}
	}, true)
}

// armIdle (re)starts the idle timeout, but only when the resident has
// clearly finished: the card is off the reader and nothing is under way.
func (st *selfState) armIdle() {
	st.idle.Stop()
	if st.view.CardOn || st.busy || st.view.Step == StepStart && !st.view.HelpCalled && st.view.Notice == NoticeNone {
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
	st.showReader()
	st.publish()
}

// wipe drops everything about the resident: the card's bytes are zeroed
// and the view keeps only the status bar.
func (st *selfState) wipe() {
	st.card.Wipe()
	st.card = CardEvent{}
	if f, ok := st.Backend.(Forgetter); ok && st.view.HasResident() {
		f.Forget()
	}
	st.resident = Resident{}
	st.access = AccessList{}
	st.unprinted = nil
	st.refusals = 0
	st.view = SelfView{Step: StepStart, Bar: st.view.Bar, CardOn: st.view.CardOn}
	st.expiry.stop()
}

package flow

import (
	"context"
	"errors"
	"image"
	"time"

	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/pii"
)

// TicketKind is the kind of slip to print.
type TicketKind string

// The kinds of slip.
const (
	// TicketCode is a freshly issued paper code with the live status.
	TicketCode TicketKind = "code"
	// TicketReprint is a still-valid code this kiosk printed before,
	// re-printed offline with its cached status "as of".
	TicketReprint TicketKind = "reprint"
	// TicketPending is a receipt for an enrolment or request waiting for
	// the network: no QR, no colour.
	TicketPending TicketKind = "pending"
	// TicketUnchecked is a slip for a resident this kiosk knows but whose
	// status it could not check: offline, and the answer it holds is past
	// its valid_until or older than the freshness bound. No QR, no
	// colour: it says so and what to do (place the card again once the
	// network is back, or ask at the counter), and the counter lists it.
	TicketUnchecked TicketKind = "unchecked"
	// TicketCredential is a medical-visit credential (就医凭证) for a
	// hospital's registration desk: a token of its own kind, valid for a
	// day, with no colour (CredentialBackend).
	TicketCredential TicketKind = "credential"
)

// Ticket is what goes on paper: everything the slip needs, already masked.
// It holds no plain name or ID number.
type Ticket struct {
	Kind       TicketKind
	MaskedName string
	MaskedID   string
	QR         string // the signed token text; "" for pending
	TokenID    string
	IssuedAt   time.Time
	ExpiresAt  time.Time
	Status     healthcode.Status
	Receipt    string // pending: the receipt number
	Serial     string // the slip's serial number at this kiosk
	// Source is the card the resident used; the slip says when it was
	// her social-security card.
	Source CardSource
	// MaskedCardNumber is a credential's social-security card number,
	// masked; "" when she used her ID card.
	MaskedCardNumber string
}

// Resident is the person at the kiosk, from their card (or typed by a
// worker). Its fields are pii types: they print masked and log redacted.
type Resident struct {
	Name   pii.Name
	Number pii.IDNumber
	// Source is the card read; "" for a number a worker typed.
	Source CardSource
	// CardNumber is her social-security card's own number (卡号) when
	// that is the card read; "" otherwise.
	CardNumber pii.IDNumber
}

// ResidentOf takes what the flow needs from an ID card.
func ResidentOf(c *idcard.Card) Resident {
	return Resident{Name: c.Name, Number: c.Number, Source: SourceIDCard}
}

// Link is the state of the connection to the code service.
type Link struct {
	Online  bool
	Waiting int // outbox items not yet acknowledged
	// Damaged: the kiosk's own store is damaged, so it can record
	// nothing; it is out of service until a technician restores it.
	Damaged bool
}

// PrinterState is the printer as the status bar shows it.
type PrinterState string

// The printer states.
const (
	PrinterUnknown  PrinterState = ""
	PrinterReady    PrinterState = "ready"
	PrinterPaperLow PrinterState = "paper_low"
	PrinterPaperOut PrinterState = "paper_out"
	PrinterCover    PrinterState = "cover_open"
	PrinterFault    PrinterState = "fault"
	PrinterOffline  PrinterState = "offline" // not answering
)

// SelfEnrolment is what a resident alone agreed to at the kiosk: her card
// is the real-name authentication, her touch on 同意并领取 the consent.
type SelfEnrolment struct {
	Resident Resident
	// Phone is a mainland mobile number (ValidMobile), hers or a family
	// member's, or "" when she skipped it.
	Phone string
	// ConsentVersion names the consent text she was shown and heard.
	ConsentVersion string
}

// ConsentVersion names the self-service consent text (package i18n,
// Consent*): what is recorded, why and for how long. It goes to the
// service with every self-enrolment; a change of the text is a new
// version.
const ConsentVersion = "kiosk-self-2026-11"

// ValidMobile reports whether s is a mainland mobile number as the keypad
// takes it: 11 digits, 1 then 3 to 9, no prefix or separators.
func ValidMobile(s string) bool {
	if len(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9' {
		return false
	}
	for i := 2; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Backend is the kiosk's side of the code service as the self-service
// flow needs it: the sync engine and local store in production, a fake in
// tests. Its methods may block on the network; the flow calls them off
// the UI goroutine.
type Backend interface {
	// PaperCode decides what to print for the resident: a new code with
	// the live status when online; offline, a re-print of a still-valid
	// code printed here with its cached status, or a pending receipt. It
	// returns ErrNotEnrolled when the service does not know the resident,
	// ErrNotKnownHere when offline and this kiosk has never heard of her,
	// and ErrServiceUnavailable when nothing at all can be printed.
	PaperCode(ctx context.Context, r Resident) (Ticket, error)
	// EnrolSelf enrols a resident who came alone and agreed: queued
	// sealed in the outbox, then, online, a new code once the service
	// has it; offline (or when the service does not confirm in time), a
	// pending receipt whose enrolment the engine sends by itself later.
	EnrolSelf(ctx context.Context, e SelfEnrolment) (Ticket, error)
	// Printed records that the ticket came out of the printer (the
	// outbox and the audit log).
	Printed(ctx context.Context, t Ticket) error
	// CallHelp records a call for a member of staff, so that a counter
	// screen on the same store shows it.
	CallHelp(ctx context.Context, where string) error
	// Link reports the connection to the service.
	Link(ctx context.Context) Link
	// Status is the resident's status with no paper code: the service's
	// live answer; offline, the answer kept here while it may still be
	// shown, else one with no colour. The flow asks it again when a
	// colour on screen expires.
	Status(ctx context.Context, r Resident) (healthcode.Status, error)
}

// Clock is a backend that knows the service's time (the sync engine's
// corrected clock). A colour's valid_until and freshness bound are the
// service's times, so the flows judge them by it, and by the kiosk's own
// clock only for a backend that has none.
type Clock interface {
	Now() time.Time
}

// serviceNow is the service's time by the backend's clock, or the
// kiosk's.
func serviceNow(backend any) time.Time {
	if c, ok := backend.(Clock); ok {
		return c.Now()
	}
	return time.Now()
}

// expiryTimer keeps one timer at the instant a colour on screen runs out
// (healthcode.Status.Until).
type expiryTimer struct{ t *time.Timer }

// arm sets the timer for s, judged at now, or stops it when s has no
// colour or nothing bounds it. It returns whether it is set.
func (e *expiryTimer) arm(s healthcode.Status, now time.Time) bool {
	if e.t == nil {
		e.t = time.NewTimer(time.Hour)
	}
	e.t.Stop()
	u := s.Until()
	if u.IsZero() {
		return false
	}
	e.t.Reset(max(u.Sub(now), 0))
	return true
}

// C is the timer's channel; nil (never ready) before the first arm.
func (e *expiryTimer) C() <-chan time.Time {
	if e.t == nil {
		return nil
	}
	return e.t.C
}

func (e *expiryTimer) stop() {
	if e.t != nil {
		e.t.Stop()
	}
}

// Linker reports the link to the service; a VenueBackend that has it
// feeds the venue screen's status bar.
type Linker interface {
	Link(ctx context.Context) Link
}

// Forgetter is a Backend that holds something about the resident between
// PaperCode and Printed; the flow calls Forget when the resident leaves.
type Forgetter interface {
	Forget()
}

// Printer is the slip printer as the flow needs it.
type Printer interface {
	// Preview is the image of exactly what Print will put on paper.
	Preview(t Ticket) (image.Image, error)
	// Print prints the ticket; its errors match the escpos sentinels
	// (escpos.ErrPaperOut and the like).
	Print(ctx context.Context, t Ticket) error
	// State reports the printer for the status bar.
	State(ctx context.Context) PrinterState
}

// Errors a Backend returns for the flow to act on.
var (
	// ErrNotEnrolled: the service has no record of the resident: she is
	// offered enrolment (self-service) or a worker enrols her (counter).
	ErrNotEnrolled = errors.New("resident not enrolled")
	// ErrNotKnownHere: offline, and this kiosk has never heard of the
	// resident (no cached answer, no queued enrolment): she may or may not
	// be enrolled at the service, so she is offered an enrolment that the
	// service merges with her record if she has one.
	ErrNotKnownHere = errors.New("resident unknown to this kiosk while offline")
	// ErrServiceUnavailable: the service cannot be reached and nothing
	// can be printed from the local store either.
	ErrServiceUnavailable = errors.New("code service unavailable")
	// ErrTokenRefused: a paper code was refused (revoked, superseded,
	// forged or expired).
	ErrTokenRefused = errors.New("paper code refused")
	// ErrOutOfService: the kiosk's own store is damaged; it can neither
	// print a code nor record one, and sends the resident to the counter.
	ErrOutOfService = errors.New("kiosk out of service: local store damaged")
)

// Problem names a failure the resident or staff must see, with what to
// do next. The words are in package i18n.
type Problem string

// The problems.
const (
	ProblemNone            Problem = ""
	ProblemCardUnreadable  Problem = "card_unreadable"
	ProblemCardExpired     Problem = "card_expired"
	ProblemCardNotYetValid Problem = "card_not_yet_valid"
	ProblemCardInvalid     Problem = "card_invalid"
	ProblemNotEnrolled     Problem = "not_enrolled"
	ProblemServiceDown     Problem = "service_down"
	ProblemPaperOut        Problem = "paper_out"
	ProblemCoverOpen       Problem = "cover_open"
	ProblemPrinterFault    Problem = "printer_fault"
	ProblemPrinterDown     Problem = "printer_down"
	ProblemReaderDown      Problem = "reader_down"
	ProblemOutOfService    Problem = "out_of_service"
	// The social-security card's own problems (CardEvent.Problem).
	ProblemSSCUnreadable Problem = "ssc_unreadable"
	ProblemSSCLocked     Problem = "ssc_locked"
	ProblemNotSSC        Problem = "not_ssc"
	ProblemSSCExpired    Problem = "ssc_expired"
	ProblemInternal      Problem = "internal"
)

// CardProblem classifies a card error from the reader.
func CardProblem(err error) Problem {
	switch {
	case err == nil:
		return ProblemNone
	case errors.Is(err, idcard.ErrCardExpired):
		return ProblemCardExpired
	case errors.Is(err, idcard.ErrCardNotYetValid):
		return ProblemCardNotYetValid
	case errors.Is(err, idcard.ErrInvalidCard), errors.Is(err, pii.ErrInvalidID):
		return ProblemCardInvalid
	}
	return ProblemCardUnreadable
}

// PrintProblem classifies a print error.
func PrintProblem(err error) Problem {
	switch {
	case err == nil:
		return ProblemNone
	case errors.Is(err, escpos.ErrPaperOut):
		return ProblemPaperOut
	case errors.Is(err, escpos.ErrCoverOpen):
		return ProblemCoverOpen
	case errors.Is(err, escpos.ErrNotResponding), errors.Is(err, escpos.ErrBadStatus),
		errors.Is(err, context.DeadlineExceeded):
		return ProblemPrinterDown
	}
	return ProblemPrinterFault
}

// ServiceProblem classifies a Backend error.
func ServiceProblem(err error) Problem {
	switch {
	case err == nil:
		return ProblemNone
	case errors.Is(err, ErrNotEnrolled):
		return ProblemNotEnrolled
	case errors.Is(err, ErrServiceUnavailable), errors.Is(err, context.DeadlineExceeded):
		return ProblemServiceDown
	case errors.Is(err, ErrOutOfService):
		return ProblemOutOfService
	}
	return ProblemInternal
}

// PrinterStateOf turns a printer status into the status bar's word.
func PrinterStateOf(st escpos.Status, err error) PrinterState {
	if err != nil {
		return PrinterOffline
	}
	switch {
	case st.PaperEnd || st.PaperEndStop:
		return PrinterPaperOut
	case st.CoverOpen:
		return PrinterCover
	case st.Err() != nil:
		return PrinterFault
	case st.PaperNearEnd:
		return PrinterPaperLow
	}
	return PrinterReady
}

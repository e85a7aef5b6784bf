package flow_test

import (
	"context"
	"image"
	"image/color"
	"slices"
	"sync"
	"testing/synctest"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/pii"
)

// asOf is the fixed "as of" time of the fakes' answers.
var asOf = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

// fakeBackend answers from a table keyed by the plain ID number.
type fakeBackend struct {
	mu      sync.Mutex
	tickets map[string]flow.Ticket
	errs    map[string]error
	printed []flow.Ticket
	helps   []string
	link    flow.Link
	delay   time.Duration // before PaperCode answers
	// enrolled lists the self-enrolments received; enrolTicket is what
	// EnrolSelf answers (a fresh code by default, a pending receipt to
	// play offline), enrolErr its error.
	enrolled    []flow.SelfEnrolment
	enrolTicket *flow.Ticket
	enrolErr    error
	// status answers Status when set; else the ticket's status stands.
	status func(r flow.Resident) healthcode.Status
	asked  int // Status calls
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{tickets: map[string]flow.Ticket{}, errs: map[string]error{}, link: flow.Link{Online: true}}
}

func (b *fakeBackend) set(id string, t flow.Ticket, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tickets[id], b.errs[id] = t, err
}

func (b *fakeBackend) PaperCode(ctx context.Context, r flow.Resident) (flow.Ticket, error) {
	if b.delay > 0 {
		time.Sleep(b.delay)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.errs[r.Number.Reveal()]; err != nil {
		return flow.Ticket{}, err
	}
	t, ok := b.tickets[r.Number.Reveal()]
	if !ok {
		return flow.Ticket{}, flow.ErrNotEnrolled
	}
	t.MaskedName, t.MaskedID = r.Name.Masked(), r.Number.Masked()
	return t, nil
}

func (b *fakeBackend) EnrolSelf(ctx context.Context, e flow.SelfEnrolment) (flow.Ticket, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.enrolled = append(b.enrolled, e)
	if b.enrolErr != nil {
		return flow.Ticket{}, b.enrolErr
	}
	t := liveTicket(healthcode.Green)
	if b.enrolTicket != nil {
		t = *b.enrolTicket
	}
	t.MaskedName, t.MaskedID = e.Resident.Name.Masked(), e.Resident.Number.Masked()
	return t, nil
}

func (b *fakeBackend) enrolments() []flow.SelfEnrolment {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.enrolled)
}

func (b *fakeBackend) Printed(ctx context.Context, t flow.Ticket) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.printed = append(b.printed, t)
	return nil
}

func (b *fakeBackend) CallHelp(ctx context.Context, where string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.helps = append(b.helps, where)
	return nil
}

func (b *fakeBackend) Link(ctx context.Context) flow.Link {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.link
}

func (b *fakeBackend) Status(ctx context.Context, r flow.Resident) (healthcode.Status, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.asked++
	if b.status != nil {
		return b.status(r), nil
	}
	if err := b.errs[r.Number.Reveal()]; err != nil {
		return healthcode.Status{}, err
	}
	return b.tickets[r.Number.Reveal()].Status, nil
}

func (b *fakeBackend) counts() (printed, helps int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.printed), len(b.helps)
}

// fakePrinter prints into a slice, or fails with err.
type fakePrinter struct {
	mu      sync.Mutex
	err     error
	state   flow.PrinterState
	printed []flow.Ticket
	delay   time.Duration
}

// fail makes the printer fail with err from now on, or print again when
// err is nil.
func (p *fakePrinter) fail(err error) {
	p.mu.Lock()
	p.err = err
	p.mu.Unlock()
}

func (p *fakePrinter) Preview(t flow.Ticket) (image.Image, error) {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	img.Set(0, 0, color.Black)
	return img, nil
}

func (p *fakePrinter) Print(ctx context.Context, t flow.Ticket) error {
	if p.delay > 0 {
		// A real driver's writes end with its context (conn.Bind).
		select {
		case <-time.After(p.delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	p.printed = append(p.printed, t)
	return nil
}

func (p *fakePrinter) State(ctx context.Context) flow.PrinterState {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil { // a real printer's status shows its fault too
		return flow.PrinterStateOfProblem(flow.PrintProblem(p.err), flow.PrinterReady)
	}
	if p.state == "" {
		return flow.PrinterReady
	}
	return p.state
}

// reissueFor logs the worker in at c, places the resident's card on its
// reader and re-issues her code, letting the bubble settle after the
// login and after the re-issue.
func reissueFor(ctx context.Context, c *flow.Counter, resident *idcard.Card) {
	c.Login(ctx, "demo", "demo1234")
	synctest.Wait()
	c.Card(flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: resident}))
	c.Reissue(ctx)
	synctest.Wait()
}

// card returns a fresh card for the sample resident with the number.
func card(name, number string) *idcard.Card {
	return &idcard.Card{
		Type: idcard.CardResident, Name: pii.Name(name), Number: pii.IDNumber(number),
		Permanent: true, Photo: []byte{1, 2, 3},
	}
}

// Sample residents (assets/deck.json).
const (
	greenID  = "310101194803140019"
	yellowID = "31010419550922002X"
	redID    = "310110196001180030"
)

func liveTicket(c healthcode.Colour) flow.Ticket {
	return flow.Ticket{
		Kind: flow.TicketCode, QR: "HC1:TEST", TokenID: "TOKEN", IssuedAt: asOf,
		ExpiresAt: asOf.AddDate(0, 0, 180), Serial: "0001",
		Status: healthcode.Status{Source: healthcode.SourceLive, Colour: c, AsOf: asOf},
	}
}

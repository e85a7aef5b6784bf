package wire

import (
	"context"
	"errors"
	"fmt"
	"image"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/slip"
	"github.com/shcommunity/kiosk/pii"
)

// Printer prints tickets as paper-code slips (devices/slip) on an ESC/POS
// printer. It implements flow.Printer.
type Printer struct {
	Driver *escpos.Printer
	// Port, if set, is the Driver's connection: each print and status
	// request first (re)opens it (PrinterPort.Connect).
	Port *PrinterPort
	// Centre is the service point's name printed on every slip.
	Centre string
	// Withdraw says where to withdraw consent or correct data, printed
	// on every slip (config.Config.WithdrawText).
	Withdraw string
}

var _ flow.Printer = (*Printer)(nil)

// PrinterFresh is how long after a status read found the printer ready a
// slip may go out without asking again first (escpos.Printer.Fresh): a
// little over the status bar's poll (flow.DefaultPoll), which keeps it
// fresh while the kiosk waits, so the check leaves the path from a card to
// the paper. The check after each slip stays.
const PrinterFresh = flow.DefaultPoll + time.Second

// SlipOf turns a ticket into a slip. The ticket holds only masked values;
// masking is idempotent (张*丰 stays 张*丰), so the slip prints them as
// they are.
func SlipOf(t flow.Ticket, centre string) slip.Slip {
	s := slip.Slip{
		Name: pii.Name(t.MaskedName), ID: pii.IDNumber(t.MaskedID), QR: t.QR,
		IssuedAt: t.IssuedAt, ValidUntil: t.ExpiresAt, Centre: centre, Serial: t.Serial,
		SSC: t.Source == flow.SourceSSC,
	}
	switch t.Kind {
	case flow.TicketPending:
		s.Pending, s.Receipt, s.QR, s.ValidUntil = true, t.Receipt, "", time.Time{}
		return s
	case flow.TicketUnchecked:
		s.Unchecked, s.QR, s.ValidUntil = true, "", time.Time{}
		return s
	case flow.TicketCredential:
		s.Credential, s.CardNumber = true, pii.IDNumber(t.MaskedCardNumber)
		return s
	}
	if t.Status.HasColour() {
		s.Colour, s.ColourAsOf = t.Status.Colour, t.Status.AsOf
	}
	return s
}

func (p *Printer) slipOf(t flow.Ticket) slip.Slip {
	s := SlipOf(t, p.Centre)
	s.Withdraw = p.Withdraw
	return s
}

// Preview implements flow.Printer: slip.Preview renders the very bytes
// Print sends.
func (p *Printer) Preview(t flow.Ticket) (image.Image, error) {
	return slip.Preview(p.slipOf(t), p.Driver.Profile())
}

// Print implements flow.Printer.
func (p *Printer) Print(ctx context.Context, t flow.Ticket) error {
	job, err := slip.Encode(p.slipOf(t), p.Driver.Profile())
	if err != nil {
		return fmt.Errorf("print slip: %w", err)
	}
	return p.send(ctx, "print slip", job)
}

// send prints a job, opening the port first if there is one. A port that
// went away mid-job is a printer that does not respond.
func (p *Printer) send(ctx context.Context, what string, job []byte) error {
	if err := p.connect(ctx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	_, err := p.Driver.Print(ctx, job)
	if errors.Is(err, ErrPortDown) && !errors.Is(err, escpos.ErrNotResponding) {
		err = fmt.Errorf("%w: %w", escpos.ErrNotResponding, err)
	}
	return err
}

// connect opens the port if there is one to open. A printer that is not
// there is one that does not respond (flow.PrintProblem: "printer not
// working", not "printer fault").
func (p *Printer) connect(ctx context.Context) error {
	if p.Port == nil {
		return nil
	}
	if err := p.Port.Connect(ctx); err != nil {
		return fmt.Errorf("%w: %w", escpos.ErrNotResponding, err)
	}
	return nil
}

// State implements flow.Printer.
func (p *Printer) State(ctx context.Context) flow.PrinterState {
	if err := p.connect(ctx); err != nil {
		return flow.PrinterOffline
	}
	st, err := p.Driver.Status(ctx)
	return flow.PrinterStateOf(st, err)
}

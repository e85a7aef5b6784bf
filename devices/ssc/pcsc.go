package ssc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ebfe/scard"
)

// PCSC is a connection to the system's PC/SC service (pcscd through
// libpcsclite on Linux, WinSCard on Windows) through
// github.com/ebfe/scard. Its errors match this package's sentinels:
// ErrNoService when the service is not running, ErrNoReader, ErrReaderGone,
// ErrNoCard, ErrCardRemoved, ErrCardUnresponsive.
type PCSC struct {
	ctx *scard.Context
}

// OpenPCSC establishes a context with the PC/SC service.
func OpenPCSC() (*PCSC, error) {
	c, err := scard.EstablishContext()
	if err != nil {
		return nil, fmt.Errorf("ssc: establish a PC/SC context: %w", mapPCSC(err))
	}
	return &PCSC{ctx: c}, nil
}

// Close releases the context.
func (p *PCSC) Close() error {
	if err := p.ctx.Release(); err != nil {
		return mapPCSC(err)
	}
	return nil
}

// Readers lists the readers the service knows, none being no error.
func (p *PCSC) Readers() ([]string, error) {
	r, err := p.ctx.ListReaders()
	if errors.Is(err, scard.ErrNoReadersAvailable) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ssc: list readers: %w", mapPCSC(err))
	}
	return r, nil
}

// FindReader returns the first reader whose name contains want ("" takes
// the first reader), or ErrNoReader.
func (p *PCSC) FindReader(want string) (string, error) {
	readers, err := p.Readers()
	if err != nil {
		return "", err
	}
	for _, r := range readers {
		if strings.Contains(r, want) {
			return r, nil
		}
	}
	if want == "" {
		return "", ErrNoReader
	}
	return "", fmt.Errorf("%w: none named like %q among: %s", ErrNoReader, want, strings.Join(readers, ", "))
}

// ReaderState is what the service says of a reader: whether a card is in
// it, and the card's ATR.
type ReaderState struct {
	Present bool
	ATR     []byte
	flags   scard.StateFlag
}

// Wait blocks until the state of reader differs from last (the zero
// value for "unknown") or timeout passes, and returns the state then. A
// cancelled ctx ends the wait early with ctx's error. A reader that has
// gone gives ErrReaderGone.
func (p *PCSC) Wait(ctx context.Context, reader string, last ReaderState, timeout time.Duration) (ReaderState, error) {
	rs := []scard.ReaderState{{Reader: reader, CurrentState: last.flags &^ scard.StateChanged}}
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			p.ctx.Cancel()
		case <-done:
		}
	}()
	err := p.ctx.GetStatusChange(rs, timeout)
	switch {
	case errors.Is(err, scard.ErrTimeout):
		return last, nil
	case errors.Is(err, scard.ErrCancelled) && ctx.Err() != nil:
		return last, ctx.Err()
	case err != nil:
		return last, fmt.Errorf("ssc: reader %q: %w", reader, mapPCSC(err))
	}
	ev := rs[0].EventState
	if ev&(scard.StateUnknown|scard.StateIgnore) != 0 {
		return ReaderState{}, fmt.Errorf("ssc: reader %q: %w", reader, ErrReaderGone)
	}
	return ReaderState{Present: ev&scard.StatePresent != 0, ATR: rs[0].Atr, flags: ev}, nil
}

// Connect opens the card in reader, shared with other programs, with
// whichever of T=0 and T=1 the card offers.
func (p *PCSC) Connect(reader string) (*Conn, error) {
	card, err := p.ctx.Connect(reader, scard.ShareShared, scard.ProtocolT0|scard.ProtocolT1)
	if err != nil {
		return nil, fmt.Errorf("ssc: connect to %q: %w", reader, mapPCSC(err))
	}
	// The reader's state now, with pcscd's count of card events in its
	// high 16 bits: cardGone compares against it.
	st, _ := p.Wait(context.Background(), reader, ReaderState{}, 0)
	return &Conn{card: card, pcsc: p, reader: reader, flags: st.flags}, nil
}

// Conn is a connected card: a Transmitter over PC/SC.
type Conn struct {
	card   *scard.Card
	pcsc   *PCSC
	reader string
	flags  scard.StateFlag // the reader's state when connected
}

// Transmit implements Transmitter. A failure, or an empty answer (what
// vpcd gives when its card leaves mid-command), is told apart by asking
// the service for the reader's state: an empty reader makes it
// ErrCardRemoved.
func (c *Conn) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := c.card.Transmit(apdu)
	if err == nil && len(r) > 0 {
		return r, nil
	}
	var mapped error
	if err != nil {
		mapped = mapPCSC(err)
		if errors.Is(mapped, ErrCardRemoved) || errors.Is(mapped, ErrReaderGone) || errors.Is(mapped, ErrNoService) {
			return nil, mapped
		}
	}
	if c.cardGone(ctx) {
		if err == nil {
			return nil, fmt.Errorf("%w (an empty answer)", ErrCardRemoved)
		}
		return nil, fmt.Errorf("%w (%v)", ErrCardRemoved, err)
	}
	if err != nil {
		return nil, fmt.Errorf("ssc: transmit: %w", mapped)
	}
	return r, nil // empty: ParseResponse reports it truncated
}

// cardGone reports whether the card has left the reader, waiting up to
// two seconds for the service to notice: pcscd polls a reader's slot a
// few times a second, so a card pulled mid-command still counts as
// present for a moment. A card out and in again (pcscd's count of card
// events moved) has left too.
func (c *Conn) cardGone(ctx context.Context) bool {
	st, err := c.card.Status()
	switch {
	case err != nil:
		m := mapPCSC(err)
		return errors.Is(m, ErrCardRemoved) || errors.Is(m, ErrReaderGone) || errors.Is(m, ErrNoCard)
	case st.State&scard.Absent != 0:
		return true
	}
	s, err := c.pcsc.Wait(ctx, c.reader, ReaderState{Present: true, flags: c.flags}, 2*time.Second)
	return err == nil && (!s.Present || s.flags>>16 != c.flags>>16)
}

// Close leaves the card powered for the next program and disconnects.
func (c *Conn) Close() error {
	if err := c.card.Disconnect(scard.LeaveCard); err != nil {
		return mapPCSC(err)
	}
	return nil
}

// mapPCSC turns a PC/SC error into this package's sentinels, keeping the
// service's own words after it.
func mapPCSC(err error) error {
	var se scard.Error
	if !errors.As(err, &se) {
		return err
	}
	var s error
	switch se {
	case scard.ErrNoService, scard.ErrServiceStopped, scard.ErrCommError:
		// SCARD_F_COMM_ERROR is libpcsclite's word for its socket to
		// pcscd breaking: the daemon stopped under it.
		s = ErrNoService
	case scard.ErrNoReadersAvailable:
		s = ErrNoReader
	case scard.ErrUnknownReader, scard.ErrReaderUnavailable:
		s = ErrReaderGone
	case scard.ErrNoSmartcard:
		s = ErrNoCard
	case scard.ErrRemovedCard, scard.ErrResetCard:
		s = ErrCardRemoved
	case scard.ErrUnresponsiveCard, scard.ErrUnpoweredCard:
		s = ErrCardUnresponsive
	default:
		return err
	}
	return fmt.Errorf("%w (%v)", s, se)
}

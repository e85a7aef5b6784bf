package ssc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/internal/wait"
)

// EventKind says what happened at the contact reader. It is
// idcard.EventKind itself, so that a flow takes both readers' events the
// same way; for this reader the kinds mean:
//
//   - ReaderConnected: the PC/SC service runs and the reader is there (at
//     start, and after a disconnection);
//   - ReaderDisconnected: the service is not running (Err matches
//     ErrNoService), no reader is connected (ErrNoReader) or the reader
//     was unplugged (ErrReaderGone); the Watcher keeps trying;
//   - CardPlaced: a card was put in the reader; Card is set when it was
//     read, Err when it could not be read (ErrNotSSC, ErrLocked,
//     ErrCardRemoved, ...) or failed validation (a *CardError, with Card
//     set too);
//   - CardRemoved: the card was taken out.
type EventKind = idcard.EventKind

// The events a Watcher reports.
const (
	ReaderConnected    = idcard.ReaderConnected
	ReaderDisconnected = idcard.ReaderDisconnected
	CardPlaced         = idcard.CardPlaced
	CardRemoved        = idcard.CardRemoved
)

// Event is one report from a Watcher. Err never holds personal data.
type Event struct {
	Kind EventKind
	At   time.Time
	Card *Card // CardPlaced
	Err  error // CardPlaced (unreadable, invalid) or ReaderDisconnected (why)
}

// LogValue implements slog.LogValuer: the kind, the card's redacted form
// and the error.
func (e Event) LogValue() slog.Value { return idcard.EventLogValue(e.Kind, e.Card, e.Err) }

// WatcherOptions configure a Watcher. The zero value is the default.
type WatcherOptions struct {
	// Reader is part of the reader's PC/SC name ("ACS ACR39U", "Virtual
	// PCD 00 00"); "" takes the first reader the service lists.
	Reader string
	// Wait bounds one wait for a change of the reader's state, which
	// is how long a new reader or a stopped service can go unnoticed;
	// 0 means 1 s.
	Wait time.Duration
	// MinBackoff and MaxBackoff bound the wait between attempts to reach
	// the service or find the reader; 0 means 250 ms and 5 s.
	MinBackoff, MaxBackoff time.Duration
	// Now stamps events and validates cards; nil means time.Now.
	Now func() time.Time
}

// Watcher waits on a contact reader through PC/SC and reports cards put
// in and taken out, reading each card once (ReadCard). When the service
// stops or the reader goes it reports that, and comes back by itself.
type Watcher struct {
	opts   WatcherOptions
	events chan Event
}

// NewWatcher returns a Watcher; Run starts it.
func NewWatcher(opts *WatcherOptions) *Watcher {
	w := &Watcher{events: make(chan Event, 16)}
	if opts != nil {
		w.opts = *opts
	}
	o := &w.opts
	if o.Wait <= 0 {
		o.Wait = time.Second
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 250 * time.Millisecond
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(5*time.Second, o.MinBackoff)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return w
}

// Events returns the channel of events. It is closed when Run returns.
// Run waits for each event to be received: keep reading.
func (w *Watcher) Events() <-chan Event { return w.events }

// watchState is the state of one Run.
type watchState struct {
	*Watcher
	pcsc    *PCSC
	reader  string      // the reader's full name, "" until found
	last    ReaderState // the state seen last
	present bool        // a card has been reported placed
	down    bool        // ReaderDisconnected reported and not yet undone
	backoff time.Duration
}

// Run watches until ctx ends, then releases the service and closes the
// Events channel, and returns ctx's error. Call it once.
func (w *Watcher) Run(ctx context.Context) error {
	defer close(w.events)
	s := &watchState{Watcher: w, backoff: w.opts.MinBackoff}
	defer func() {
		if s.pcsc != nil {
			s.pcsc.Close()
		}
	}()
	for ctx.Err() == nil {
		if err := s.step(ctx); err != nil && ctx.Err() == nil {
			s.lost(ctx, err)
			wait.Sleep(ctx, s.backoff)
			s.backoff = min(2*s.backoff, w.opts.MaxBackoff)
		}
	}
	return ctx.Err()
}

// step reaches the service and the reader if need be, then waits for one
// change and acts on it. An error means the reader or the service is
// out of reach.
func (s *watchState) step(ctx context.Context) error {
	if s.pcsc == nil {
		p, err := OpenPCSC()
		if err != nil {
			return err
		}
		s.pcsc = p
	}
	if s.reader == "" {
		r, err := s.pcsc.FindReader(s.opts.Reader)
		if err != nil {
			return err
		}
		s.reader, s.last, s.down, s.backoff = r, ReaderState{}, false, s.opts.MinBackoff
		s.emit(ctx, Event{Kind: ReaderConnected})
	}
	st, err := s.pcsc.Wait(ctx, s.reader, s.last, s.opts.Wait)
	if err != nil {
		return err
	}
	switch {
	case st.Present && !s.present:
		s.read(ctx)
	case st.Present && s.present && st.flags>>16 != s.last.flags>>16:
		// Out and in again between two waits: pcscd's count of card
		// events (the high 16 bits of the state) moved.
		s.removed(ctx)
		s.read(ctx)
	case !st.Present && s.present:
		s.removed(ctx)
	}
	s.last = st
	return nil
}

// read connects to the card, reads it and reports it.
func (s *watchState) read(ctx context.Context) {
	conn, err := s.pcsc.Connect(s.reader)
	if errors.Is(err, ErrNoCard) || errors.Is(err, ErrCardRemoved) {
		return // gone before it could be read: nothing to report
	}
	s.present = true
	if err != nil {
		s.emit(ctx, Event{Kind: CardPlaced, Err: err})
		return
	}
	c, err := ReadCard(ctx, conn, s.opts.Now())
	conn.Close()
	if ctx.Err() != nil {
		return
	}
	s.emit(ctx, Event{Kind: CardPlaced, Card: c, Err: err})
}

func (s *watchState) removed(ctx context.Context) {
	s.present = false
	s.emit(ctx, Event{Kind: CardRemoved})
}

// lost handles the service or the reader going out of reach: a card
// reported placed is reported removed, then the reader disconnected
// (once until it comes back).
func (s *watchState) lost(ctx context.Context, err error) {
	if !errors.Is(err, ErrNoReader) && !errors.Is(err, ErrReaderGone) && s.pcsc != nil {
		// The service itself failed (stopped, or restarted under a context
		// it no longer knows): start again with a new context.
		s.pcsc.Close()
		s.pcsc = nil
		if !errors.Is(err, ErrNoService) {
			err = s.settle(ctx, err)
		}
	}
	s.reader = ""
	if s.present {
		s.removed(ctx)
	}
	if !s.down {
		s.down = true
		s.emit(ctx, Event{Kind: ReaderDisconnected, Err: err})
	}
}

// settleFor bounds how long settle asks again.
const settleFor = 2 * time.Second

// settle asks the service for a new context after it failed with err, an
// error other than "not running": a daemon that dies under a wait, or is
// dying while a context is asked for, answers "Access denied" for a
// moment. Until the answer is definite (no service, or a context) it asks
// again, for settleFor at most, so that the reason reported, and the
// remedy shown, is the right one; an error that stays is reported as it
// is (a service that refuses this user, for one).
func (s *watchState) settle(ctx context.Context, err error) error {
	until := time.Now().Add(settleFor)
	for {
		p, perr := OpenPCSC()
		switch {
		case perr == nil:
			s.pcsc = p
			return err
		case errors.Is(perr, ErrNoService):
			return fmt.Errorf("%w (%v)", perr, err)
		case ctx.Err() != nil || !time.Now().Before(until):
			return err
		}
		wait.Sleep(ctx, s.opts.MinBackoff)
	}
}

func (s *watchState) emit(ctx context.Context, e Event) {
	e.At = s.opts.Now()
	wait.Send(ctx, s.events, e)
}

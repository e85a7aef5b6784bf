package idcard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/shcommunity/kiosk/devices/conn"
	"github.com/shcommunity/kiosk/devices/internal/wait"
)

// EventKind says what happened on the reader.
type EventKind int

// The events a Watcher reports.
const (
	// ReaderConnected: the port is open (at start, and after a
	// disconnection).
	ReaderConnected EventKind = iota + 1
	// ReaderDisconnected: the port vanished or the reader stopped
	// answering; the Watcher keeps trying to reopen it.
	ReaderDisconnected
	// CardPlaced: a card was put on the reader. Card is set when it was
	// read; Err is set when it could not be read or failed validation
	// (a *CardError for expired and similar, with Card set too).
	CardPlaced
	// CardRemoved: the card was taken away.
	CardRemoved
)

func (k EventKind) String() string {
	switch k {
	case ReaderConnected:
		return "reader connected"
	case ReaderDisconnected:
		return "reader disconnected"
	case CardPlaced:
		return "card placed"
	case CardRemoved:
		return "card removed"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is one report from a Watcher. Err never holds personal data.
type Event struct {
	Kind EventKind
	At   time.Time
	// FoundAt (CardPlaced) is when a find first answered that a card was
	// there: At − FoundAt is the read, FoundAt − the card's arrival the
	// detection.
	FoundAt time.Time
	Card    *Card // CardPlaced
	Err     error // CardPlaced (unreadable, invalid) or ReaderDisconnected (why)
}

// LogValue implements slog.LogValuer: the kind, the card's redacted form
// and the error.
func (e Event) LogValue() slog.Value { return EventLogValue(e.Kind, e.Card, e.Err) }

// EventLogValue is the log form of a reader's event, for the watchers of
// every kind of card: the kind, the card's redacted form when there is a
// card, and the error.
func EventLogValue[C any, P interface {
	*C
	LogValue() slog.Value
}](kind EventKind, card P, err error) slog.Value {
	attrs := []slog.Attr{slog.String("kind", kind.String())}
	if card != nil {
		attrs = append(attrs, slog.Any("card", card.LogValue()))
	}
	if err != nil {
		attrs = append(attrs, slog.String("err", err.Error()))
	}
	return slog.GroupValue(attrs...)
}

// Watcher defaults.
const (
	// DefaultPollInterval is the wait between two finds. A find is 10
	// bytes out and 15 back, under 3 ms at 115200 baud, so the reader can
	// be asked often: a resident's card is seen within this time.
	DefaultPollInterval = 20 * time.Millisecond
	// DefaultRecheck is how often a card left on the reader is read
	// again to catch a swap: a full read costs about 120 ms of line time,
	// so it is done twice a second, not on every poll.
	DefaultRecheck = 500 * time.Millisecond
)

// WatcherOptions configure a Watcher. The zero value is the default.
type WatcherOptions struct {
	// Reader configures the driver made on each connection.
	Reader Options
	// Interval between two polls; 0 means DefaultPollInterval.
	Interval time.Duration
	// Recheck is how often a card left on the reader is selected and
	// read again, so that a card swapped for another between two polls
	// (lifted and replaced, or laid on top) is reported as the card it
	// is; 0 means DefaultRecheck.
	Recheck time.Duration
	// MinBackoff and MaxBackoff bound the wait between attempts to reopen
	// the port; 0 means 250 ms and 5 s.
	MinBackoff, MaxBackoff time.Duration
	// ReadAttempts is how many polls try to read a card that is found but
	// cannot be selected or read before it is reported as unreadable; 0
	// means 3.
	ReadAttempts int
	// FailuresToDisconnect is how many polls in a row may fail (timeouts,
	// damaged replies) before the reader counts as disconnected and the
	// port is reopened; 0 means 5.
	FailuresToDisconnect int
	// Now stamps events; nil means time.Now.
	Now func() time.Time
}

// Watcher polls a reader (find → select → read) and reports cards placed
// and removed. A card left on the reader is reported once. Because some
// readers fail find for a card still there right after reading it
// (docs/idcard-protocol.md, "Field traps"), a card counts as removed only
// after two "no card" answers in a row. When the port vanishes the Watcher reports it, reopens it through
// the Opener with backoff, and reports it back.
type Watcher struct {
	open   conn.Opener
	opts   WatcherOptions
	events chan Event
}

// NewWatcher returns a Watcher; Run starts it.
func NewWatcher(open conn.Opener, opts *WatcherOptions) *Watcher {
	w := &Watcher{open: open, events: make(chan Event, 16)}
	if opts != nil {
		w.opts = *opts
	}
	o := &w.opts
	if o.Interval <= 0 {
		o.Interval = DefaultPollInterval
	}
	if o.Recheck <= 0 {
		o.Recheck = DefaultRecheck
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 250 * time.Millisecond
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(5*time.Second, o.MinBackoff)
	}
	if o.ReadAttempts <= 0 {
		o.ReadAttempts = 3
	}
	if o.FailuresToDisconnect <= 0 {
		o.FailuresToDisconnect = 5
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Reader.Now == nil {
		o.Reader.Now = o.Now
	}
	return w
}

// Events returns the channel of events. It is closed when Run returns.
// Run waits for each event to be received: keep reading.
func (w *Watcher) Events() <-chan Event { return w.events }

// watch is the state of one Run.
type watch struct {
	*Watcher
	reader   *Reader
	present  bool      // a card has been reported placed
	key      string    // the number of the card reported, for debounce
	noCard   int       // "no card" answers in a row while present
	attempts int       // failed polls on a found card not yet reported
	failures int       // failed polls in a row
	checkAt  time.Time // when the card reported present is read again
}

// Run polls until ctx ends, then closes the port and the Events channel
// and returns ctx's error. Call it once.
func (w *Watcher) Run(ctx context.Context) error {
	defer close(w.events)
	s := &watch{Watcher: w}
	defer func() {
		if s.reader != nil {
			s.reader.Close()
		}
	}()
	backoff := w.opts.MinBackoff
	reportedDown := false
	for ctx.Err() == nil {
		if s.reader == nil {
			conn, err := w.open(ctx)
			if err != nil {
				if ctx.Err() != nil {
					break
				}
				if !reportedDown {
					s.emit(ctx, Event{Kind: ReaderDisconnected, Err: err})
					reportedDown = true
				}
				wait.Sleep(ctx, backoff)
				backoff = min(2*backoff, w.opts.MaxBackoff)
				continue
			}
			s.reader = NewReader(conn, &w.opts.Reader)
			backoff = w.opts.MinBackoff
			reportedDown = false
			s.failures = 0
			s.emit(ctx, Event{Kind: ReaderConnected})
		}
		if err := s.poll(ctx); err != nil && ctx.Err() == nil {
			s.failures++
			if errors.Is(err, ErrDisconnected) || s.failures >= w.opts.FailuresToDisconnect {
				s.disconnect(ctx, err)
				reportedDown = true
				continue // reopen at once: a replug is often immediate
			}
		} else {
			s.failures = 0
		}
		wait.Sleep(ctx, w.opts.Interval)
	}
	return ctx.Err()
}

func (s *watch) disconnect(ctx context.Context, err error) {
	s.reader.Close()
	s.reader = nil
	if s.present {
		s.removed(ctx)
	}
	s.emit(ctx, Event{Kind: ReaderDisconnected, Err: err})
	wait.Sleep(ctx, s.opts.MinBackoff)
}

func (s *watch) removed(ctx context.Context) {
	s.present, s.key, s.noCard, s.attempts = false, "", 0, 0
	s.emit(ctx, Event{Kind: CardRemoved})
}

// poll runs one find, and select and read when a new card is there. It
// returns an error only for failures of the link (not for "no card").
func (s *watch) poll(ctx context.Context) error {
	found, err := s.reader.Find(ctx)
	if err != nil {
		return err
	}
	if !found {
		s.attempts = 0
		if s.present {
			if s.noCard++; s.noCard >= 2 {
				s.removed(ctx)
			}
		}
		return nil
	}
	// A card found again after one "no card" may have been swapped for
	// another, and so may a card left on the reader: read it again, at
	// once after a "no card", every Recheck otherwise, and compare.
	again := s.present && s.noCard > 0
	s.noCard = 0
	periodic := s.present && !again
	if periodic && s.opts.Now().Before(s.checkAt) {
		return nil // the same card, still there
	}
	recheck := again || periodic
	foundAt := s.opts.Now()
	if err := s.reader.Select(ctx); err != nil {
		if recheck && errors.Is(err, ErrSelectFailed) {
			s.checkAt = s.opts.Now().Add(s.opts.Recheck)
			return nil // readers refuse to reselect a card already read
		}
		if periodic && !errors.Is(err, ErrDisconnected) {
			return nil // the card on the pad did not answer this time
		}
		return s.failedRead(ctx, err)
	}
	c, err := s.reader.readSelected(ctx)
	if c == nil {
		if periodic && !errors.Is(err, ErrDisconnected) {
			return nil
		}
		return s.failedRead(ctx, err)
	}
	s.checkAt = s.opts.Now().Add(s.opts.Recheck)
	key := c.Number.Reveal()
	if recheck && key == s.key {
		c.Wipe()
		return nil
	}
	if s.present {
		s.removed(ctx)
	}
	s.present, s.key, s.attempts = true, key, 0
	s.emit(ctx, Event{Kind: CardPlaced, FoundAt: foundAt, Card: c, Err: err})
	return nil
}

// failedRead counts a failed select or read of a found card. Link errors
// go up; after ReadAttempts polls the card is reported unreadable once.
func (s *watch) failedRead(ctx context.Context, err error) error {
	if errors.Is(err, ErrDisconnected) {
		return err
	}
	s.attempts++
	if s.attempts < s.opts.ReadAttempts {
		return nil
	}
	if s.present {
		s.removed(ctx)
	}
	s.present, s.key, s.attempts = true, "", 0
	s.checkAt = s.opts.Now().Add(s.opts.Recheck) // read again later: she may lay it flat without lifting it
	s.emit(ctx, Event{Kind: CardPlaced, Err: fmt.Errorf("idcard: card unreadable: %w", err)})
	return nil
}

func (s *watch) emit(ctx context.Context, e Event) {
	e.At = s.opts.Now()
	wait.Send(ctx, s.events, e)
}

package wire

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/devices/conn"
)

// ErrPortDown is what a read or write on a PrinterPort returns while no
// port is open: the printer was not there at start, or went away and
// has not been reopened yet. It is matched with errors.Is.
var ErrPortDown = errors.New("printer port not open")

// PrinterPort backoff defaults, those of idcard.Watcher's reopening.
const (
	DefaultMinBackoff = 250 * time.Millisecond
	DefaultMaxBackoff = 5 * time.Second
)

// PrinterPort is the printer's connection for escpos.NewPrinter that
// survives the printer being absent at start and being unplugged while
// running, as idcard.Watcher does for the card reader. Connect opens the
// port through Open when it is closed, no more often than the backoff
// allows; a read or write failing with an error that says the device is
// gone (conn.Gone) closes it, so that the next Connect reopens it. Printer
// calls Connect before every print and status request, and the flow
// polls the status: the status bar goes from "not connected" to "ready"
// by itself once the printer is plugged in.
//
// Its methods are safe for concurrent use. The zero value is not usable:
// Open must be set.
type PrinterPort struct {
	// Open opens the printer's port (a serial port by name or USB ID, a
	// pty in tests).
	Open conn.Opener
	// MinBackoff and MaxBackoff bound the wait between failed attempts
	// to open; zero means the defaults.
	MinBackoff, MaxBackoff time.Duration
	// Now is the clock of the backoff; nil means time.Now.
	Now func() time.Time
	// Log, if set, says when the port opens and when it goes away.
	Log *slog.Logger

	mu      sync.Mutex
	conn    conn.Conn
	backoff time.Duration
	next    time.Time // no attempt to open before
	lastErr error     // why the last attempt failed
	// deadline is the last read deadline set, applied to a port opened
	// later, so that no read waits without one.
	deadline time.Time
}

var _ conn.Conn = (*PrinterPort)(nil)

func (p *PrinterPort) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *PrinterPort) bounds() (lo, hi time.Duration) {
	lo, hi = p.MinBackoff, p.MaxBackoff
	if lo <= 0 {
		lo = DefaultMinBackoff
	}
	if hi < lo {
		hi = max(DefaultMaxBackoff, lo)
	}
	return lo, hi
}

// Connect opens the port if it is not open. Inside the backoff after a
// failed attempt it returns that attempt's error at once, without
// trying: a status poll every second must not hammer a missing device.
// The error wraps ErrPortDown and the opener's error.
func (p *PrinterPort) Connect(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn != nil {
		return nil
	}
	if p.lastErr != nil && p.now().Before(p.next) {
		return p.lastErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	lo, hi := p.bounds()
	c, err := p.Open(ctx)
	if err != nil {
		p.backoff = min(max(2*p.backoff, lo), hi)
		p.next = p.now().Add(p.backoff)
		p.lastErr = fmt.Errorf("%w: %w", ErrPortDown, err)
		return p.lastErr
	}
	if p.lastErr != nil && p.Log != nil {
		p.Log.Info("Printer port opened")
	}
	if !p.deadline.IsZero() {
		_ = c.SetReadDeadline(p.deadline)
	}
	p.conn, p.backoff, p.lastErr = c, 0, nil
	return nil
}

// Connected reports whether the port is open.
func (p *PrinterPort) Connected() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conn != nil
}

// current returns the open port, or ErrPortDown.
func (p *PrinterPort) current() (conn.Conn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn == nil {
		if p.lastErr != nil {
			return nil, p.lastErr
		}
		return nil, ErrPortDown
	}
	return p.conn, nil
}

// gone closes c if it is still the open port and err says the device
// went away; the next Connect reopens it at once.
func (p *PrinterPort) gone(c conn.Conn, err error) error {
	if !conn.Gone(err) {
		return err
	}
	p.mu.Lock()
	if p.conn == c {
		p.conn = nil
		p.lastErr = fmt.Errorf("%w: %w", ErrPortDown, err)
		p.next = time.Time{}
		_ = c.Close()
		if p.Log != nil {
			p.Log.Warn("Printer port gone; reopening when needed", "err", err)
		}
	}
	p.mu.Unlock()
	return fmt.Errorf("%w: %w", ErrPortDown, err)
}

// Read implements conn.Conn.
func (p *PrinterPort) Read(b []byte) (int, error) {
	return p.use(func(c conn.Conn) (int, error) { return c.Read(b) })
}

// Write implements conn.Conn.
func (p *PrinterPort) Write(b []byte) (int, error) {
	return p.use(func(c conn.Conn) (int, error) { return c.Write(b) })
}

// use does one read or write on the open port; an error that says the
// device went away closes it (gone).
func (p *PrinterPort) use(rw func(conn.Conn) (int, error)) (int, error) {
	c, err := p.current()
	if err != nil {
		return 0, err
	}
	n, err := rw(c)
	if err != nil {
		err = p.gone(c, err)
	}
	return n, err
}

// SetReadDeadline implements conn.Conn. With no port open it is kept
// for the port Connect opens next.
func (p *PrinterPort) SetReadDeadline(t time.Time) error {
	p.mu.Lock()
	p.deadline = t
	c := p.conn
	p.mu.Unlock()
	if c == nil {
		return nil
	}
	return c.SetReadDeadline(t)
}

// Close closes the port if it is open; a later Connect opens it again.
func (p *PrinterPort) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conn == nil {
		return nil
	}
	err := p.conn.Close()
	p.conn = nil
	return err
}

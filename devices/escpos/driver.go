package escpos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/devices/conn"
	"github.com/shcommunity/kiosk/internal/pace"
)

// Driver defaults.
const (
	// DefaultStatusTimeout is how long each DLE EOT request waits. A real
	// printer answers in a few milliseconds; the margin covers a busy
	// kiosk and a USB-serial bridge's latency timer.
	DefaultStatusTimeout = 500 * time.Millisecond
	// DefaultChunk is how many bytes are written at a time: small enough
	// that a cancelled context stops a job quickly.
	DefaultChunk = 256
)

// Printer drives one ESC/POS printer over a conn.Conn. If the
// connection also has a write deadline (conn.WriteDeadliner), a cancelled
// context interrupts a blocked write as well as a read. Its methods are
// safe for concurrent use; they run one at a time.
type Printer struct {
	// StatusTimeout bounds the wait for each status reply.
	StatusTimeout time.Duration
	// Chunk is the write size for print jobs.
	Chunk int
	// Baud paces the writes (bytes leave no faster than the line carries
	// them, since the serial library has no flow control). It starts as
	// the profile's rate; zero or negative turns pacing off.
	Baud int
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Fresh, when positive, lets Print skip its status check before the
	// job when the last status read (by Status, or after an earlier job)
	// found the printer ready less than Fresh ago: the four requests and
	// their replies then leave the path from a card to the paper. The
	// check after the job is never skipped, so a printer that ran out of
	// paper or opened its cover meanwhile still fails the print. Zero:
	// always check before.
	Fresh time.Duration

	lastReady time.Time // when a status read last found the printer ready

	mu      sync.Mutex
	conn    conn.Conn
	profile Profile
}

// NewPrinter returns a driver for the printer of profile p on conn.
func NewPrinter(c conn.Conn, p Profile) *Printer {
	return &Printer{
		StatusTimeout: DefaultStatusTimeout,
		Chunk:         DefaultChunk,
		Baud:          p.Baud,
		Now:           time.Now,
		conn:          c,
		profile:       p,
	}
}

// Profile returns the printer's profile.
func (p *Printer) Profile() Profile { return p.profile }

// Close closes the connection.
func (p *Printer) Close() error { return p.conn.Close() }

// Result is what a print job did.
type Result struct {
	// Bytes is how many bytes were sent.
	Bytes int
	// Elapsed is the time from the first status request to the last reply.
	Elapsed time.Duration
	// Before and After are the printer's status around the job.
	Before, After Status
	// PaperNearEnd warns that the roll is nearly finished: the job
	// printed, but someone should change the paper soon.
	PaperNearEnd bool
}

// Status asks DLE EOT 1, 2, 3 and 4 and returns the printer's state. A
// request without a reply within StatusTimeout gives an error wrapping
// ErrNotResponding; a reply of the wrong shape, ErrBadStatus. Status does
// not judge the state: see Status.Err.
func (p *Printer) Status(ctx context.Context) (Status, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status(ctx)
}

// Print sends job (the bytes of a Builder) if the printer is ready, then
// asks its status again. It returns an error, never a silent success,
// when the printer is not responding, or when before or after the job it
// is offline, out of paper, has its cover open or a cutter or other error:
// errors.Is(err, ErrPaperOut) and the like tell which. When the error
// comes from the check before, nothing was sent; from the check after,
// the slip must be taken as not printed.
func (p *Printer) Print(ctx context.Context, job []byte) (Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	start := p.Now()
	var res Result
	if p.Fresh <= 0 || p.lastReady.IsZero() || start.Sub(p.lastReady) >= p.Fresh {
		st, err := p.status(ctx)
		res.Before = st
		if err != nil {
			return res, fmt.Errorf("printer: before printing: %w", err)
		}
		if err := st.Err(); err != nil {
			return res, fmt.Errorf("before printing: %w", err)
		}
	}
	n, err := p.send(ctx, job)
	res.Bytes = n
	if err != nil {
		return res, fmt.Errorf("printer: send job (%d of %d bytes sent): %w", n, len(job), err)
	}
	p.skipAnswers(ctx, job)
	st, err := p.status(ctx)
	res.After = st
	res.Elapsed = p.Now().Sub(start)
	if err != nil {
		return res, fmt.Errorf("printer: after printing: %w", err)
	}
	if err := st.Err(); err != nil {
		return res, fmt.Errorf("after printing: %w", err)
	}
	res.PaperNearEnd = res.Before.PaperNearEnd || st.PaperNearEnd
	return res, nil
}

// send writes job in chunks at the line rate, stopping when ctx ends.
func (p *Printer) send(ctx context.Context, job []byte) (int, error) {
	release, err := conn.Bind(ctx, p.conn, time.Time{})
	if err != nil {
		return 0, err
	}
	defer release()
	var w io.Writer = p.conn
	if p.Baud > 0 {
		w = pace.NewWriter(p.conn, p.Baud)
	}
	chunk := p.Chunk
	if chunk <= 0 {
		chunk = DefaultChunk
	}
	sent := 0
	for sent < len(job) {
		if err := ctx.Err(); err != nil {
			return sent, err
		}
		end := min(sent+chunk, len(job))
		n, err := w.Write(job[sent:end])
		sent += n
		if err != nil {
			if ctx.Err() != nil {
				return sent, ctx.Err()
			}
			return sent, err
		}
	}
	return sent, nil
}

// skipAnswers waits for the printer's answers to the DLE EOT patterns
// in job, which it answers wherever they occur (raster rows that happen
// to hold 10 04 01, a Builder.StatusRequest), so that none is taken for
// an answer to the check after the job: drain alone cannot tell an answer
// still on the line from none. It reads until it has seen as many status
// bytes as the job has patterns, or for StatusTimeout at most: a printer
// that ignores such patterns costs that wait once.
func (p *Printer) skipAnswers(ctx context.Context, job []byte) {
	var requests StatusScanner
	n := 0
	requests.Scan(job, func(StatusKind) { n++ })
	if n == 0 {
		return
	}
	deadline := p.Now().Add(p.statusTimeout())
	release, err := conn.Bind(ctx, p.conn, deadline)
	if err != nil {
		return
	}
	defer release()
	var b [1]byte
	for n > 0 {
		m, err := p.conn.Read(b[:])
		if err != nil || (m == 0 && !p.Now().Before(deadline)) {
			return
		}
		if m == 1 && IsStatusByte(b[0]) {
			n--
		}
	}
}

func (p *Printer) statusTimeout() time.Duration {
	if p.StatusTimeout <= 0 {
		return DefaultStatusTimeout
	}
	return p.StatusTimeout
}

func (p *Printer) status(ctx context.Context) (st Status, err error) {
	defer func() {
		if err == nil && st.Err() == nil {
			p.lastReady = p.Now()
		} else {
			p.lastReady = time.Time{}
		}
	}()
	if err := ctx.Err(); err != nil {
		return st, err
	}
	p.drain()
	for n := StatusPrinter; n <= StatusPaperSensor; n++ {
		b, err := p.query(ctx, n)
		if err != nil {
			return st, err
		}
		if err := st.Set(n, b); err != nil {
			return st, err
		}
	}
	return st, nil
}

// drain discards bytes already waiting: replies a printer gave to a DLE
// EOT pattern inside raster data (docs/escpos.md, "Real-time status: DLE
// EOT"), or to a request that timed out, must not be taken for the answer
// to the next request.
func (p *Printer) drain() {
	var buf [64]byte
	if err := p.conn.SetReadDeadline(p.Now().Add(time.Millisecond)); err != nil {
		return
	}
	for range 64 {
		n, err := p.conn.Read(buf[:])
		if n == 0 || err != nil {
			return
		}
	}
}

// query sends DLE EOT n and waits for a byte with the status pattern,
// skipping any other (ASB, XON/XOFF) bytes.
func (p *Printer) query(ctx context.Context, n StatusKind) (byte, error) {
	timeout := p.statusTimeout()
	deadline := p.Now().Add(timeout)
	release, err := conn.Bind(ctx, p.conn, deadline)
	if err != nil {
		return 0, fmt.Errorf("status %d: set deadline: %w", n, err)
	}
	defer release()
	if _, err := p.conn.Write(StatusRequest(n)); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return 0, cerr
		}
		return 0, fmt.Errorf("status %d request: %w", n, err)
	}
	var b [1]byte
	for {
		m, err := p.conn.Read(b[:])
		if m == 1 && IsStatusByte(b[0]) {
			return b[0], nil
		}
		if cerr := ctx.Err(); cerr != nil {
			return 0, cerr
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return 0, fmt.Errorf("status %d: no reply in %v: %w", n, timeout, ErrNotResponding)
			}
			return 0, fmt.Errorf("status %d reply: %w", n, err)
		}
		// A serial port that reports its timeout as (0, nil).
		if m == 0 && !p.Now().Before(deadline) {
			return 0, fmt.Errorf("status %d: no reply in %v: %w", n, timeout, ErrNotResponding)
		}
	}
}

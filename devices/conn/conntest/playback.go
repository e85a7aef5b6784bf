package conntest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/devices/conn"
)

// Exchange is one step of a transcript.
type Exchange struct {
	// Name, if set, names the step in Close's report ("find", "status 3").
	Name string
	// W is what the driver must write; it may come in any number of
	// Write calls. Empty: the device speaks without being asked, as soon
	// as the steps before are done.
	W []byte
	// R is what the device answers once W is written in full. Nil is
	// silence.
	R []byte
	// Delay holds R back for this long after W is written (on the
	// bubble's clock in a synctest test): a device slow to answer, or an
	// answer still on the line. Answers after it queue behind it.
	Delay time.Duration
	// Err, if set, is what the device does after answering R: every Read
	// (once R has been read) and every Write from then on fails with Err,
	// as after an unplugged cable (serialport.ErrUnplugged, io.EOF).
	Err error
}

// String shows the step in hex, for reports and recorded transcripts.
func (e Exchange) String() string {
	var b strings.Builder
	if e.Name != "" {
		fmt.Fprintf(&b, "%s: ", e.Name)
	}
	fmt.Fprintf(&b, "W % X / R % X", e.W, e.R)
	if e.Delay != 0 {
		fmt.Fprintf(&b, " after %v", e.Delay)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, " / Err %v", e.Err)
	}
	return b.String()
}

// DefaultChunk is how many bytes a Read returns at most unless
// Playback.Chunk says otherwise: a serial line hands a reply over in
// pieces, and a driver must put them together.
const DefaultChunk = 8

// The errors of a Playback. A Write that goes off the transcript returns
// a *MismatchError; Close returns it again, or an error wrapping
// ErrUnfinished.
var (
	// ErrMismatch: the driver wrote something the transcript does not
	// have. A *MismatchError matches it.
	ErrMismatch = errors.New("conntest: write does not match the transcript")
	// ErrUnfinished: Close came before the driver wrote every exchange.
	ErrUnfinished = errors.New("conntest: transcript not finished")
)

// MismatchError is the first write that went off the transcript.
type MismatchError struct {
	Exchange int    // the step's index
	Name     string // the step's name
	Offset   int    // where in the step's W the first wrong byte is
	Got      []byte // what the driver wrote from the start of W
	Want     []byte // the step's W; nil past the end of the transcript
}

func (e *MismatchError) Error() string {
	var b strings.Builder
	if e.Want == nil {
		fmt.Fprintf(&b, "conntest: write after the end of the transcript (%d exchanges):\n", e.Exchange)
		b.WriteString("  got\n" + dump(e.Got, 0))
		return b.String()
	}
	fmt.Fprintf(&b, "conntest: exchange %d", e.Exchange)
	if e.Name != "" {
		fmt.Fprintf(&b, " (%s)", e.Name)
	}
	fmt.Fprintf(&b, ": write differs at offset %d (0x%X):\n", e.Offset, e.Offset)
	b.WriteString("  got\n" + dump(e.Got, e.Offset))
	b.WriteString("  want\n" + dump(e.Want, e.Offset))
	return b.String()
}

// Is makes a *MismatchError match ErrMismatch.
func (e *MismatchError) Is(target error) bool { return target == ErrMismatch }

// dump shows b as hex, 16 bytes a line with their offsets: the lines
// around at, and not the whole of a long print job.
func dump(b []byte, at int) string {
	const line, around = 16, 2
	from := max(0, (at/line-around)*line)
	to := min(len(b), (at/line+around+1)*line)
	var s strings.Builder
	if from > 0 {
		s.WriteString("    ...\n")
	}
	for i := from; i < to; i += line {
		fmt.Fprintf(&s, "    %04X  % X\n", i, b[i:min(i+line, to)])
	}
	if to < len(b) {
		s.WriteString("    ...\n")
	}
	return s.String()
}

// Playback is a device that follows a transcript. It is a conn.Conn and
// a conn.BaudSetter; it has no write deadline, because its writes never
// block. Its methods are safe for concurrent use.
type Playback struct {
	// Chunk is how many bytes a Read returns at most; 0 means
	// DefaultChunk. Set it before the first Read.
	Chunk int

	mu       sync.Mutex
	ops      []Exchange
	next     int       // the step being written
	wrote    int       // bytes of ops[next].W written so far
	pending  []byte    // answers arrived and not read yet
	arrivals []arrival // answers on their way, in order
	failed   error     // the device's Err, once reached
	errStep  int       // the step whose Err is failed
	reported bool      // failed has been returned to the driver
	mismatch *MismatchError
	written  []byte // every byte the driver wrote
	deadline time.Time
	baud     int
	closed   bool
	wake     chan struct{} // closed and replaced on every change
}

var (
	_ conn.Conn       = (*Playback)(nil)
	_ conn.BaudSetter = (*Playback)(nil)
)

// arrival is an answer that can be read from at on.
type arrival struct {
	at time.Time
	b  []byte
}

// New returns a device that follows ops. Steps with no W at the start
// answer at once.
func New(ops ...Exchange) *Playback {
	p := &Playback{ops: ops, wake: make(chan struct{})}
	p.advance()
	return p
}

// advance moves past the steps already done: the one whose W is written
// in full, and any that follow with nothing to write. It stops at a step
// with Err.
func (p *Playback) advance() {
	for p.next < len(p.ops) && p.failed == nil {
		op := p.ops[p.next]
		if p.wrote < len(op.W) {
			return
		}
		if len(op.R) > 0 {
			at := time.Now().Add(op.Delay)
			if n := len(p.arrivals); n > 0 && at.Before(p.arrivals[n-1].at) {
				at = p.arrivals[n-1].at
			}
			p.arrivals = append(p.arrivals, arrival{at, op.R})
			p.arrive()
		}
		if op.Err != nil {
			p.failed, p.errStep = op.Err, p.next
		}
		p.next++
		p.wrote = 0
	}
}

// arrive moves the answers due by now to pending. Call it with mu held.
func (p *Playback) arrive() {
	now := time.Now()
	for len(p.arrivals) > 0 && !now.Before(p.arrivals[0].at) {
		p.pending = append(p.pending, p.arrivals[0].b...)
		p.arrivals = p.arrivals[1:]
	}
}

// changed wakes every blocked Read. Call it with mu held.
func (p *Playback) changed() {
	close(p.wake)
	p.wake = make(chan struct{})
}

// Write matches b against the transcript. The first byte that differs
// fails this and every later Write and Read with a *MismatchError.
func (p *Playback) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closed:
		return 0, fmt.Errorf("conntest: write: %w", os.ErrClosed)
	case p.mismatch != nil:
		return 0, p.mismatch
	case p.failed != nil:
		p.reported = true
		return 0, p.failed
	}
	p.written = append(p.written, b...)
	defer p.changed()
	for i := 0; i < len(b); {
		if p.next >= len(p.ops) {
			p.mismatch = &MismatchError{Exchange: len(p.ops), Got: bytes.Clone(b[i:])}
			return i, p.mismatch
		}
		op := p.ops[p.next]
		n := min(len(b)-i, len(op.W)-p.wrote)
		want := op.W[p.wrote : p.wrote+n]
		if k := firstDiff(b[i:i+n], want); k >= 0 {
			got := append(bytes.Clone(op.W[:p.wrote]), b[i:]...)
			p.mismatch = &MismatchError{Exchange: p.next, Name: op.Name, Offset: p.wrote + k, Got: got, Want: op.W}
			return i + k, p.mismatch
		}
		p.wrote += n
		i += n
		p.advance()
		if p.failed != nil && i < len(b) {
			// The device went away with bytes of this write still to go.
			p.reported = true
			return i, p.failed
		}
	}
	return len(b), nil
}

func firstDiff(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// Read returns up to Chunk bytes of the device's answers. With nothing
// to give it blocks until an answer comes, the read deadline passes (an
// error matching os.ErrDeadlineExceeded), the device fails (the step's
// Err, after the answers before it) or Close (an error matching
// os.ErrClosed).
func (p *Playback) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	for {
		p.mu.Lock()
		p.arrive()
		switch {
		case p.closed:
			p.mu.Unlock()
			return 0, fmt.Errorf("conntest: read: %w", os.ErrClosed)
		case p.mismatch != nil:
			p.mu.Unlock()
			return 0, p.mismatch
		case len(p.pending) > 0:
			chunk := p.Chunk
			if chunk <= 0 {
				chunk = DefaultChunk
			}
			n := copy(b[:min(len(b), chunk)], p.pending)
			p.pending = p.pending[n:]
			p.mu.Unlock()
			return n, nil
		case p.failed != nil && len(p.arrivals) == 0:
			p.reported = true
			p.mu.Unlock()
			return 0, p.failed
		}
		deadline, wake := p.deadline, p.wake
		var next time.Time
		if len(p.arrivals) > 0 {
			next = p.arrivals[0].at
		}
		p.mu.Unlock()
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return 0, fmt.Errorf("conntest: read: %w", os.ErrDeadlineExceeded)
		}
		if !next.IsZero() && (deadline.IsZero() || next.Before(deadline)) {
			deadline = next
		}
		wait(deadline, wake)
	}
}

// wait blocks until wake is closed or until, which the zero time means
// never.
func wait(until time.Time, wake <-chan struct{}) {
	if until.IsZero() {
		<-wake
		return
	}
	t := time.NewTimer(time.Until(until))
	defer t.Stop()
	select {
	case <-wake:
	case <-t.C:
	}
}

// SetReadDeadline sets the time after which a Read with nothing to give
// fails; the zero time means none. It takes effect on a pending Read.
func (p *Playback) SetReadDeadline(t time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return fmt.Errorf("conntest: set deadline: %w", os.ErrClosed)
	}
	p.deadline = t
	p.changed()
	return nil
}

// SetBaud records the line rate a driver switched to; Baud returns it.
func (p *Playback) SetBaud(baud int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.baud = baud
	return nil
}

// Baud returns the rate of the last SetBaud, 0 if none.
func (p *Playback) Baud() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.baud
}

// Written returns every byte the driver has written, matching or not.
func (p *Playback) Written() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Clone(p.written)
}

// Close ends the connection, failing a pending Read, and says whether
// the driver followed the transcript: the first *MismatchError, or an
// error wrapping ErrUnfinished when steps are left (a step with Err
// counts as done once the driver has met the error). Unread answers do
// not count: a driver may rightly leave a device's late bytes unread.
// Closing again returns the same verdict, so that a test can ask after
// the driver has closed the connection itself.
func (p *Playback) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.closed = true
		p.changed()
	}
	switch {
	case p.mismatch != nil:
		return p.mismatch
	case p.failed != nil && !p.reported:
		return fmt.Errorf("%w: exchange %d%s: the driver never met its error %v", ErrUnfinished, p.errStep, named(p.ops[p.errStep]), p.failed)
	case p.failed != nil && p.errStep < len(p.ops)-1:
		return fmt.Errorf("%w: %d exchanges after exchange %d%s, whose error ends the connection", ErrUnfinished, len(p.ops)-1-p.errStep, p.errStep, named(p.ops[p.errStep]))
	case p.failed == nil && p.next < len(p.ops):
		op := p.ops[p.next]
		return fmt.Errorf("%w: exchange %d%s of %d: %d of %d bytes written (want % X)",
			ErrUnfinished, p.next, named(op), len(p.ops), p.wrote, len(op.W), op.W)
	}
	return nil
}

func named(op Exchange) string {
	if op.Name == "" {
		return ""
	}
	return " (" + op.Name + ")"
}

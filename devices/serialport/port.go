package serialport

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"go.bug.st/serial"

	"github.com/shcommunity/kiosk/devices/conn"
	"github.com/shcommunity/kiosk/internal/pace"
)

// DefaultBaud is the rate of the card reader and of most serial receipt
// printers out of the box.
const DefaultBaud = 115200

// Options configure Open. The zero value means 115200 baud, 8N1, no
// pacing.
type Options struct {
	// Baud is the line rate; 0 means DefaultBaud.
	Baud int
	// Pace holds each write back until the line would have sent it, at
	// the line rate (Baud), because the library has no flow control and a
	// printer's receive buffer overflows if fed faster.
	Pace bool
	// PaceBytesPerSecond, when positive, paces writes at this rate instead
	// of the line rate (a printer that prints slower than its line). It
	// implies Pace.
	PaceBytesPerSecond int
}

// pollSlice bounds each library read so that a deadline set while a Read
// is pending takes effect within this time.
const pollSlice = 50 * time.Millisecond

// Port is an open serial port. It is a conn.Conn and a conn.BaudSetter.
// Reads and writes may run concurrently with each other; like an
// *os.File, two concurrent reads are not ordered.
type Port struct {
	name string
	port serial.Port
	out  io.Writer // the port, or a pacer in front of it

	mu       sync.Mutex
	deadline time.Time
	baud     int
	pacer    *pace.Writer
	lineRate bool // the pacer follows the line rate

	closed atomic.Bool
}

var (
	_ conn.Conn       = (*Port)(nil)
	_ conn.BaudSetter = (*Port)(nil)
)

// openPort is replaced in tests that need a fake library port.
var openPort = serial.Open

// Open opens the named port (/dev/ttyUSB0, COM3, /dev/pts/7) at the given
// rate, 8 data bits, no parity, one stop bit. Errors match ErrNotFound,
// ErrBusy or ErrPermission.
func Open(name string, opts *Options) (*Port, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Baud == 0 {
		o.Baud = DefaultBaud
	}
	if o.Baud < 0 {
		return nil, &Error{Op: "open", Port: name, Err: fmt.Errorf("invalid baud rate %d", o.Baud)}
	}
	// InitialStatusBits stays nil: setting DTR/RTS makes Open fail on a
	// pseudo-terminal (docs/serial.md, "Pseudo-terminals").
	sp, err := openPort(name, &serial.Mode{BaudRate: o.Baud, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit})
	if err != nil {
		return nil, classify("open", name, err, false)
	}
	p := &Port{name: name, port: sp, out: sp, baud: o.Baud}
	switch {
	case o.PaceBytesPerSecond > 0:
		p.pacer = pace.NewWriter(sp, o.PaceBytesPerSecond*pace.BitsPerByte)
	case o.Pace:
		p.pacer = pace.NewWriter(sp, o.Baud)
		p.lineRate = true
	}
	if p.pacer != nil {
		p.out = p.pacer
	}
	return p, nil
}

// Name returns the name the port was opened with.
func (p *Port) Name() string { return p.name }

// Baud returns the current line rate.
func (p *Port) Baud() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.baud
}

// SetReadDeadline sets the time after which Read fails with an error
// matching os.ErrDeadlineExceeded. The zero time means no deadline. A
// deadline changed while a Read is pending takes effect within 50 ms.
func (p *Port) SetReadDeadline(t time.Time) error {
	if p.closed.Load() {
		return &Error{Op: "set deadline", Port: p.name, Err: ErrClosed}
	}
	p.mu.Lock()
	p.deadline = t
	p.mu.Unlock()
	return nil
}

func (p *Port) readDeadline() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.deadline
}

// Read reads up to len(b) bytes, blocking until at least one arrives, the
// deadline passes (os.ErrDeadlineExceeded), the port is closed (ErrClosed)
// or the device vanishes (ErrUnplugged).
func (p *Port) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	for {
		if p.closed.Load() {
			return 0, &Error{Op: "read", Port: p.name, Err: ErrClosed}
		}
		slice := pollSlice
		if dl := p.readDeadline(); !dl.IsZero() {
			left := time.Until(dl)
			if left <= 0 {
				return 0, &Error{Op: "read", Port: p.name, Err: os.ErrDeadlineExceeded}
			}
			slice = min(slice, left)
		}
		if err := p.port.SetReadTimeout(slice); err != nil {
			return 0, classify("read", p.name, err, p.closed.Load())
		}
		n, err := p.port.Read(b)
		if err != nil {
			return n, classify("read", p.name, err, p.closed.Load())
		}
		if n > 0 {
			return n, nil
		}
		// (0, nil) is the library's timeout: check the deadline again.
	}
}

// Write writes b, paced if the port was opened with pacing.
func (p *Port) Write(b []byte) (int, error) {
	if p.closed.Load() {
		return 0, &Error{Op: "write", Port: p.name, Err: ErrClosed}
	}
	n, err := p.out.Write(b)
	if err != nil {
		return n, classify("write", p.name, err, p.closed.Load())
	}
	return n, nil
}

// Drain waits until every written byte has left the port.
func (p *Port) Drain() error {
	return classify("drain", p.name, p.port.Drain(), p.closed.Load())
}

// ResetInput discards bytes received but not yet read.
func (p *Port) ResetInput() error {
	return classify("reset input", p.name, p.port.ResetInputBuffer(), p.closed.Load())
}

// SetBaud changes the line rate of the open port, as the card reader's
// "set baud" command requires once its reply has arrived at the old rate.
// Pacing at the line rate follows.
func (p *Port) SetBaud(baud int) error {
	if baud <= 0 {
		return &Error{Op: "set baud", Port: p.name, Err: fmt.Errorf("invalid baud rate %d", baud)}
	}
	if err := p.port.SetMode(&serial.Mode{BaudRate: baud, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit}); err != nil {
		return classify("set baud", p.name, err, p.closed.Load())
	}
	p.mu.Lock()
	p.baud = baud
	if p.lineRate {
		p.pacer.SetBaud(baud)
	}
	p.mu.Unlock()
	return nil
}

// Close closes the port and unblocks a pending Read, which returns an
// error matching ErrClosed. Closing twice is not an error.
func (p *Port) Close() error {
	if p.closed.Swap(true) {
		return nil
	}
	if err := p.port.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
		return classify("close", p.name, err, true)
	}
	return nil
}

package conn

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// Conn is what every device driver speaks to: a byte stream whose reads
// can be given a deadline. A read past the deadline returns an error
// matching os.ErrDeadlineExceeded; Close unblocks a pending Read.
type Conn interface {
	io.ReadWriteCloser
	SetReadDeadline(t time.Time) error
}

// WriteDeadliner is implemented by connections whose writes can block
// (net.Pipe, a pty whose reader stopped) and can be given a deadline. A
// serial port's writes do not block for long, and it has none.
type WriteDeadliner interface {
	SetWriteDeadline(t time.Time) error
}

// BaudSetter is implemented by connections whose line rate can change
// while open (a serial port). A driver that changes the device's rate
// (the card reader's "set baud" command) switches the port through it.
type BaudSetter interface {
	SetBaud(baud int) error
}

// Opener opens the connection to a device: a serial port by name or USB
// VID:PID, a pty, or a pipe to a simulator in tests. Drivers that reopen
// a device which went away (idcard.Watcher, the kiosk's printer port)
// take one.
type Opener func(ctx context.Context) (Conn, error)

// The conditions of a device that is not there. Each package that opens
// devices has its own errors with its own advice for a technician; they
// match these with errors.Is, which is how Gone knows them.
var (
	// ErrNotFound: there is no such device (no port of that name, no USB
	// device with that VID:PID).
	ErrNotFound = errors.New("device not found")
	// ErrUnplugged: the device vanished while its connection was open.
	ErrUnplugged = errors.New("device unplugged")
)

// Gone reports whether err means that the far end of a connection has
// gone and the connection is of no further use: the device is not found
// or was unplugged, the stream ended (also in the middle of a frame),
// the connection was closed, or the system reports the line itself
// failed (EIO from a pulled USB adapter or a pty whose other side
// closed, ENXIO, EBADF). A deadline or a cancelled context is not a gone
// device.
func Gone(err error) bool {
	if err == nil {
		return false
	}
	for _, target := range goneErrors {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

var goneErrors = []error{
	ErrNotFound, ErrUnplugged,
	io.EOF, io.ErrUnexpectedEOF, io.ErrClosedPipe, os.ErrClosed, net.ErrClosed,
	syscall.EIO, syscall.ENXIO, syscall.EBADF,
}

// past is the deadline Bind sets when its context ends: any time before
// now fails a pending read or write at once.
var past = time.Unix(1, 0)

// Bind ties rw's deadlines to ctx for one read or write, or one request
// and its reply. It sets rw's read deadline, and its write deadline if
// rw has one, to deadline, or to ctx's deadline when that is earlier (a
// zero deadline means ctx's deadline alone, or none). When ctx ends
// before release is called, it sets both to the past, so that a Read or
// Write blocked on a silent device returns at once with an error
// matching os.ErrDeadlineExceeded; the caller then reports ctx.Err().
//
// rw may have neither deadline (a plain stream in a fuzz test): Bind then
// does nothing. An error comes from setting the deadlines (a closed
// port); release is then a no-op, and Conn errors for which Gone holds
// mean the device is gone.
//
// release stops watching ctx, waiting for the watch if ctx ended at that
// moment, and clears both deadlines, so that the next operation starts
// from none and no late cancellation touches it. Call it exactly once.
func Bind(ctx context.Context, rw io.ReadWriter, deadline time.Time) (release func(), err error) {
	if d, ok := ctx.Deadline(); ok && (deadline.IsZero() || d.Before(deadline)) {
		deadline = d
	}
	rd, _ := rw.(interface{ SetReadDeadline(time.Time) error })
	wd, _ := rw.(WriteDeadliner)
	if rd == nil && wd == nil {
		return func() {}, nil
	}
	set := func(t time.Time) error {
		var err error
		if rd != nil {
			err = rd.SetReadDeadline(t)
		}
		if wd != nil {
			if werr := wd.SetWriteDeadline(t); err == nil {
				err = werr
			}
		}
		return err
	}
	if err := set(deadline); err != nil {
		return func() {}, err
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(fired)
		_ = set(past)
	})
	return func() {
		if !stop() {
			<-fired
		}
		_ = set(time.Time{})
	}, nil
}

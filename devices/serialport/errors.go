package serialport

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"go.bug.st/serial"

	"github.com/shcommunity/kiosk/devices/conn"
)

// The errors a caller acts on. Every error this package returns for one of
// these conditions matches the sentinel with errors.Is; the message says
// what a technician should check.
var (
	// ErrNotFound: no port of that name, or no USB device with that
	// VID:PID. It also matches conn.ErrNotFound.
	ErrNotFound error = &sentinel{conn.ErrNotFound, "serial port not found (is the device plugged in? `kioskctl ports` lists the ports)"}
	// ErrBusy: another program holds the port.
	ErrBusy = errors.New("serial port busy (another program has it open: stop it, or stop a second copy of the kiosk)")
	// ErrPermission: the user may not open the port.
	ErrPermission = errors.New("serial port permission denied (on Linux add the kiosk user to the dialout group and log in again)")
	// ErrUnplugged: the device vanished while the port was open. It also
	// matches conn.ErrUnplugged.
	ErrUnplugged error = &sentinel{conn.ErrUnplugged, "serial device unplugged (check the USB cable; the port is reopened when the device is back)"}
	// ErrClosed: the port was closed by this program. It also matches
	// os.ErrClosed.
	ErrClosed = fmt.Errorf("serial port closed: %w", os.ErrClosed)
)

// sentinel is an error with a technician's advice of its own that also
// matches the condition of package conn it is a case of, so that
// conn.Gone knows it.
type sentinel struct {
	cond error
	msg  string
}

func (s *sentinel) Error() string { return s.msg }

// Unwrap returns the condition of package conn.
func (s *sentinel) Unwrap() error { return s.cond }

// Error is the error Port returns: the operation, the port name and the
// cause. It matches the cause's sentinel with errors.Is.
type Error struct {
	Op   string // "open", "read", "write", "set baud", ...
	Port string
	Err  error
}

func (e *Error) Error() string { return e.Op + " " + e.Port + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// classify maps an error from go.bug.st/serial or the system to one of
// the sentinels, keeping the original as a second cause for the logs.
// closed tells whether this program closed the port itself, which turns
// the library's PortClosed into ErrClosed rather than ErrUnplugged.
func classify(op, name string, err error, closed bool) error {
	if err == nil {
		return nil
	}
	kind := kindOf(err, closed)
	if kind == nil {
		return &Error{Op: op, Port: name, Err: err}
	}
	return &Error{Op: op, Port: name, Err: fmt.Errorf("%w (%v)", kind, err)}
}

func kindOf(err error, closed bool) error {
	var pe *serial.PortError
	if errors.As(err, &pe) {
		switch pe.Code() {
		case serial.PortNotFound:
			return ErrNotFound
		case serial.PortBusy:
			return ErrBusy
		case serial.PermissionDenied:
			return ErrPermission
		case serial.PortClosed:
			if closed {
				return ErrClosed
			}
			return ErrUnplugged
		}
		return nil
	}
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrBusy), errors.Is(err, ErrPermission),
		errors.Is(err, ErrUnplugged), errors.Is(err, ErrClosed):
		return nil
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENODEV):
		return ErrNotFound
	case errors.Is(err, syscall.EBUSY):
		return ErrBusy
	case errors.Is(err, fs.ErrPermission):
		return ErrPermission
	case errors.Is(err, syscall.EIO), errors.Is(err, syscall.ENXIO):
		// A USB adapter pulled out, or a pty whose master went away.
		return ErrUnplugged
	case errors.Is(err, os.ErrClosed):
		if closed {
			return ErrClosed
		}
		return ErrUnplugged
	}
	return nil
}

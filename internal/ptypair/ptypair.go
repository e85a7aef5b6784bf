// Package ptypair opens a pseudo-terminal for a device simulator.
//
// The simulator reads and writes the master side; the program under test
// opens Path (for example /dev/pts/7) as if it were /dev/ttyUSB0. Three
// traps of pseudo-terminals (docs/serial.md, "Pseudo-terminals") are
// handled here so that no caller meets them:
//
//   - A fresh pty has cooked termios (echo, ^C flushing, LF→CRLF) that
//     mangles protocol bytes; the slave is put into raw mode at once.
//   - The master *os.File returned by creack/pty ignores read deadlines; it
//     is duplicated and set non-blocking so that deadlines and Close work.
//   - When every slave descriptor closes, reads on the master fail with
//     EIO; the pair keeps its own slave descriptor open so the program
//     under test can close and reopen the port.
package ptypair

import (
	"context"
	"errors"
	"io"
	"os"
)

// ErrUnsupported is returned on platforms without pseudo-terminals
// (Windows); use the simulators in-process over pipes there.
var ErrUnsupported = errors.New("pseudo-terminals are not supported on this platform")

// Pair is an open pseudo-terminal.
type Pair struct {
	// Master is the simulator's end. It honours read deadlines.
	Master *os.File
	// Path is the slave device for the program under test to open.
	Path string

	slave *os.File
}

// Close closes both ends. A program that still has Path open sees its
// port vanish, as with a device unplugged.
func (p *Pair) Close() error {
	err := p.Master.Close()
	if p.slave != nil {
		if e := p.slave.Close(); err == nil {
			err = e
		}
	}
	return err
}

// TB is the part of testing.TB that ForTest and Serve use (this package
// does not import testing).
type TB interface {
	Helper()
	Skip(args ...any)
	Fatal(args ...any)
	Cleanup(func())
}

// ForTest opens a pair for a test: it skips the test, saying why, where
// the platform has no pseudo-terminals, and fails it on any other error.
// The caller closes the pair.
func ForTest(tb TB, why string) *Pair {
	tb.Helper()
	p, err := Open()
	if errors.Is(err, ErrUnsupported) {
		tb.Skip(why)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// Serve runs a simulator for a test: it opens a pair as ForTest does,
// runs serve on the master side, and returns the path the program under
// test opens. When the test ends it cancels serve's context, waits for
// serve to return, and closes the pair.
func Serve(tb TB, serve func(context.Context, io.ReadWriter) error) string {
	tb.Helper()
	p := ForTest(tb, "no pseudo-terminals on this platform")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { serve(ctx, p.Master); close(done) }()
	tb.Cleanup(func() { cancel(); <-done; p.Close() })
	return p.Path
}

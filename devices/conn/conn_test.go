package conn_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shcommunity/kiosk/devices/conn"
	"github.com/shcommunity/kiosk/devices/conn/conntest"
)

// portError is a driver's own sentinel that matches conn's, as
// serialport's do.
type portError struct{ kind error }

func (e portError) Error() string { return "port: " + e.kind.Error() }
func (e portError) Unwrap() error { return e.kind }

func TestGone(t *testing.T) {
	for _, tc := range []struct {
		err  error
		gone bool
	}{
		{nil, false},
		{io.EOF, true},
		{io.ErrUnexpectedEOF, true},
		{io.ErrClosedPipe, true},
		{os.ErrClosed, true},
		{net.ErrClosed, true},
		{&os.PathError{Op: "read", Path: "/dev/ttyUSB0", Err: syscall.EIO}, true},
		{&os.PathError{Op: "read", Path: "/dev/ptmx", Err: syscall.ENXIO}, true},
		{&os.PathError{Op: "write", Path: "/dev/ttyUSB0", Err: syscall.EBADF}, true},
		{conn.ErrUnplugged, true},
		{conn.ErrNotFound, true},
		{fmt.Errorf("read: %w", portError{conn.ErrUnplugged}), true},
		{os.ErrDeadlineExceeded, false},
		{fmt.Errorf("read: %w", os.ErrDeadlineExceeded), false},
		{context.Canceled, false},
		{context.DeadlineExceeded, false},
		{errors.New("framing error"), false},
		{syscall.EBUSY, false},
	} {
		if got := conn.Gone(tc.err); got != tc.gone {
			t.Errorf("Gone(%v) = %v, want %v", tc.err, got, tc.gone)
		}
	}
}

// deadlines records every deadline set on it.
type deadlines struct {
	mu       sync.Mutex
	read     []time.Time
	write    []time.Time
	failWith error
}

func (d *deadlines) Read([]byte) (int, error)  { return 0, io.EOF }
func (d *deadlines) Write([]byte) (int, error) { return 0, io.EOF }

func (d *deadlines) SetReadDeadline(t time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.read = append(d.read, t)
	return d.failWith
}

func (d *deadlines) SetWriteDeadline(t time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.write = append(d.write, t)
	return d.failWith
}

func (d *deadlines) sets() (read, write []time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.read), slices.Clone(d.write)
}

// TestBindDeadline: the earlier of the caller's deadline and ctx's is
// set on both sides, and release clears them.
func TestBindDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		now := time.Now()
		mine, ctxs := now.Add(time.Second), now.Add(2*time.Second)
		ctx, cancel := context.WithDeadline(context.Background(), ctxs)
		defer cancel()
		for _, tc := range []struct {
			name  string
			ctx   context.Context
			given time.Time
			want  time.Time
		}{
			{"mine is earlier", ctx, mine, mine},
			{"ctx's is earlier", ctx, now.Add(time.Minute), ctxs},
			{"no deadline of mine", ctx, time.Time{}, ctxs},
			{"none at all", context.Background(), time.Time{}, time.Time{}},
		} {
			d := &deadlines{}
			release, err := conn.Bind(tc.ctx, d, tc.given)
			if err != nil {
				t.Fatalf("%s: Bind: %v", tc.name, err)
			}
			release()
			read, write := d.sets()
			want := []time.Time{tc.want, {}}
			if !slices.Equal(read, want) || !slices.Equal(write, want) {
				t.Errorf("%s: read deadlines %v, write deadlines %v; want %v on both", tc.name, read, write, want)
			}
		}
	})
}

// TestBindInterrupts: a read blocked on a silent device returns when ctx
// is cancelled, long before its own deadline.
func TestBindInterrupts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dev := conntest.New()
		ctx, cancel := context.WithCancel(context.Background())
		release, err := conn.Bind(ctx, dev, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		done := make(chan error, 1)
		go func() {
			_, err := dev.Read(make([]byte, 1))
			done <- err
		}()
		synctest.Wait() // the read is blocked
		cancel()
		if err := <-done; !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("Read = %v, want os.ErrDeadlineExceeded", err)
		}
		if waited := time.Since(start); waited != 0 {
			t.Errorf("the read waited %v after the cancel", waited)
		}
		release()
		if err := dev.Close(); err != nil {
			t.Error(err)
		}
	})
}

// TestBindReleaseAfterCancel: when ctx has ended, release waits for the
// deadlines to be set to the past before clearing them, so that nothing
// late touches the next operation's deadline.
func TestBindReleaseAfterCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d := &deadlines{}
	release, err := conn.Bind(ctx, d, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	release()
	read, write := d.sets()
	for _, got := range [][]time.Time{read, write} {
		if len(got) != 3 || !got[0].IsZero() || !got[1].Before(time.Now()) || got[1].IsZero() || !got[2].IsZero() {
			t.Errorf("deadlines set %v, want none, then the past, then none", got)
		}
	}
	// A release after cancel on a live context changes nothing more.
	ctx, cancel = context.WithCancel(context.Background())
	d = &deadlines{}
	release, _ = conn.Bind(ctx, d, time.Time{})
	release()
	cancel()
	if read, _ := d.sets(); len(read) != 2 {
		t.Errorf("deadlines set %v after release and cancel, want only Bind's and release's", read)
	}
}

func TestBindErrors(t *testing.T) {
	d := &deadlines{failWith: &os.PathError{Op: "set deadline", Path: "/dev/ttyUSB0", Err: os.ErrClosed}}
	release, err := conn.Bind(context.Background(), d, time.Time{})
	if !conn.Gone(err) {
		t.Errorf("Bind on a closed port = %v, want an error Gone knows", err)
	}
	release() // a no-op, and safe to call

	// A stream with no deadlines at all: nothing to do, nothing fails.
	var plain struct{ io.ReadWriter }
	release, err = conn.Bind(context.Background(), plain, time.Now())
	if err != nil {
		t.Errorf("Bind on a plain stream = %v", err)
	}
	release()
}

package wire_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/wire"
	"github.com/shcommunity/kiosk/devices/conn"
	"github.com/shcommunity/kiosk/devices/conn/conntest"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
	"github.com/shcommunity/kiosk/devices/serialport"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/internal/ptypair"
)

// TestPrinterPortBackoff: a missing port is tried once, then not again
// before the backoff, which doubles up to its bound; a success resets it.
// The clock is the test's: nothing here sleeps.
func TestPrinterPortBackoff(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	attempts, present := 0, false
	p := &wire.PrinterPort{
		MinBackoff: time.Second, MaxBackoff: 4 * time.Second,
		Now: func() time.Time { return now },
		Open: func(context.Context) (conn.Conn, error) {
			attempts++
			if !present {
				return nil, fmt.Errorf("open /dev/ttyUSB9: %w", serialport.ErrNotFound)
			}
			return conntest.New(), nil
		},
	}
	ctx := context.Background()
	steps := []struct {
		advance      time.Duration
		present      bool
		wantAttempts int
		wantOpen     bool
	}{
		{0, false, 1, false},               // first try
		{0, false, 1, false},               // inside the 1 s backoff: no try
		{time.Second, false, 2, false},     // tried; backoff now 2 s
		{time.Second, false, 2, false},     // 1 s into 2 s: no try
		{time.Second, false, 3, false},     // tried; backoff now 4 s
		{4 * time.Second, false, 4, false}, // tried; backoff stays 4 s (the bound)
		{3 * time.Second, true, 4, false},  // plugged in, but 3 s into 4 s
		{time.Second, true, 5, true},       // tried and opened
		{0, true, 5, true},                 // open: no try
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		present = s.present
		err := p.Connect(ctx)
		if attempts != s.wantAttempts || (err == nil) != s.wantOpen || p.Connected() != s.wantOpen {
			t.Fatalf("step %d: %d attempts, err %v, connected %v; want %d attempts, open %v",
				i, attempts, err, p.Connected(), s.wantAttempts, s.wantOpen)
		}
		if err != nil && (!errors.Is(err, wire.ErrPortDown) || !errors.Is(err, serialport.ErrNotFound)) {
			t.Errorf("step %d: err %v does not match ErrPortDown and ErrNotFound", i, err)
		}
	}
}

// TestPrinterPortGone: a write failing with ErrUnplugged closes the
// port; the next Connect reopens it at once. Other errors leave it open.
func TestPrinterPortGone(t *testing.T) {
	for _, tc := range []struct {
		name     string
		err      error
		wantOpen bool
	}{
		{"unplugged", &serialport.Error{Op: "write", Port: "/dev/ttyUSB0", Err: serialport.ErrUnplugged}, false},
		{"not found", serialport.ErrNotFound, false},
		{"deadline", fmt.Errorf("read: %w", context.DeadlineExceeded), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opened := 0
			p := &wire.PrinterPort{Open: func(context.Context) (conn.Conn, error) {
				opened++
				// A printer whose port fails at the first write.
				return conntest.New(conntest.Exchange{Err: tc.err}), nil
			}}
			if err := p.Connect(context.Background()); err != nil {
				t.Fatal(err)
			}
			if _, err := p.Write([]byte{0x10, 0x04, 0x01}); !errors.Is(err, tc.err) {
				t.Errorf("Write err %v, want it to match %v", err, tc.err)
			}
			if p.Connected() != tc.wantOpen {
				t.Errorf("connected %v after %v, want %v", p.Connected(), tc.err, tc.wantOpen)
			}
			if !tc.wantOpen {
				if _, err := p.Read(make([]byte, 1)); !errors.Is(err, wire.ErrPortDown) {
					t.Errorf("Read on a closed port: %v, want ErrPortDown", err)
				}
				if err := p.Connect(context.Background()); err != nil || opened != 2 {
					t.Errorf("reconnect: err %v, opened %d times; want nil, 2", err, opened)
				}
			}
		})
	}
}

// simPrinter is the printer simulator on a fresh pty.
type simPrinter struct {
	pair   *ptypair.Pair
	sim    *escpossim.Printer
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

func startSim(t *testing.T) *simPrinter {
	t.Helper()
	pair, err := ptypair.Open()
	if err != nil {
		t.Fatalf("ptypair: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &simPrinter{pair: pair, sim: escpossim.New(escpos.Profile58), cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- s.sim.Serve(ctx, pair.Master) }()
	t.Cleanup(s.unplug)
	return s
}

// unplug takes the printer away: the pty closes under the kiosk.
func (s *simPrinter) unplug() {
	s.once.Do(func() {
		s.cancel()
		<-s.done
		s.pair.Close()
	})
}

// TestPrinterComesBack runs the kiosk's printer over a PrinterPort on
// the simulator: absent at start, plugged in, unplugged, plugged in again
// on another pty. The state follows by itself, as the status bar's poll
// sees it.
func TestPrinterComesBack(t *testing.T) {
	var mu sync.Mutex
	path := "" // no printer yet
	setPath := func(p string) { mu.Lock(); path = p; mu.Unlock() }
	port := &wire.PrinterPort{MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		Open: func(context.Context) (conn.Conn, error) {
			mu.Lock()
			p := path
			mu.Unlock()
			if p == "" {
				return nil, fmt.Errorf("open printer: %w", serialport.ErrNotFound)
			}
			return serialport.Open(p, &serialport.Options{Baud: escpos.Profile58.Baud})
		}}
	t.Cleanup(func() { port.Close() })
	drv := escpos.NewPrinter(port, escpos.Profile58)
	drv.StatusTimeout = time.Second // generous: two busy cores under -race
	pr := &wire.Printer{Driver: drv, Port: port, Centre: "test"}
	tk := flow.Ticket{Kind: flow.TicketCode, MaskedName: "张*丰", MaskedID: "3*************0019", QR: "HC1:TEST",
		IssuedAt: asOf, ExpiresAt: asOf.Add(24 * time.Hour), Serial: "S1",
		Status: healthcode.Status{Source: healthcode.SourceLive, Colour: healthcode.Green, AsOf: asOf}}

	ctx := context.Background()
	state := func() flow.PrinterState {
		ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		return pr.State(ctx)
	}
	until := func(want flow.PrinterState) {
		t.Helper()
		var got flow.PrinterState
		for range 300 {
			if got = state(); got == want {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("printer state %q, want %q", got, want)
	}

	if got := state(); got != flow.PrinterOffline {
		t.Errorf("no printer: state %q, want %q", got, flow.PrinterOffline)
	}
	err := pr.Print(ctx, tk)
	if p := flow.PrintProblem(err); p != flow.ProblemPrinterDown || !errors.Is(err, wire.ErrPortDown) {
		t.Errorf("print with no printer: %v (problem %q), want ErrPortDown and %q", err, p, flow.ProblemPrinterDown)
	}

	for i, name := range []string{"plugged in", "plugged in again"} {
		s := startSim(t)
		setPath(s.pair.Path)
		until(flow.PrinterReady)
		if err := pr.Print(ctx, tk); err != nil {
			t.Fatalf("%s: print: %v", name, err)
		}
		// The simulator answers status at its receive layer, ahead of
		// rendering, so the slip may land a moment after Print returns.
		var got int
		for range 200 {
			if got = s.sim.Printed(); got == 1 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if got != 1 {
			t.Errorf("%s: the simulator printed %d slips, want 1", name, got)
		}
		if i == 0 {
			s.unplug() // mid-way: the kiosk still holds the old port
			until(flow.PrinterOffline)
			if err := pr.Print(ctx, tk); flow.PrintProblem(err) != flow.ProblemPrinterDown {
				t.Errorf("print after unplugging: %v, want problem %q", err, flow.ProblemPrinterDown)
			}
		}
	}
}

// unplugAt is a printer port that pulls the printer out once the kiosk
// has written at bytes to it: the pty closes under the driver in the
// middle of a slip, at the same byte on any machine.
type unplugAt struct {
	conn.Conn
	at, written int
	unplug      func()
}

func (u *unplugAt) Write(b []byte) (int, error) {
	if u.written < u.at && u.written+len(b) >= u.at {
		u.unplug()
	}
	n, err := u.Conn.Write(b)
	u.written += n
	return n, err
}

// TestPrinterUnpluggedMidSlip: the printer is pulled out half-way
// through a slip. Print fails as "not responding" (the screen's printer
// problem, which prints the slip again once the printer is back), the
// simulator delivered no slip, and once a printer is plugged in again the
// same slip prints whole, once.
func TestPrinterUnpluggedMidSlip(t *testing.T) {
	first := startSim(t)
	var mu sync.Mutex
	path := first.pair.Path
	port := &wire.PrinterPort{MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		Open: func(context.Context) (conn.Conn, error) {
			mu.Lock()
			p := path
			mu.Unlock()
			c, err := serialport.Open(p, &serialport.Options{Baud: escpos.Profile58.Baud})
			if err != nil || p != first.pair.Path {
				return c, err
			}
			return &unplugAt{Conn: c, at: 150, unplug: first.unplug}, nil
		}}
	t.Cleanup(func() { port.Close() })
	drv := escpos.NewPrinter(port, escpos.Profile58)
	drv.StatusTimeout = time.Second
	pr := &wire.Printer{Driver: drv, Port: port, Centre: "test"}
	tk := flow.Ticket{Kind: flow.TicketCode, MaskedName: "张*丰", MaskedID: "3*************0019", QR: "HC1:TEST",
		IssuedAt: asOf, ExpiresAt: asOf.Add(24 * time.Hour), Serial: "S1",
		Status: healthcode.Status{Source: healthcode.SourceLive, Colour: healthcode.Green, AsOf: asOf}}
	ctx := context.Background()

	err := pr.Print(ctx, tk)
	if p := flow.PrintProblem(err); p != flow.ProblemPrinterDown || !errors.Is(err, wire.ErrPortDown) {
		t.Fatalf("print with the printer pulled mid-slip: %v (problem %q), want ErrPortDown and %q", err, p, flow.ProblemPrinterDown)
	}
	if n := first.sim.Printed(); n != 0 {
		t.Errorf("the printer pulled mid-slip delivered %d slips, want 0", n)
	}

	again := startSim(t)
	mu.Lock()
	path = again.pair.Path
	mu.Unlock()
	var st flow.PrinterState
	for range 300 {
		sctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		st = pr.State(sctx)
		cancel()
		if st == flow.PrinterReady {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st != flow.PrinterReady {
		t.Fatalf("printer plugged in again: state %q", st)
	}
	if err := pr.Print(ctx, tk); err != nil {
		t.Fatalf("reprint: %v", err)
	}
	var got int
	for range 200 { // the simulator renders a moment after it answers
		if got = again.sim.Printed(); got == 1 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got != 1 || first.sim.Printed() != 0 {
		t.Errorf("after the reprint: %d slips on the new printer, %d on the old; want 1 and 0", got, first.sim.Printed())
	}
}

package idcardsim_test

import (
	"context"
	"errors"
	"net"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/devices/conn"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/idcard/idcardsim"
	"github.com/shcommunity/kiosk/devices/serialport"
	"github.com/shcommunity/kiosk/internal/ptypair"
)

// servePty runs sim on the master of a new pty and returns the pair; the
// program under test opens pair.Path. Closing the pair unplugs the reader.
func servePty(tb testing.TB, sim *idcardsim.Sim) *ptypair.Pair {
	tb.Helper()
	pair := ptypair.ForTest(tb, "no pseudo-terminals on this platform; the net.Pipe tests cover the same code")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sim.Serve(ctx, pair.Master) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			tb.Errorf("Serve = %v", err)
		}
		pair.Close()
	})
	return pair
}

func openPort(tb testing.TB, path string) *serialport.Port {
	tb.Helper()
	p, err := serialport.Open(path, &serialport.Options{Baud: 115200})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { p.Close() })
	return p
}

var quick = idcard.Timeouts{Find: 300 * time.Millisecond, Select: 300 * time.Millisecond, Read: time.Second, SAM: 300 * time.Millisecond}

// Every card of the deck, read through a real port on a pty at a paced
// 115200 baud, decodes to the deck's card.
func TestEveryCardOverPty(t *testing.T) {
	sim := idcardsim.New(idcardsim.SampleDeck(), nil)
	pair := servePty(t, sim)
	r := idcard.NewReader(openPort(t, pair.Path), &idcard.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	if err := r.SAMStatus(ctx); err != nil {
		t.Fatal(err)
	}
	for _, dc := range sim.Deck().Cards {
		t.Run(dc.Label, func(t *testing.T) {
			if err := sim.Place(dc.Label); err != nil {
				t.Fatal(err)
			}
			got, err := r.ReadCard(ctx)
			want, _ := dc.Card()
			if dc.Label == "expired" {
				var ce *idcard.CardError
				if !errors.As(err, &ce) || !errors.Is(err, idcard.ErrCardExpired) {
					t.Fatalf("ReadCard = %v, want a *CardError for an expired card", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("ReadCard = %#v\nwant %#v", *got, *want)
			}
		})
	}
	sim.Remove()
	if _, err := r.ReadCard(ctx); !errors.Is(err, idcard.ErrNoCard) {
		t.Fatalf("ReadCard with no card = %v, want ErrNoCard", err)
	}
}

func TestFaultsOverPty(t *testing.T) {
	sim := idcardsim.New(idcardsim.SampleDeck(), nil)
	pair := servePty(t, sim)
	r := idcard.NewReader(openPort(t, pair.Path), &idcard.Options{Timeouts: quick, Now: func() time.Time { return now }})
	ctx := context.Background()
	sim.Place("resident-green")
	want, _ := sim.Deck().Cards[0].Card()

	tests := []struct {
		name  string
		fault idcardsim.Fault
		n     int
	}{
		{"checksum retried", idcardsim.FaultBadChecksum, 1},
		{"truncated frame times out and recovers", idcardsim.FaultTruncate, 1},
		{"garbage resyncs", idcardsim.FaultGarbage, 3},
		{"silence times out and recovers", idcardsim.FaultSilence, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim.Inject(tt.fault, tt.n)
			got, err := r.ReadCard(ctx)
			if err != nil {
				t.Fatalf("ReadCard = %v, want success after %s", err, tt.fault)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatal("card differs from the deck after recovery")
			}
			if sim.PendingFaults() != 0 {
				t.Fatalf("%d faults left unused", sim.PendingFaults())
			}
		})
	}
	t.Run("silence beyond retries", func(t *testing.T) {
		sim.Inject(idcardsim.FaultSilence, 3)
		_, err := r.Find(ctx)
		if !errors.Is(err, idcard.ErrTimeout) {
			t.Fatalf("Find = %v, want ErrTimeout", err)
		}
		if found, err := r.Find(ctx); !found || err != nil {
			t.Fatalf("next Find = %v, %v; want the reader back", found, err)
		}
	})
}

func TestSetBaudOverPty(t *testing.T) {
	sim := idcardsim.New(idcardsim.SampleDeck(), nil)
	pair := servePty(t, sim)
	port := openPort(t, pair.Path)
	r := idcard.NewReader(port, &idcard.Options{Timeouts: quick})
	if err := r.SetBaud(context.Background(), 38400); err != nil {
		t.Fatal(err)
	}
	if port.Baud() != 38400 {
		t.Errorf("port at %d baud, want 38400", port.Baud())
	}
	if err := r.SAMStatus(context.Background()); err != nil {
		t.Fatalf("SAMStatus at the new rate = %v", err)
	}
	if sim.Baud() != 38400 {
		t.Errorf("simulator at %d baud, want 38400", sim.Baud())
	}
}

// collector gathers a Watcher's events for a test.
type collector struct {
	t  *testing.T
	ch <-chan idcard.Event
}

func (c collector) next(want idcard.EventKind) idcard.Event {
	c.t.Helper()
	select {
	case e, ok := <-c.ch:
		if !ok {
			c.t.Fatalf("events closed, want %v", want)
		}
		if e.Kind != want {
			c.t.Fatalf("event %v (err %v), want %v", e.Kind, e.Err, want)
		}
		return e
	case <-time.After(10 * time.Second):
		c.t.Fatalf("no event, want %v", want)
	}
	return idcard.Event{}
}

// quiet checks that no event arrives while the watcher polls n more
// times: the debounce holds.
func (c collector) quiet(sim *idcardsim.Sim, n int) {
	c.t.Helper()
	start := sim.Count("find")
	give := time.After(10 * time.Second)
	for sim.Count("find") < start+n {
		select {
		case e := <-c.ch:
			c.t.Fatalf("unexpected event %v (card %v, err %v)", e.Kind, e.Card, e.Err)
		case <-give:
			c.t.Fatalf("the watcher stopped polling (%d finds, want %d)", sim.Count("find")-start, n)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// waitFinds waits until the watcher has polled n more times.
func waitFinds(t *testing.T, sim *idcardsim.Sim, n int) {
	t.Helper()
	end := time.Now().Add(10 * time.Second)
	for start := sim.Count("find"); sim.Count("find") < start+n; time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("the watcher stopped polling")
		}
	}
}

func startWatcher(t *testing.T, open conn.Opener) collector {
	w := idcard.NewWatcher(open, &idcard.WatcherOptions{
		Reader:     idcard.Options{Timeouts: quick},
		Interval:   10 * time.Millisecond,
		MinBackoff: 10 * time.Millisecond,
		MaxBackoff: 40 * time.Millisecond,
		Now:        func() time.Time { return now },
	})
	return runWatcher(t, w)
}

// runWatcher runs w until the test ends, and then drains its events and
// checks that it stopped for the test's end.
func runWatcher(t *testing.T, w *idcard.Watcher) collector {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		for range w.Events() {
		}
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
	})
	return collector{t: t, ch: w.Events()}
}

func TestWatcherOverPtyWithUnplug(t *testing.T) {
	sim := idcardsim.New(idcardsim.SampleDeck(), nil)
	var mu sync.Mutex
	pair := servePty(t, sim)
	path := pair.Path
	open := func(ctx context.Context) (conn.Conn, error) {
		mu.Lock()
		defer mu.Unlock()
		return serialport.Open(path, nil)
	}
	ev := startWatcher(t, open)
	ev.next(idcard.ReaderConnected)

	sim.Place("hk-permit")
	e := ev.next(idcard.CardPlaced)
	if e.Err != nil || e.Card == nil || e.Card.PassNumber.Reveal() != "H12345678" {
		t.Fatalf("placed event: card %v, err %v", e.Card, e.Err)
	}
	ev.quiet(sim, 5)
	sim.Remove()
	ev.next(idcard.CardRemoved)

	sim.Place("expired")
	e = ev.next(idcard.CardPlaced)
	if !errors.Is(e.Err, idcard.ErrCardExpired) || e.Card == nil {
		t.Fatalf("expired card: card %v, err %v; want both", e.Card, e.Err)
	}

	// Unplug: the pty vanishes under the open port.
	pair.Close()
	ev.next(idcard.CardRemoved)
	if e := ev.next(idcard.ReaderDisconnected); !errors.Is(e.Err, idcard.ErrDisconnected) && !errors.Is(e.Err, serialport.ErrNotFound) {
		t.Fatalf("disconnected event error %v, want ErrDisconnected", e.Err)
	}
	// Plug it back in: a new pty, as a USB adapter comes back as a new
	// device node.
	sim2 := idcardsim.New(idcardsim.SampleDeck(), nil)
	pair2 := servePty(t, sim2)
	mu.Lock()
	path = pair2.Path
	mu.Unlock()
	ev.next(idcard.ReaderConnected)
	sim2.Place("resident-red")
	if e := ev.next(idcard.CardPlaced); e.Err != nil || e.Card.Name.Reveal() != "周建国" {
		t.Fatalf("after reconnect: card %v, err %v", e.Card, e.Err)
	}
}

// pipeOpener serves sim in-process: each open is a fresh net.Pipe, as on
// Windows where there are no ptys. The latest sim end is kept so a test
// can unplug it.
type pipeOpener struct {
	sim *idcardsim.Sim
	mu  sync.Mutex
	dev net.Conn
	ok  bool
}

func (p *pipeOpener) open(ctx context.Context) (conn.Conn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.ok {
		return nil, serialport.ErrNotFound
	}
	host, dev := net.Pipe()
	p.dev = dev
	go p.sim.Serve(ctx, dev)
	return host, nil
}

func (p *pipeOpener) unplug() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ok = false
	p.dev.Close()
}

func (p *pipeOpener) plug() {
	p.mu.Lock()
	p.ok = true
	p.mu.Unlock()
}

func TestWatcherOverPipe(t *testing.T) {
	sim := idcardsim.New(idcardsim.SampleDeck(), &idcardsim.Options{Unpaced: true, FlakyAfterRead: true})
	po := &pipeOpener{sim: sim, ok: true}
	ev := startWatcher(t, po.open)
	ev.next(idcard.ReaderConnected)

	sim.Place("resident-green")
	if e := ev.next(idcard.CardPlaced); e.Card == nil || e.Card.Name.Reveal() != "张三丰" {
		t.Fatalf("placed: %v, %v", e.Card, e.Err)
	}
	// The reader says "no card" once after the read although the card
	// is still there: no removal.
	ev.quiet(sim, 6)

	// A quick swap: lifted for one poll, then another card.
	sim.Remove()
	waitFinds(t, sim, 1)
	sim.Place("minority")
	ev.next(idcard.CardRemoved)
	if e := ev.next(idcard.CardPlaced); e.Card == nil || e.Card.Nation != "05" {
		t.Fatalf("swapped card: %v, %v", e.Card, e.Err)
	}

	sim.Remove()
	ev.next(idcard.CardRemoved)
	sim.Place("foreign-2017")
	e := ev.next(idcard.CardPlaced)
	if e.Card == nil || e.Card.OtherName.Reveal() != "玛丽" {
		t.Fatalf("foreign card: %v, %v", e.Card, e.Err)
	}

	po.unplug()
	ev.next(idcard.CardRemoved)
	ev.next(idcard.ReaderDisconnected)
	po.plug()
	ev.next(idcard.ReaderConnected)
}

func TestWatcherUnreadableCard(t *testing.T) {
	sim := idcardsim.New(idcardsim.SampleDeck(), &idcardsim.Options{Unpaced: true})
	po := &pipeOpener{sim: sim, ok: true}
	ev := startWatcher(t, po.open)
	ev.next(idcard.ReaderConnected)
	// Three polls fail to read (the default ReadAttempts): one event.
	sim.FailReads(3)
	sim.Place("resident-yellow")
	e := ev.next(idcard.CardPlaced)
	if e.Card != nil || !errors.Is(e.Err, idcard.ErrReadFailed) {
		t.Fatalf("placed: card %v, err %v; want no card and ErrReadFailed", e.Card, e.Err)
	}
	if got := sim.Count("read"); got != 3 {
		t.Fatalf("%d reads before giving up, want 3", got)
	}
	ev.quiet(sim, 5)
	sim.Remove()
	ev.next(idcard.CardRemoved)
}

// recheckWatcher starts a watcher that re-checks a card left on the
// reader every second of clock, a clock the test moves by hand, and
// waits for it to find the reader. It stops with the test.
func recheckWatcher(t *testing.T) (*idcardsim.Sim, collector, *atomic.Int64) {
	var clock atomic.Int64
	clock.Store(now.UnixNano())
	at := func() time.Time { return time.Unix(0, clock.Load()) }
	sim := idcardsim.New(idcardsim.SampleDeck(), &idcardsim.Options{Unpaced: true})
	po := &pipeOpener{sim: sim, ok: true}
	w := idcard.NewWatcher(po.open, &idcard.WatcherOptions{Reader: idcard.Options{Timeouts: quick},
		Interval: 10 * time.Millisecond, Recheck: time.Second, Now: at})
	ev := runWatcher(t, w)
	ev.next(idcard.ReaderConnected)
	return sim, ev, &clock
}

// TestWatcherSwappedCard: a card laid on the reader in place of another,
// with no poll between that sees the pad empty, is reported as the old
// card removed and the new one placed at the next re-check: the screen
// never goes on showing the first resident for the second card.
func TestWatcherSwappedCard(t *testing.T) {
	sim, ev, clock := recheckWatcher(t)
	if err := sim.Place("resident-green"); err != nil {
		t.Fatal(err)
	}
	first := ev.next(idcard.CardPlaced)
	if first.Card == nil || first.Card.Name.Reveal() != "张三丰" {
		t.Fatalf("first card: %+v", first)
	}
	// Before the re-check is due the watcher does not read again: the
	// swap is not seen yet, and the first card is not reported twice.
	if err := sim.Place("resident-yellow"); err != nil {
		t.Fatal(err)
	}
	reads := sim.Count("read")
	ev.quiet(sim, 5)
	if got := sim.Count("read"); got != reads {
		t.Fatalf("%d reads while the card stayed and no re-check was due, want 0", got-reads)
	}
	clock.Add(int64(time.Second))
	ev.next(idcard.CardRemoved)
	second := ev.next(idcard.CardPlaced)
	if second.Card == nil || second.Card.Name.Reveal() != "李秀英" {
		t.Fatalf("second card: %+v", second)
	}
	// The same card left on the reader: re-checked, never reported again.
	clock.Add(int64(time.Second))
	ev.quiet(sim, 5)
	clock.Add(int64(time.Second))
	ev.quiet(sim, 5)
	if got := sim.Count("read"); got < reads+3 {
		t.Errorf("%d reads in all, want the re-checks to have read the card again", got)
	}
}

// TestWatcherUnreadableThenRead: a card reported unreadable that reads at
// a later re-check (laid flat without being lifted) is reported as the
// card it is.
func TestWatcherUnreadableThenRead(t *testing.T) {
	sim, ev, clock := recheckWatcher(t)
	sim.FailReads(3)
	if err := sim.Place("resident-red"); err != nil {
		t.Fatal(err)
	}
	if e := ev.next(idcard.CardPlaced); e.Card != nil || !errors.Is(e.Err, idcard.ErrReadFailed) {
		t.Fatalf("placed: %+v, want unreadable", e)
	}
	clock.Add(int64(time.Second))
	ev.next(idcard.CardRemoved)
	if e := ev.next(idcard.CardPlaced); e.Card == nil || e.Err != nil {
		t.Fatalf("re-checked: card %v err %v, want the card read", e.Card, e.Err)
	}
}

// TestWatcherReaderUnpluggedMidRead: the reader vanishes half-way through
// the reply to a card read, the pty closing under the kiosk's open port.
// The watcher reports the reader gone, never a card, and once the reader
// is plugged in again the same card is read whole, once.
func TestWatcherReaderUnpluggedMidRead(t *testing.T) {
	sim := idcardsim.New(idcardsim.SampleDeck(), nil)
	var mu sync.Mutex
	var path string
	cut := make(chan error, 1)
	plug := func() {
		pair := ptypair.ForTest(t, "no pseudo-terminals on this platform")
		ctx, cancel := context.WithCancel(context.Background())
		served := make(chan struct{})
		go func() {
			defer close(served)
			err := sim.Serve(ctx, pair.Master)
			if errors.Is(err, idcardsim.ErrUnplugged) {
				pair.Close() // the cable is out: the line goes with it
				cut <- err
			}
		}()
		t.Cleanup(func() { cancel(); <-served; pair.Close() })
		mu.Lock()
		path = pair.Path
		mu.Unlock()
	}
	plug()
	ev := startWatcher(t, func(ctx context.Context) (conn.Conn, error) {
		mu.Lock()
		defer mu.Unlock()
		return serialport.Open(path, nil)
	})
	ev.next(idcard.ReaderConnected)

	sim.UnplugMidRead()
	sim.Place("resident-red")
	if err := <-cut; !errors.Is(err, idcardsim.ErrUnplugged) {
		t.Fatalf("Serve = %v, want ErrUnplugged", err)
	}
	e := ev.next(idcard.ReaderDisconnected)
	if !errors.Is(e.Err, idcard.ErrDisconnected) || !errors.Is(e.Err, serialport.ErrUnplugged) {
		t.Errorf("disconnected event error %v, want ErrDisconnected and serialport.ErrUnplugged", e.Err)
	}
	reads := sim.Count("read")
	plug()
	ev.next(idcard.ReaderConnected)
	if e := ev.next(idcard.CardPlaced); e.Err != nil || e.Card == nil || e.Card.Name.Reveal() != "周建国" {
		t.Fatalf("after the reader came back: card %v, err %v", e.Card, e.Err)
	}
	ev.quiet(sim, 5)
	if n := sim.Count("read") - reads; n != 1 {
		t.Errorf("the card was read %d times after the replug, want 1", n)
	}
}

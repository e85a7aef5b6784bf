package sscsim_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/devices/ssc"
	"github.com/shcommunity/kiosk/devices/ssc/pcsclab"
	"github.com/shcommunity/kiosk/devices/ssc/sscsim"
)

// These tests read the virtual card through the real stack: ssc → scard →
// libpcsclite → a private pcscd → vpcd → sscsim. KIOSK_SKIP_PCSC=1 skips
// them on a machine that cannot run pcscd (README.md, "The two commands").

var (
	lab    *pcsclab.Lab
	labErr error
	now    = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
)

func TestMain(m *testing.M) { os.Exit(pcsclab.RunTests(m, &lab, &labErr)) }

// needLab returns the running lab, or fails (skips with KIOSK_SKIP_PCSC=1).
func needLab(t *testing.T) *pcsclab.Lab {
	t.Helper()
	return pcsclab.Need(t, lab, labErr)
}

// slot is one reader of the lab with a simulator on it.
type slot struct {
	pcsc   *ssc.PCSC
	reader string
	sim    *sscsim.Sim
}

func newSlot(t *testing.T, i int) *slot {
	l := needLab(t)
	p, err := ssc.OpenPCSC()
	if err != nil {
		t.Fatalf("OpenPCSC: %v\npcscd said:\n%s", err, l.Output())
	}
	t.Cleanup(func() { p.Close() })
	sim := sscsim.New(sscsim.SampleDeck(), &sscsim.Options{Addr: l.Readers[i].Addr})
	t.Cleanup(func() { sim.Close() })
	return &slot{pcsc: p, reader: l.Readers[i].Name, sim: sim}
}

// waitPresent waits until pcscd sees the slot's card in or out.
func (s *slot) waitPresent(t *testing.T, want bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var st ssc.ReaderState
	for {
		var err error
		st, err = s.pcsc.Wait(ctx, s.reader, st, time.Second)
		if err != nil {
			t.Fatalf("waiting for the card to be present=%v: %v", want, err)
		}
		if st.Present == want {
			return
		}
	}
}

// insert puts a card in and returns a connection to it.
func (s *slot) insert(t *testing.T, label string, faults ...func(*sscsim.Card)) *ssc.Conn {
	t.Helper()
	dc, ok := s.sim.Deck().Find(label)
	if !ok {
		t.Fatalf("no %s in the deck", label)
	}
	card, err := sscsim.NewCard(dc)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range faults {
		f(card)
	}
	if err := s.sim.InsertCard(card); err != nil {
		t.Fatal(err)
	}
	s.waitPresent(t, true)
	conn, err := s.pcsc.Connect(s.reader)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestReadThroughPCSC(t *testing.T) {
	s := newSlot(t, 0)
	conn := s.insert(t, "ssc-green")
	counter := &ssc.Counter{T: conn}
	c, err := ssc.ReadCard(context.Background(), counter, now)
	if err != nil {
		t.Fatalf("ReadCard: %v", err)
	}
	if c.Name.Reveal() != "张三丰" || c.Number.Reveal() != "310101194803140019" || c.CardNumber.Reveal() != "D00000001" {
		t.Errorf("read %s / %s / %s", c.Name.Reveal(), c.Number.Reveal(), c.CardNumber.Reveal())
	}
	if c.Expiry(now) != ssc.ExpiryValid || c.ValidTo.Format("20060102") != "20290301" || c.BirthPlace.Reveal() != "310101" {
		t.Errorf("expiry %v to %v, birth place %s", c.Expiry(now), c.ValidTo, c.BirthPlace.Reveal())
	}
	// The select answers 61xx and is not followed up; every record is read
	// with the right Le at once: eleven commands.
	if counter.APDUs != 11 {
		t.Errorf("%d APDUs, want 11", counter.APDUs)
	}
	if st := s.sim.Stats(); st.Commands != 11 {
		t.Errorf("the card answered %d commands, want 11", st.Commands)
	}
}

func TestFaultsThroughPCSC(t *testing.T) {
	s := newSlot(t, 1)
	tests := []struct {
		label  string
		fault  func(*sscsim.Card)
		target error
	}{
		{"bank-card", nil, ssc.ErrNotSSC},
		{"ssc-locked", nil, ssc.ErrLocked},
		{"ssc-no-birth", nil, ssc.ErrRecordMissing},
		{"ssc-bad-name", nil, ssc.ErrNameEncoding},
		{"ssc-expired", nil, ssc.ErrCardExpired},
		{"ssc-inconsistent", nil, ssc.ErrInvalidCard},
		{"ssc-green", func(c *sscsim.Card) { c.Inject(sscsim.FaultPull, 5) }, ssc.ErrCardRemoved},
		{"ssc-green", func(c *sscsim.Card) { c.Inject(sscsim.FaultTruncate, 5) }, ssc.ErrTruncated},
		{"ssc-green", func(c *sscsim.Card) { c.Inject(sscsim.FaultNoStatus, 1) }, ssc.ErrTruncated},
		{"ssc-green", func(c *sscsim.Card) { c.Inject(sscsim.FaultWrongSW, 6) }, ssc.ErrStatus},
	}
	for _, tt := range tests {
		var faults []func(*sscsim.Card)
		if tt.fault != nil {
			faults = append(faults, tt.fault)
		}
		conn := s.insert(t, tt.label, faults...)
		_, err := ssc.ReadCard(context.Background(), conn, now)
		if !errors.Is(err, tt.target) {
			t.Errorf("%s: err = %v, want %v", tt.label, err, tt.target)
		}
		if err != nil && strings.Contains(err.Error(), "310101") {
			t.Errorf("%s: error leaks the number: %v", tt.label, err)
		}
		conn.Close()
		s.sim.Remove()
		s.waitPresent(t, false)
	}
	var se *ssc.StatusError
	conn := s.insert(t, "ssc-locked")
	if _, err := ssc.ReadCard(context.Background(), conn, now); !errors.As(err, &se) || se.SW != ssc.SWBlocked {
		t.Errorf("locked card: %v, want a *StatusError with SW 6983", err)
	}
}

// TestExpiryUnknownThroughPCSC: unwritten records 05 and 06 leave the
// expiry unknown, and the card is still read.
func TestExpiryUnknownThroughPCSC(t *testing.T) {
	s := newSlot(t, 0)
	conn := s.insert(t, "ssc-expiry-unknown")
	c, err := ssc.ReadCard(context.Background(), conn, now)
	if err != nil {
		t.Fatal(err)
	}
	if c.Expiry(now) != ssc.ExpiryUnknown || !c.ValidTo.IsZero() || !c.IssuedOn.IsZero() {
		t.Errorf("expiry %v (%v), issued %v; want unknown", c.Expiry(now), c.ValidTo, c.IssuedOn)
	}
}

func collect(t *testing.T, w *ssc.Watcher, n int) []ssc.Event {
	t.Helper()
	var got []ssc.Event
	timeout := time.After(20 * time.Second)
	for len(got) < n {
		select {
		case e, ok := <-w.Events():
			if !ok {
				t.Fatalf("events closed after %v", kinds(got))
			}
			got = append(got, e)
		case <-timeout:
			t.Fatalf("waited 20 s for %d events, got %v", n, kinds(got))
		}
	}
	return got
}

func kinds(es []ssc.Event) string {
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "[%v %v %v] ", e.Kind, e.Card, e.Err)
	}
	return b.String()
}

// TestWatcher runs last in this file's order: it stops pcscd and starts
// it again to see "service not running" and the way back.
func TestWatcher(t *testing.T) {
	s := newSlot(t, 0)
	s.waitPresent(t, false) // the card of the test before has gone
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := ssc.NewWatcher(&ssc.WatcherOptions{Reader: s.reader, Wait: 200 * time.Millisecond, MinBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Now: func() time.Time { return now }})
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	if e := collect(t, w, 1)[0]; e.Kind != ssc.ReaderConnected {
		t.Fatalf("first event %v", e.Kind)
	}
	if err := s.sim.Insert("ssc-yellow"); err != nil {
		t.Fatal(err)
	}
	e := collect(t, w, 1)[0]
	if e.Kind != ssc.CardPlaced || e.Err != nil || e.Card == nil || e.Card.Number.Reveal() != "31010419550922002X" {
		t.Fatalf("event %v %v %v, want the card placed and read", e.Kind, e.Card, e.Err)
	}
	s.sim.Remove()
	if e := collect(t, w, 1)[0]; e.Kind != ssc.CardRemoved {
		t.Fatalf("event %v, want card removed", e.Kind)
	}
	if err := s.sim.Insert("ssc-locked"); err != nil {
		t.Fatal(err)
	}
	if e := collect(t, w, 1)[0]; e.Kind != ssc.CardPlaced || !errors.Is(e.Err, ssc.ErrLocked) {
		t.Fatalf("event %v %v, want a locked card", e.Kind, e.Err)
	}

	// pcscd dies: the card goes, then the reader, with the service's
	// own reason, although a dying daemon answers "Access denied" for a
	// moment first (the watcher asks again until the answer is definite).
	lab.Crash()
	restarted := false
	t.Cleanup(func() { // for the tests after this one, even if it fails
		if !restarted {
			lab, labErr = pcsclab.Start(context.Background(), nil)
		}
	})
	es := collect(t, w, 2)
	if es[0].Kind != ssc.CardRemoved || es[1].Kind != ssc.ReaderDisconnected || !errors.Is(es[1].Err, ssc.ErrNoService) {
		t.Fatalf("after pcscd stopped: %s", kinds(es))
	}
	if !strings.Contains(es[1].Err.Error(), "PC/SC service not running") {
		t.Errorf("message %q does not say the service is not running", es[1].Err)
	}
	if _, err := ssc.OpenPCSC(); !errors.Is(err, ssc.ErrNoService) {
		t.Errorf("OpenPCSC with pcscd stopped: %v, want ErrNoService", err)
	}
	lab, labErr = pcsclab.Start(context.Background(), nil)
	restarted = true
	if labErr != nil {
		t.Fatal(labErr)
	}
	if e := collect(t, w, 1)[0]; e.Kind != ssc.ReaderConnected {
		t.Fatalf("after pcscd came back: %v %v", e.Kind, e.Err)
	}
	cancel()
	<-done
}

// TestWatcherNoReader: a reader that is not there is reported once as
// disconnected, with ErrNoReader, and looked for again.
func TestWatcherNoReader(t *testing.T) {
	needLab(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := ssc.NewWatcher(&ssc.WatcherOptions{Reader: "OMNIKEY 3121", MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	e := collect(t, w, 1)[0]
	if e.Kind != ssc.ReaderDisconnected || !errors.Is(e.Err, ssc.ErrNoReader) || !strings.Contains(e.Err.Error(), "Kiosk VPCD") {
		t.Fatalf("event %v %v, want the reader missing among those there", e.Kind, e.Err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v", err)
	}
	for e := range w.Events() {
		t.Errorf("a second report: %v %v", e.Kind, e.Err)
	}
}

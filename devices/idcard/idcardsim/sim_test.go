package idcardsim_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"reflect"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/devices/conn/conntest"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/idcard/idcardsim"
)

// h decodes spaced hex, as the reference notes write frames.
var h = conntest.Hex

// servePipe runs sim on one end of net.Pipe and returns the other.
func servePipe(t *testing.T, sim *idcardsim.Sim) net.Conn {
	t.Helper()
	host, dev := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sim.Serve(ctx, dev) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("Serve = %v", err)
		}
		host.Close()
		dev.Close()
	})
	return host
}

// ask sends raw bytes and reads one reply frame.
func ask(t *testing.T, c net.Conn, req []byte) []byte {
	t.Helper()
	if _, err := c.Write(req); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	head := make([]byte, 7)
	if _, err := io.ReadFull(c, head); err != nil {
		t.Fatalf("reading reply to % X: %v", req, err)
	}
	rest := make([]byte, int(head[5])<<8|int(head[6]))
	if _, err := io.ReadFull(c, rest); err != nil {
		t.Fatal(err)
	}
	return append(head, rest...)
}

func TestStateMachine(t *testing.T) {
	sim := idcardsim.New(idcardsim.SampleDeck(), &idcardsim.Options{Unpaced: true})
	c := servePipe(t, sim)
	const (
		find   = "AA AA AA 96 69 00 03 20 01 22"
		sel    = "AA AA AA 96 69 00 03 20 02 21"
		read   = "AA AA AA 96 69 00 03 30 01 32"
		readFP = "AA AA AA 96 69 00 03 30 10 23"
		addr   = "AA AA AA 96 69 00 03 30 03 30"
		ok     = "AA AA AA 96 69 00 04 00 00 90 94"
	)
	steps := []struct {
		name   string
		do     func()
		req    string
		want   string // whole reply, or its first bytes with wantLen
		wantLn int
	}{
		{"status", nil, "AA AA AA 96 69 00 03 11 FF ED", ok, 0},
		{"reset", nil, "AA AA AA 96 69 00 03 10 FF EC", ok, 0},
		{"SAM ID", nil, "AA AA AA 96 69 00 03 12 FF EE", "AA AA AA 96 69 00 14 00 00 90 05 00 01 00 70 B6 32 01 12 CF 0F 00 C1 35 34 11", 27},
		{"find none", nil, find, "AA AA AA 96 69 00 04 00 00 80 84", 0},
		{"select none", nil, sel, "AA AA AA 96 69 00 04 00 00 81 85", 0},
		{"find found", func() { sim.Place("resident-green") }, find, "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97", 0},
		{"read before select", nil, read, "AA AA AA 96 69 00 04 00 00 41 45", 0},
		{"select", nil, sel, "AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C", 0},
		{"read", nil, read, "AA AA AA 96 69 05 08 00 00 90 01 00 04 00", 1295},
		{"read fingerprint (none)", nil, readFP, "AA AA AA 96 69 05 0A 00 00 90 01 00 04 00 00 00", 7 + 0x050A},
		{"no appended address", nil, addr, "AA AA AA 96 69 00 04 00 00 91 95", 0},
		{"max RF frame", nil, "AA AA AA 96 69 00 04 61 FF 50 CA", ok, 0},
		{"unknown command", nil, "AA AA AA 96 69 00 03 77 01 75", "AA AA AA 96 69 00 04 00 00 21 25", 0},
		{"known command, extra data", nil, "AA AA AA 96 69 00 04 20 01 00 25", "AA AA AA 96 69 00 04 00 00 11 15", 0},
		{"bad checksum", nil, "AA AA AA 96 69 00 03 20 01 00", "AA AA AA 96 69 00 04 00 00 10 14", 0},
		{"bad length", nil, "AA AA AA 96 69 00 01 00", "AA AA AA 96 69 00 04 00 00 11 15", 0},
		{"removed", func() { sim.Remove() }, find, "AA AA AA 96 69 00 04 00 00 80 84", 0},
	}
	for _, s := range steps {
		if s.do != nil {
			s.do()
		}
		got := ask(t, c, h(t, s.req))
		want := h(t, s.want)
		if s.wantLn == 0 && !bytes.Equal(got, want) || s.wantLn != 0 && (len(got) != s.wantLn || !bytes.HasPrefix(got, want)) {
			t.Fatalf("%s: reply % X\nwant % X (length %d)", s.name, got, want, max(s.wantLn, len(want)))
		}
	}
	if got := sim.Count("find"); got != 4 { // three finds and the malformed one
		t.Errorf("Count(find) = %d, want 4", got)
	}
}

func TestFingerprintAndAddress(t *testing.T) {
	deck, err := idcardsim.LoadDeck("testdata/deck_extra.json")
	if err != nil {
		t.Fatal(err)
	}
	sim := idcardsim.New(deck, &idcardsim.Options{Unpaced: true})
	sim.Place("with-extras")
	r := idcard.NewReader(servePipe(t, sim), &idcard.Options{Fingerprint: true, AppendedAddress: true, Now: func() time.Time { return now }})
	c, err := r.ReadCard(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := deck.Cards[0].Card()
	if !bytes.Equal(c.Fingerprint, want.Fingerprint) || len(c.Fingerprint) != 1024 {
		t.Errorf("fingerprint: %d bytes, not the deck's", len(c.Fingerprint))
	}
	if c.AppendedAddress != want.AppendedAddress {
		t.Errorf("appended address = %q, want %q", c.AppendedAddress.Reveal(), want.AppendedAddress.Reveal())
	}
}

func TestSilentOnBadChecksum(t *testing.T) {
	sim := idcardsim.New(idcardsim.SampleDeck(), &idcardsim.Options{Unpaced: true, SilentOnBadChecksum: true})
	c := servePipe(t, sim)
	c.Write(h(t, "AA AA AA 96 69 00 03 20 01 00"))
	// The next good request is answered, and it is the first reply.
	got := ask(t, c, h(t, "AA AA AA 96 69 00 03 11 FF ED"))
	if want := h(t, "AA AA AA 96 69 00 04 00 00 90 94"); !bytes.Equal(got, want) {
		t.Fatalf("reply % X, want % X (the bad frame must get none)", got, want)
	}
}

func TestSetBaudAfterReply(t *testing.T) {
	sim := idcardsim.New(idcardsim.SampleDeck(), &idcardsim.Options{Unpaced: true})
	c := servePipe(t, sim)
	got := ask(t, c, h(t, "AA AA AA 96 69 00 03 60 02 61"))
	if want := h(t, "AA AA AA 96 69 00 04 00 00 90 94"); !bytes.Equal(got, want) {
		t.Fatalf("reply % X, want % X", got, want)
	}
	// The switch happens after the reply is written: wait for the next
	// exchange to be sure it is done.
	ask(t, c, h(t, "AA AA AA 96 69 00 03 11 FF ED"))
	if sim.Baud() != 38400 {
		t.Fatalf("Baud() = %d, want 38400", sim.Baud())
	}
	if got := ask(t, c, h(t, "AA AA AA 96 69 00 03 60 09 6A")); got[9] != 0x21 {
		t.Fatalf("set baud with code 09: SW3 %02X, want 21", got[9])
	}
}

func TestFaults(t *testing.T) {
	sim := idcardsim.New(idcardsim.SampleDeck(), &idcardsim.Options{Unpaced: true})
	c := servePipe(t, sim)
	status := h(t, "AA AA AA 96 69 00 03 11 FF ED")
	ok := h(t, "AA AA AA 96 69 00 04 00 00 90 94")

	sim.Inject(idcardsim.FaultBadChecksum, 1)
	sim.Inject(idcardsim.FaultGarbage, 1)
	if sim.PendingFaults() != 2 {
		t.Fatalf("PendingFaults() = %d, want 2", sim.PendingFaults())
	}
	if got := ask(t, c, status); got[len(got)-1] == ok[len(ok)-1] || !bytes.Equal(got[:10], ok[:10]) {
		t.Fatalf("bad checksum fault: % X", got)
	}
	c.Write(status)
	want := append(append([]byte(nil), idcardsim.Garbage...), ok...)
	got := make([]byte, len(want))
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("garbage fault: % X, %v\nwant % X", got, err, want)
	}

	sim.Inject(idcardsim.FaultTruncate, 1)
	c.Write(status)
	got = make([]byte, len(ok)/2)
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, ok[:len(ok)/2]) {
		t.Fatalf("truncate fault: % X, %v", got, err)
	}

	sim.Inject(idcardsim.FaultSilence, 1)
	c.Write(status)
	if got := ask(t, c, status); !bytes.Equal(got, ok) {
		t.Fatalf("after silence: % X, want % X (one reply for two requests)", got, ok)
	}
	if sim.PendingFaults() != 0 {
		t.Fatalf("PendingFaults() = %d after use, want 0", sim.PendingFaults())
	}
}

func TestPlaceUnknown(t *testing.T) {
	sim := idcardsim.New(idcardsim.SampleDeck(), nil)
	if err := sim.Place("nobody"); err == nil {
		t.Fatal("Place(nobody) = nil, want an error")
	}
	if err := sim.Place("hk-permit"); err != nil || sim.Placed() != "hk-permit" {
		t.Fatalf("Place(hk-permit) = %v, Placed() = %q", err, sim.Placed())
	}
	if got, want := len(sim.Labels()), len(idcardsim.SampleDeck().Cards); got != want || got < 10 {
		t.Fatalf("Labels() has %d, want the deck's %d", got, want)
	}
}

func TestServeEndsWithStream(t *testing.T) {
	sim := idcardsim.New(idcardsim.SampleDeck(), nil)
	host, dev := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- sim.Serve(context.Background(), dev) }()
	host.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve = %v, want nil when the stream closes", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return when the stream closed")
	}
}

// stream is a one-way ReadWriter for fuzzing: requests from a byte slice,
// replies into a buffer.
type stream struct {
	io.Reader
	bytes.Buffer
}

func (s *stream) Read(p []byte) (int, error) { return s.Reader.Read(p) }

// FuzzServe feeds arbitrary host bytes to the simulator: it must never
// panic, and everything it sends must be well-formed frames.
func FuzzServe(f *testing.F) {
	f.Add(h(f, "AA AA AA 96 69 00 03 20 01 22 AA AA AA 96 69 00 03 20 02 21 AA AA AA 96 69 00 03 30 01 32"))
	f.Add(h(f, "AA AA AA 96 69 00 04 61 FF 50 CA AA AA AA 96 69 00 03 60 07 64"))
	f.Add(h(f, "AA AA AA 96 69 00 01 00 AA AA AA 96 69 00 03 30 03 30"))
	f.Fuzz(func(t *testing.T, in []byte) {
		sim := idcardsim.New(idcardsim.SampleDeck(), &idcardsim.Options{Unpaced: true})
		sim.Place("foreign-2023")
		s := &stream{Reader: bytes.NewReader(in)}
		if err := sim.Serve(context.Background(), s); err != nil {
			t.Fatalf("Serve = %v", err)
		}
		d := idcard.NewDecoder(bytes.NewReader(s.Bytes()))
		for {
			body, err := d.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("simulator sent a bad frame: %v", err)
			}
			if _, err := idcard.ParseResponse(body); err != nil {
				t.Fatal(err)
			}
		}
		if d.Skipped() != 0 {
			t.Fatalf("simulator sent %d bytes outside frames", d.Skipped())
		}
	})
}

// TestRecordedTranscript records the driver reading a card from the
// simulator and plays the transcript back to a new driver, which reads
// the same card without the simulator: how a new transcript for a driver
// test is made.
func TestRecordedTranscript(t *testing.T) {
	sim := idcardsim.New(idcardsim.SampleDeck(), &idcardsim.Options{Unpaced: true})
	sim.Place("resident-green")
	rec := &conntest.Record{Conn: servePipe(t, sim)}
	opts := &idcard.Options{Now: func() time.Time { return now }}
	want, err := idcard.NewReader(rec, opts).ReadCard(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tr := rec.Transcript()
	if len(tr) != 3 || !bytes.Equal(tr[0].W, idcard.CmdFind.Frame()) || !bytes.Equal(tr[2].W, idcard.CmdRead.Frame()) {
		t.Fatalf("transcript %v, want find, select and read", tr)
	}

	play := conntest.New(tr...)
	got, err := idcard.NewReader(play, opts).ReadCard(context.Background())
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("ReadCard on the playback = %v, %v; want the card read from the simulator", got, err)
	}
	if err := play.Close(); err != nil {
		t.Errorf("playback: %v", err)
	}
}

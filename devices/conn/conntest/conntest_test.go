package conntest_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shcommunity/kiosk/devices/conn"
	"github.com/shcommunity/kiosk/devices/conn/conntest"
)

// readAll reads n bytes and returns the size of every Read.
func readAll(t *testing.T, c io.Reader, n int) ([]byte, []int) {
	t.Helper()
	var got []byte
	var sizes []int
	buf := make([]byte, 64)
	for len(got) < n {
		k, err := c.Read(buf)
		if err != nil {
			t.Fatalf("Read after %d bytes: %v", len(got), err)
		}
		got = append(got, buf[:k]...)
		sizes = append(sizes, k)
	}
	return got, sizes
}

func TestPlaybackFollowsTranscript(t *testing.T) {
	answer := []byte("0123456789ABCDEFGHIJ")
	c := conntest.New(
		conntest.Exchange{R: []byte{0x11}}, // the device speaks first
		conntest.Exchange{Name: "ask", W: []byte{0x10, 0x04, 0x01}, R: answer},
		conntest.Exchange{W: []byte{0x0A}},
	)
	if got, _ := readAll(t, c, 1); !bytes.Equal(got, []byte{0x11}) {
		t.Fatalf("first answer % X, want 11", got)
	}
	// The request in two writes, as a paced writer sends it.
	for _, w := range [][]byte{{0x10}, {0x04, 0x01, 0x0A}} {
		if n, err := c.Write(w); n != len(w) || err != nil {
			t.Fatalf("Write(% X) = %d, %v", w, n, err)
		}
	}
	got, sizes := readAll(t, c, len(answer))
	if !bytes.Equal(got, answer) {
		t.Errorf("answer %q, want %q", got, answer)
	}
	if !reflect.DeepEqual(sizes, []int{8, 8, 4}) {
		t.Errorf("reads of %v bytes, want pieces of DefaultChunk (8, 8, 4)", sizes)
	}
	if w := c.Written(); !bytes.Equal(w, []byte{0x10, 0x04, 0x01, 0x0A}) {
		t.Errorf("Written = % X", w)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close = %v, want nil after the whole transcript", err)
	}
}

func TestPlaybackChunk(t *testing.T) {
	c := conntest.New(conntest.Exchange{R: []byte("abcdefg")})
	c.Chunk = 3
	if _, sizes := readAll(t, c, 7); !reflect.DeepEqual(sizes, []int{3, 3, 1}) {
		t.Errorf("reads of %v bytes, want 3, 3, 1", sizes)
	}
}

// TestPlaybackDeadline: the answer comes only after the request; until
// then a Read blocks to its deadline and fails with
// os.ErrDeadlineExceeded, on the bubble's clock.
func TestPlaybackDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := conntest.New(conntest.Exchange{W: []byte("ask"), R: []byte("ok")})
		start := time.Now()
		c.SetReadDeadline(start.Add(300 * time.Millisecond))
		_, err := c.Read(make([]byte, 8))
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Read before the request = %v, want os.ErrDeadlineExceeded", err)
		}
		if waited := time.Since(start); waited != 300*time.Millisecond {
			t.Errorf("Read waited %v, want the 300 ms to its deadline", waited)
		}
		// A deadline already past fails at once; none blocks until the
		// answer comes.
		if _, err := c.Read(make([]byte, 8)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("Read past the deadline = %v", err)
		}
		c.SetReadDeadline(time.Time{})
		got := make(chan []byte)
		go func() {
			b := make([]byte, 8)
			n, _ := c.Read(b)
			got <- b[:n]
		}()
		synctest.Wait()
		c.Write([]byte("ask"))
		if b := <-got; string(b) != "ok" {
			t.Errorf("answer %q, want ok", b)
		}
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	})
}

// TestPlaybackDelay: a slow answer arrives on the bubble's clock, and an
// answer after it, or the device's error, waits its turn.
func TestPlaybackDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		c := conntest.New(
			conntest.Exchange{W: []byte("a"), R: []byte("x"), Delay: 100 * time.Millisecond},
			conntest.Exchange{W: []byte("b"), R: []byte("y"), Err: io.EOF},
		)
		c.Write([]byte("a"))
		c.SetReadDeadline(start.Add(50 * time.Millisecond))
		if _, err := c.Read(make([]byte, 8)); !errors.Is(err, os.ErrDeadlineExceeded) || time.Since(start) != 50*time.Millisecond {
			t.Fatalf("Read = %v after %v, want os.ErrDeadlineExceeded at the 50 ms deadline", err, time.Since(start))
		}
		c.SetReadDeadline(time.Time{})
		c.Write([]byte("b"))
		b := make([]byte, 8)
		n, err := c.Read(b)
		if string(b[:n]) != "xy" || err != nil || time.Since(start) != 100*time.Millisecond {
			t.Fatalf("Read = %q, %v after %v; want both answers at 100 ms", b[:n], err, time.Since(start))
		}
		if _, err := c.Read(b); !errors.Is(err, io.EOF) {
			t.Errorf("Read after the answers = %v, want the step's io.EOF", err)
		}
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	})
}

// pendingRead starts a one-byte Read of c and returns once it blocks (in
// a synctest bubble); the channel gives its error when it ends.
func pendingRead(c io.Reader) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 1))
		done <- err
	}()
	synctest.Wait()
	return done
}

// TestPlaybackDeadlineMovedWhileBlocked: a deadline set while a Read
// waits takes effect, as a driver's cancellation needs.
func TestPlaybackDeadlineMovedWhileBlocked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := conntest.New()
		done := pendingRead(c)
		start := time.Now()
		c.SetReadDeadline(time.Unix(1, 0))
		if err := <-done; !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("Read = %v, want os.ErrDeadlineExceeded", err)
		}
		if time.Since(start) != 0 {
			t.Error("the Read did not return at once")
		}
	})
}

func TestPlaybackCloseUnblocksRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := conntest.New()
		done := pendingRead(c)
		if err := c.Close(); err != nil {
			t.Errorf("Close of an empty transcript = %v", err)
		}
		if err := <-done; !errors.Is(err, os.ErrClosed) || !conn.Gone(err) {
			t.Errorf("Read = %v, want os.ErrClosed", err)
		}
		if _, err := c.Write([]byte{1}); !errors.Is(err, os.ErrClosed) {
			t.Errorf("Write after Close = %v, want os.ErrClosed", err)
		}
	})
}

func TestPlaybackMismatch(t *testing.T) {
	want := []byte("AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHHIIIIJJJJKKKKLLLLMMMMNNNN")
	c := conntest.New(
		conntest.Exchange{W: []byte("hi"), R: []byte("yes")},
		conntest.Exchange{Name: "job", W: want},
	)
	c.Write([]byte("hi"))
	bad := bytes.Clone(want)
	bad[40] = 'x'
	if n, err := c.Write(bad[:20]); n != 20 || err != nil {
		t.Fatalf("Write of the good start = %d, %v", n, err)
	}
	n, err := c.Write(bad[20:])
	var me *conntest.MismatchError
	if !errors.As(err, &me) || !errors.Is(err, conntest.ErrMismatch) {
		t.Fatalf("Write = %v, want a *MismatchError", err)
	}
	if n != 20 || me.Exchange != 1 || me.Name != "job" || me.Offset != 40 || !bytes.Equal(me.Got, bad) {
		t.Errorf("Write = %d, %+v; want 20 bytes taken, exchange 1 (job) at offset 40", n, me)
	}
	msg := err.Error()
	for _, s := range []string{"exchange 1 (job)", "offset 40", "0020  49 49 49 49 4A 4A 4A 4A 78", "0020  49 49 49 49 4A 4A 4A 4A 4B"} {
		if !strings.Contains(msg, s) {
			t.Errorf("report lacks %q:\n%s", s, msg)
		}
	}
	// Off the transcript, the device answers nothing more, not even the
	// answer to "hi" still unread.
	if _, err := c.Read(make([]byte, 8)); !errors.Is(err, conntest.ErrMismatch) {
		t.Errorf("Read after the mismatch = %v", err)
	}
	if _, err := c.Write([]byte("more")); !errors.Is(err, conntest.ErrMismatch) {
		t.Errorf("Write after the mismatch = %v", err)
	}
	if err := c.Close(); !errors.As(err, &me) || me.Offset != 40 {
		t.Errorf("Close = %v, want the first mismatch", err)
	}
}

func TestPlaybackWriteAfterEnd(t *testing.T) {
	c := conntest.New(conntest.Exchange{W: []byte{1, 2}})
	n, err := c.Write([]byte{1, 2, 3})
	var me *conntest.MismatchError
	if n != 2 || !errors.As(err, &me) || me.Want != nil || !bytes.Equal(me.Got, []byte{3}) {
		t.Fatalf("Write past the end = %d, %v", n, err)
	}
	if !strings.Contains(err.Error(), "after the end of the transcript") {
		t.Errorf("report: %v", err)
	}
}

func TestPlaybackUnfinished(t *testing.T) {
	c := conntest.New(
		conntest.Exchange{W: []byte{1}},
		conntest.Exchange{Name: "select", W: []byte{2, 3, 4}},
	)
	c.Write([]byte{1, 2})
	err := c.Close()
	if !errors.Is(err, conntest.ErrUnfinished) || !strings.Contains(err.Error(), "exchange 1 (select) of 2: 1 of 3 bytes written") {
		t.Errorf("Close = %v, want ErrUnfinished naming exchange 1", err)
	}
	if again := c.Close(); again == nil || again.Error() != err.Error() {
		t.Errorf("second Close = %v, want the same verdict", again)
	}
}

// TestPlaybackUnplugged: the device answers half a frame and goes away;
// every Read and Write after the half frame fails with the step's error.
func TestPlaybackUnplugged(t *testing.T) {
	c := conntest.New(
		conntest.Exchange{W: []byte("find"), R: []byte{0xAA, 0xAA, 0xAA}, Err: conn.ErrUnplugged},
	)
	c.Write([]byte("find"))
	if got, _ := readAll(t, c, 3); !bytes.Equal(got, []byte{0xAA, 0xAA, 0xAA}) {
		t.Fatalf("half frame % X", got)
	}
	if _, err := c.Read(make([]byte, 8)); !errors.Is(err, conn.ErrUnplugged) {
		t.Errorf("Read after the half frame = %v, want ErrUnplugged", err)
	}
	if _, err := c.Write([]byte("find")); !errors.Is(err, conn.ErrUnplugged) {
		t.Errorf("Write = %v, want ErrUnplugged", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close = %v, want nil: the driver met the error", err)
	}

	// A write that fails: the device is gone before it.
	c = conntest.New(conntest.Exchange{W: []byte{1}}, conntest.Exchange{Err: io.ErrClosedPipe})
	if n, err := c.Write([]byte{1, 2}); n != 1 || !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("Write across the unplug = %d, %v; want 1, io.ErrClosedPipe", n, err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}

	// An error the driver never met, and steps after an error.
	c = conntest.New(conntest.Exchange{W: []byte{1}, Err: io.EOF})
	c.Write([]byte{1})
	if err := c.Close(); !errors.Is(err, conntest.ErrUnfinished) {
		t.Errorf("Close without meeting the error = %v, want ErrUnfinished", err)
	}
	c = conntest.New(conntest.Exchange{Err: io.EOF}, conntest.Exchange{W: []byte{1}})
	c.Read(make([]byte, 1))
	if err := c.Close(); !errors.Is(err, conntest.ErrUnfinished) {
		t.Errorf("Close with a step after the error = %v, want ErrUnfinished", err)
	}
}

func TestPlaybackBaud(t *testing.T) {
	c := conntest.New()
	var bs conn.BaudSetter = c
	bs.SetBaud(38400)
	if c.Baud() != 38400 {
		t.Errorf("Baud = %d, want 38400", c.Baud())
	}
}

// echoDevice answers each two bytes with their upper case and a newline,
// and hangs up after the second request.
func echoDevice(dev net.Conn) {
	defer dev.Close()
	buf := make([]byte, 2)
	for range 2 {
		if _, err := io.ReadFull(dev, buf); err != nil {
			return
		}
		dev.Write(append(bytes.ToUpper(buf), '\n'))
	}
}

// session is what a driver does with the device: two requests, reading
// each answer in full, then a read that finds it gone.
func session(t *testing.T, c conn.Conn) {
	t.Helper()
	for _, req := range []string{"ab", "cd"} {
		if _, err := c.Write([]byte(req)); err != nil {
			t.Fatalf("Write(%q): %v", req, err)
		}
		got, _ := readAll(t, c, 3)
		if want := strings.ToUpper(req) + "\n"; string(got) != want {
			t.Fatalf("answer %q, want %q", got, want)
		}
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); !conn.Gone(err) {
		t.Fatalf("Read after the hang-up = %v, want the device gone", err)
	}
}

// TestRecordThenPlayBack records a session with a device over a pipe and
// plays the transcript back to the same session.
func TestRecordThenPlayBack(t *testing.T) {
	host, dev := net.Pipe()
	go echoDevice(dev)
	rec := &conntest.Record{Conn: host}
	session(t, rec)
	rec.Close()
	// The driver's own Close is not the device's doing.
	rec.Read(make([]byte, 1))

	tr := rec.Transcript()
	want := []conntest.Exchange{
		{W: []byte("ab"), R: []byte("AB\n")},
		{W: []byte("cd"), R: []byte("CD\n"), Err: io.EOF},
	}
	if !reflect.DeepEqual(tr, want) {
		t.Fatalf("transcript %v, want %v", tr, want)
	}

	play := conntest.New(tr...)
	session(t, play)
	if err := play.Close(); err != nil {
		t.Errorf("playing the recording back: %v", err)
	}
}

func TestRecordForwards(t *testing.T) {
	dev := conntest.New()
	rec := &conntest.Record{Conn: dev}
	if err := rec.SetBaud(9600); err != nil || dev.Baud() != 9600 {
		t.Errorf("SetBaud through Record = %v, device at %d", err, dev.Baud())
	}
	// The playback has no write deadline; Record then does nothing.
	if err := rec.SetWriteDeadline(time.Now()); err != nil {
		t.Errorf("SetWriteDeadline = %v", err)
	}
	if err := rec.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
}

func TestExchangeString(t *testing.T) {
	e := conntest.Exchange{Name: "find", W: []byte{0x20, 0x01}, R: []byte{0x9F}, Err: io.EOF}
	if got, want := e.String(), "find: W 20 01 / R 9F / Err EOF"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}

package pace

import (
	"bytes"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/internal/clocktest"
)

func TestDuration(t *testing.T) {
	// The physical floor the issue quotes: 1295 bytes at 115200 baud.
	if got, want := Duration(1295, 115200), 112413194*time.Nanosecond; got != want {
		t.Fatalf("Duration(1295, 115200) = %v, want %v", got, want)
	}
	if got := Duration(960, 9600); got != time.Second {
		t.Fatalf("Duration(960, 9600) = %v, want 1s", got)
	}
	if got := Duration(100, 0); got != 0 {
		t.Fatalf("Duration with no baud = %v, want 0", got)
	}
}

func TestWriterAccountsLineTime(t *testing.T) {
	for _, baud := range []int{9600, 115200} {
		var buf bytes.Buffer
		// The clock advances only when the writer sleeps, so the test
		// measures the line time the writer accounts for, not the
		// machine's speed.
		clk := clocktest.New(time.Unix(0, 0))
		w := NewWriter(&buf, baud)
		w.Now, w.Sleep = clk.Now, clk.Add
		data := bytes.Repeat([]byte{0xAA}, 1295)
		n, err := w.Write(data)
		if err != nil || n != len(data) {
			t.Fatalf("baud %d: Write = %d, %v", baud, n, err)
		}
		if !bytes.Equal(buf.Bytes(), data) {
			t.Fatalf("baud %d: bytes changed in transit", baud)
		}
		elapsed := clk.Now().Sub(time.Unix(0, 0))
		want := Duration(len(data), baud)
		if diff := elapsed - want; diff < -time.Millisecond || diff > time.Millisecond {
			t.Fatalf("baud %d: paced %v, want %v", baud, elapsed, want)
		}
	}
}

// TestWriterLateSleepsDoNotAddUp: every sleep overshoots by half a
// millisecond, as on a busy machine; the bytes still take their line time
// plus one overshoot, not one overshoot a chunk. A later Write after the
// line went idle starts a new schedule.
func TestWriterLateSleepsDoNotAddUp(t *testing.T) {
	var buf bytes.Buffer
	clk := clocktest.New(time.Unix(0, 0))
	w := NewWriter(&buf, 115200)
	w.Now = clk.Now
	w.Sleep = func(d time.Duration) { clk.Add(d + 500*time.Microsecond) }
	data := make([]byte, 1295) // 57 chunks of about 2 ms
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	want := Duration(len(data), 115200)
	if el := clk.Now().Sub(time.Unix(0, 0)); el < want || el > want+time.Millisecond {
		t.Fatalf("1295 bytes with late sleeps took %v, want %v plus at most one overshoot", el, want)
	}
	clk.Add(time.Second) // idle
	start := clk.Now()
	if _, err := w.Write(make([]byte, 23)); err != nil {
		t.Fatal(err)
	}
	if el := clk.Now().Sub(start); el < Duration(23, 115200) {
		t.Fatalf("a write after an idle second took %v: it sent ahead of the line", el)
	}
}

func TestWriterUnpaced(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, 0)
	w.Sleep = func(time.Duration) { t.Fatal("an unpaced writer must not sleep") }
	if _, err := w.Write([]byte("abc")); err != nil || buf.String() != "abc" {
		t.Fatalf("unpaced write: %q, %v", buf.String(), err)
	}
}

func TestWriterRealTime(t *testing.T) {
	// One real-clock check that the sleeps happen: 1152 bytes at 115200
	// baud is 100 ms of line time. Only a lower bound is asserted, since a
	// loaded machine can only make it slower.
	var buf bytes.Buffer
	w := NewWriter(&buf, 115200)
	start := time.Now()
	if _, err := w.Write(make([]byte, 1152)); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 95*time.Millisecond {
		t.Fatalf("1152 bytes at 115200 baud took %v, want at least ~100ms", el)
	}
}

package escpos_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shcommunity/kiosk/devices/conn/conntest"
	"github.com/shcommunity/kiosk/devices/escpos"
)

// status is the printer's side of one status check: DLE EOT 1 to 4, each
// answered with its reply (several bytes, or none for silence).
func status(replies ...[]byte) []conntest.Exchange {
	out := make([]conntest.Exchange, len(replies))
	for i, r := range replies {
		n := escpos.StatusKind(i + 1)
		out[i] = conntest.Exchange{Name: fmt.Sprintf("DLE EOT %d", n), W: escpos.StatusRequest(n), R: r}
	}
	return out
}

// each answers all four requests with the same byte.
func each(b byte) []conntest.Exchange {
	return status([]byte{b}, []byte{b}, []byte{b}, []byte{b})
}

// scripted returns a driver on a printer that follows script, and the
// printer's connection. The test fails if the driver writes anything
// else, or not all of it.
func scripted(t *testing.T, script ...[]conntest.Exchange) (*escpos.Printer, *conntest.Playback) {
	t.Helper()
	c := conntest.New(concat(script)...)
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("the driver did not follow the transcript: %v", err)
		}
	})
	p := escpos.NewPrinter(c, escpos.Profile58)
	p.StatusTimeout = 100 * time.Millisecond
	p.Baud = 0
	return p, c
}

func concat(parts [][]conntest.Exchange) []conntest.Exchange {
	var out []conntest.Exchange
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestDriverStatusSkipsOtherBytes(t *testing.T) {
	// XON, an ASB first byte and a GS r reply come before each answer.
	p, _ := scripted(t, status([]byte{0x11, 0x12}, []byte{0x11, 0x12}, []byte{0x11, 0x12}, []byte{0x11, 0x10, 0x00, 0x1E}))
	st, err := p.Status(context.Background())
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	if want := (escpos.Status{PaperNearEnd: true}); st != want {
		t.Errorf("Status = %+v, want %+v", st, want)
	}
}

// TestDriverNotResponding runs on the bubble's clock: the silent request
// costs StatusTimeout of fake time.
func TestDriverNotResponding(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := scripted(t, status([]byte{0x12}, []byte{0x12}, nil))
		_, err := p.Status(context.Background())
		if !errors.Is(err, escpos.ErrNotResponding) {
			t.Fatalf("Status = %v, want ErrNotResponding", err)
		}
	})
}

func TestDriverPrintChecksBeforeAndAfter(t *testing.T) {
	job := []byte{0x1B, 0x40, 'A', 0x0A, 0x1D, 0x56, 1}
	sent := []conntest.Exchange{{Name: "job", W: job}}
	tests := []struct {
		name    string
		script  [][]conntest.Exchange
		want    error
		sent    bool
		nearEnd bool
	}{
		{"ready", [][]conntest.Exchange{each(0x12), sent, each(0x12)}, nil, true, false},
		{"near end is a warning", [][]conntest.Exchange{
			status([]byte{0x12}, []byte{0x12}, []byte{0x12}, []byte{0x1E}), sent,
			status([]byte{0x12}, []byte{0x12}, []byte{0x12}, []byte{0x1E}),
		}, nil, true, true},
		{"paper out before", [][]conntest.Exchange{
			status([]byte{0x1A}, []byte{0x32}, []byte{0x12}, []byte{0x7E}),
		}, escpos.ErrPaperOut, false, false},
		{"cover opened during", [][]conntest.Exchange{
			each(0x12), sent,
			status([]byte{0x1A}, []byte{0x16}, []byte{0x12}, []byte{0x12}),
		}, escpos.ErrCoverOpen, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, wire := scripted(t, tt.script...)
			res, err := p.Print(context.Background(), job)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Print = %v, want %v", err, tt.want)
			}
			if sent := bytes.Contains(wire.Written(), job); sent != tt.sent {
				t.Errorf("job sent = %v, want %v", sent, tt.sent)
			}
			if res.PaperNearEnd != tt.nearEnd {
				t.Errorf("PaperNearEnd = %v, want %v", res.PaperNearEnd, tt.nearEnd)
			}
			if tt.sent && res.Bytes != len(job) {
				t.Errorf("Bytes = %d, want %d", res.Bytes, len(job))
			}
		})
	}
}

// TestDriverSkipsAnswersToTheJob: raster data that holds 10 04 01 draws
// an answer that is still on the line when the job has gone; the check
// after the job must not take it for its own. Here that answer reads as
// "offline", and arrives 50 ms late, long after drain has looked.
func TestDriverSkipsAnswersToTheJob(t *testing.T) {
	job := []byte{0x1D, 0x76, 0x30, 0x00, 0x03, 0x00, 0x01, 0x00, 0x10, 0x04, 0x01, 0x0A}
	for _, tc := range []struct {
		name   string
		answer []byte
	}{
		{"late answer", []byte{0x1E}},
		{"no answer", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p, _ := scripted(t, each(0x12), []conntest.Exchange{{Name: "job", W: job, R: tc.answer, Delay: 50 * time.Millisecond}}, each(0x12))
				res, err := p.Print(context.Background(), job)
				if err != nil || res.After != (escpos.Status{}) {
					t.Fatalf("Print = %+v, %v; want the printer ready after the job", res.After, err)
				}
			})
		})
	}
}

func TestStatusScanner(t *testing.T) {
	var s escpos.StatusScanner
	var got []escpos.StatusKind
	found := func(k escpos.StatusKind) { got = append(got, k) }
	// Split across pieces, after a DLE, and with n out of range.
	for _, piece := range [][]byte{{0x10, 0x10}, {0x04}, {0x02, 0x10, 0x04, 0x05}, {0x10, 0x04, 0x10, 0x04, 0x04, 0x10}} {
		s.Scan(piece, found)
	}
	if want := []escpos.StatusKind{2, 4}; !slices.Equal(got, want) {
		t.Errorf("found %v, want %v", got, want)
	}
}

func TestDriverCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := scripted(t, status(nil))
		p.StatusTimeout = time.Minute
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(20 * time.Millisecond); cancel() }()
		start := time.Now()
		if _, err := p.Status(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("Status = %v, want context.Canceled", err)
		}
		if waited := time.Since(start); waited != 20*time.Millisecond {
			t.Errorf("Status returned %v after it began, want at the cancel (20 ms)", waited)
		}
	})
}

func TestDriverClosedConn(t *testing.T) {
	p, _ := scripted(t)
	p.Close()
	if _, err := p.Print(context.Background(), []byte("x")); err == nil || errors.Is(err, escpos.ErrNotResponding) {
		t.Fatalf("Print on a closed port = %v, want the port's error", err)
	}
	var _ io.Closer = p
}

// TestDriverFreshStatus: with Fresh set, a print soon after a status read
// that found the printer ready goes straight to the job (the transcript
// has no check before it); after a read that found a fault, or once the
// status is older than Fresh, the check before comes back. The check
// after the job is always made.
func TestDriverFreshStatus(t *testing.T) {
	job := []byte{0x1B, 0x40, 'A', 0x0A, 0x1D, 0x56, 1}
	sent := []conntest.Exchange{{Name: "job", W: job}}
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	p, _ := scripted(t,
		each(0x12),       // Status: ready
		sent, each(0x12), // Print within Fresh: no check before
		sent, each(0x12), // Print again: the check after counts as fresh
		each(0x12), sent, each(0x12), // Print after Fresh has passed: checked before
		status([]byte{0x1A}, []byte{0x32}, []byte{0x12}, []byte{0x7E}), // Status: paper out
		status([]byte{0x1A}, []byte{0x32}, []byte{0x12}, []byte{0x7E}), // Print: checked before, refused
	)
	p.Fresh = 5 * time.Second
	p.Now = func() time.Time { return now }
	ctx := context.Background()
	if _, err := p.Status(ctx); err != nil {
		t.Fatal(err)
	}
	now = now.Add(4 * time.Second)
	if _, err := p.Print(ctx, job); err != nil {
		t.Fatalf("fresh print: %v", err)
	}
	now = now.Add(4 * time.Second)
	if _, err := p.Print(ctx, job); err != nil {
		t.Fatalf("second print: %v", err)
	}
	now = now.Add(6 * time.Second)
	if _, err := p.Print(ctx, job); err != nil {
		t.Fatalf("stale print: %v", err)
	}
	if st, err := p.Status(ctx); err != nil || !st.PaperEnd {
		t.Fatalf("status = %+v, %v; want paper out", st, err)
	}
	if _, err := p.Print(ctx, job); !errors.Is(err, escpos.ErrPaperOut) {
		t.Fatalf("print after a paper-out status: %v, want ErrPaperOut before anything is sent", err)
	}
}

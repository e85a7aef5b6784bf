package escpos_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/devices/escpos"
)

// scripted answers each DLE EOT n on the far end of a pipe with reply(n),
// which may be several bytes or none.
// The returned function closes the pipe and gives every byte the host sent.
func scripted(t *testing.T, reply func(n byte) []byte) (*escpos.Printer, func() []byte) {
	t.Helper()
	host, dev := net.Pipe()
	t.Cleanup(func() { host.Close(); dev.Close() })
	got := new(bytes.Buffer)
	done := make(chan struct{})
	t.Cleanup(func() { dev.Close(); <-done })
	go func() {
		defer close(done)
		var buf [1]byte
		var state int
		for {
			if _, err := dev.Read(buf[:]); err != nil {
				return
			}
			c := buf[0]
			got.WriteByte(c)
			switch {
			case state == 2:
				if _, err := dev.Write(reply(c)); err != nil {
					return
				}
				state = 0
			case c == 0x10:
				state = 1
			case state == 1 && c == 0x04:
				state = 2
			default:
				state = 0
			}
		}
	}()
	p := escpos.NewPrinter(host, escpos.Profile58)
	p.StatusTimeout = 100 * time.Millisecond
	p.Baud = 0
	return p, func() []byte {
		host.Close()
		dev.Close()
		<-done
		return got.Bytes()
	}
}

func TestDriverStatusSkipsOtherBytes(t *testing.T) {
	// XON, an ASB first byte and a GS r reply come before each answer.
	p, _ := scripted(t, func(n byte) []byte {
		if n == 4 {
			return []byte{0x11, 0x10, 0x00, 0x1E}
		}
		return []byte{0x11, 0x12}
	})
	st, err := p.Status(context.Background())
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	if want := (escpos.Status{PaperNearEnd: true}); st != want {
		t.Errorf("Status = %+v, want %+v", st, want)
	}
}

func TestDriverNotResponding(t *testing.T) {
	p, _ := scripted(t, func(n byte) []byte {
		if n == 3 {
			return nil
		}
		return []byte{0x12}
	})
	_, err := p.Status(context.Background())
	if !errors.Is(err, escpos.ErrNotResponding) {
		t.Fatalf("Status = %v, want ErrNotResponding", err)
	}
}

func TestDriverPrintChecksBeforeAndAfter(t *testing.T) {
	job := []byte{0x1B, 0x40, 'A', 0x0A, 0x1D, 0x56, 1}
	tests := []struct {
		name    string
		reply   func(n, call byte) byte
		want    error
		sent    bool
		nearEnd bool
	}{
		{"ready", func(n, _ byte) byte { return 0x12 }, nil, true, false},
		{"near end is a warning", func(n, _ byte) byte {
			if n == 4 {
				return 0x1E
			}
			return 0x12
		}, nil, true, true},
		{"paper out before", func(n, _ byte) byte { return map[byte]byte{1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x7E}[n] }, escpos.ErrPaperOut, false, false},
		{"cover opened during", func(n, call byte) byte {
			if call == 0 {
				return 0x12
			}
			return map[byte]byte{1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12}[n]
		}, escpos.ErrCoverOpen, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := map[byte]byte{}
			p, wire := scripted(t, func(n byte) []byte {
				r := tt.reply(n, calls[n])
				calls[n]++
				return []byte{r}
			})
			res, err := p.Print(context.Background(), job)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Print = %v, want %v", err, tt.want)
			}
			if sent := bytes.Contains(wire(), job); sent != tt.sent {
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

func TestDriverCancel(t *testing.T) {
	p, _ := scripted(t, func(n byte) []byte { return nil })
	p.StatusTimeout = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if _, err := p.Status(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Status = %v, want context.Canceled", err)
	}
}

func TestDriverClosedConn(t *testing.T) {
	p, _ := scripted(t, func(n byte) []byte { return []byte{0x12} })
	p.Close()
	if _, err := p.Print(context.Background(), []byte("x")); err == nil || errors.Is(err, escpos.ErrNotResponding) {
		t.Fatalf("Print on a closed port = %v, want the port's error", err)
	}
	var _ io.Closer = p
}

//go:build linux

package serialport_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/devices/serialport"
	"github.com/shcommunity/kiosk/internal/ptypair"
)

func openPair(t *testing.T) (*ptypair.Pair, *serialport.Port) {
	t.Helper()
	pair, err := ptypair.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pair.Close() })
	p, err := serialport.Open(pair.Path, &serialport.Options{Baud: 115200})
	if err != nil {
		t.Fatalf("Open(%s): %v", pair.Path, err)
	}
	t.Cleanup(func() { p.Close() })
	return pair, p
}

// pendingRead starts a one-byte Read of p and gives it a moment to
// block; the Read's error comes on the channel.
func pendingRead(p *serialport.Port) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := p.Read(make([]byte, 1))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	return done
}

func TestRoundTrip(t *testing.T) {
	pair, p := openPair(t)
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	if _, err := p.Write(all); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(all))
	if _, err := io.ReadFull(pair.Master, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, all) {
		t.Fatalf("port→master:\n got % x\nwant % x", got, all)
	}
	if _, err := pair.Master.Write(all); err != nil {
		t.Fatal(err)
	}
	if err := p.SetReadDeadline(time.Now().Add(2 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(p, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, all) {
		t.Fatalf("master→port:\n got % x\nwant % x", got, all)
	}
}

func TestReadDeadline(t *testing.T) {
	_, p := openPair(t)
	tests := []struct {
		name     string
		deadline time.Time
	}{
		{"future", time.Now().Add(30 * time.Millisecond)},
		{"past", time.Now().Add(-time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := p.SetReadDeadline(tt.deadline); err != nil {
				t.Fatal(err)
			}
			n, err := p.Read(make([]byte, 8))
			if n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("Read = %d, %v; want 0, os.ErrDeadlineExceeded", n, err)
			}
		})
	}
}

// A deadline moved into the past while a Read waits ends that Read: this
// is how a driver ties a pending read to its context.
func TestDeadlineDuringRead(t *testing.T) {
	_, p := openPair(t)
	if err := p.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	done := pendingRead(p)
	p.SetReadDeadline(time.Now())
	if err := <-done; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read = %v, want os.ErrDeadlineExceeded", err)
	}
}

func TestCloseUnblocksRead(t *testing.T) {
	_, p := openPair(t)
	done := pendingRead(p)
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	err := <-done
	if !errors.Is(err, serialport.ErrClosed) || !errors.Is(err, os.ErrClosed) {
		t.Fatalf("pending Read after Close = %v, want ErrClosed", err)
	}
	if errors.Is(err, serialport.ErrUnplugged) {
		t.Fatalf("pending Read after Close = %v, must not look unplugged", err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close = %v, want nil", err)
	}
}

func TestUnplugged(t *testing.T) {
	pair, p := openPair(t)
	done := pendingRead(p)
	pair.Close() // the device vanishes
	select {
	case err := <-done:
		if !errors.Is(err, serialport.ErrUnplugged) {
			t.Fatalf("Read after unplug = %v, want ErrUnplugged", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Read still blocked after the pty closed")
	}
}

func TestSetBaud(t *testing.T) {
	pair, p := openPair(t)
	if err := p.SetBaud(38400); err != nil {
		t.Fatalf("SetBaud: %v", err)
	}
	if got := p.Baud(); got != 38400 {
		t.Fatalf("Baud() = %d, want 38400", got)
	}
	if _, err := p.Write([]byte{0xAA}); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 1)
	if _, err := io.ReadFull(pair.Master, b); err != nil || b[0] != 0xAA {
		t.Fatalf("after SetBaud read %x, %v", b, err)
	}
	if err := p.SetBaud(0); err == nil {
		t.Fatal("SetBaud(0) = nil, want an error")
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name string
		path string
		want error
	}{
		{"missing", filepath.Join(t.TempDir(), "ttyUSB9"), serialport.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := serialport.Open(tt.path, nil)
			if err == nil {
				p.Close()
				t.Fatalf("Open(%s) = nil error, want %v", tt.path, tt.want)
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open(%s) = %v, want %v", tt.path, err, tt.want)
			}
		})
	}
}

func TestUseAfterClose(t *testing.T) {
	_, p := openPair(t)
	p.Close()
	if _, err := p.Write([]byte{1}); !errors.Is(err, serialport.ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
	if _, err := p.Read(make([]byte, 1)); !errors.Is(err, serialport.ErrClosed) {
		t.Errorf("Read after Close = %v, want ErrClosed", err)
	}
}

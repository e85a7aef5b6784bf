//go:build linux

package ptypair

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"testing"
	"time"
)

func TestAllBytesPassUnchanged(t *testing.T) {
	p, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	app, err := os.OpenFile(p.Path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()

	// Every byte value, including ^C, FS and LF that a cooked pty mangles.
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	if _, err := p.Master.Write(all); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 256)
	if _, err := io.ReadFull(app, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, all) {
		t.Fatalf("master→slave changed bytes:\n got % x\nwant % x", got, all)
	}
	if _, err := app.Write(all); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(p.Master, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, all) {
		t.Fatalf("slave→master changed bytes:\n got % x\nwant % x", got, all)
	}
}

func TestMasterDeadline(t *testing.T) {
	p, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Master.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	_, err = p.Master.Read(make([]byte, 1))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read past deadline = %v, want os.ErrDeadlineExceeded", err)
	}
}

func TestSlaveReopen(t *testing.T) {
	p, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for i := 0; i < 3; i++ {
		app, err := os.OpenFile(p.Path, os.O_RDWR, 0)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if _, err := app.Write([]byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		app.Close()
		b := make([]byte, 1)
		if _, err := io.ReadFull(p.Master, b); err != nil || b[0] != byte(i) {
			t.Fatalf("after reopen %d: read %v, %v", i, b, err)
		}
	}
}

// TestServe: the simulator answers on the path Serve returns, and when the
// test that started it ends, its context is cancelled and Serve waits for
// it to return before the pair closes.
func TestServe(t *testing.T) {
	var path string
	var ended, sawCancel bool
	t.Run("sim", func(t *testing.T) {
		path = Serve(t, func(ctx context.Context, rw io.ReadWriter) error {
			defer func() { ended = true }()
			buf := make([]byte, 1)
			if _, err := io.ReadFull(rw, buf); err != nil {
				return err
			}
			if _, err := rw.Write([]byte{buf[0] + 1}); err != nil {
				return err
			}
			<-ctx.Done()
			sawCancel = true
			return nil
		})
		app, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer app.Close()
		if _, err := app.Write([]byte{41}); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, 1)
		if _, err := io.ReadFull(app, got); err != nil || got[0] != 42 {
			t.Fatalf("answer %v, %v; want 42", got, err)
		}
	})
	if !ended || !sawCancel {
		t.Errorf("after the test: serve returned %v, saw its context cancelled %v; want both", ended, sawCancel)
	}
}

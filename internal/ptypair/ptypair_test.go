//go:build linux

package ptypair

import (
	"bytes"
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

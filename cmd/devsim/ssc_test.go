package main

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/devices/ssc"
	"github.com/shcommunity/kiosk/devices/ssc/pcsclab"
)

// TestSSC runs `devsim ssc --lab` and reads the card it inserts through
// the private pcscd it started, as kioskctl read-ssc would in another
// terminal.
func TestSSC(t *testing.T) {
	if pcsclab.Skipped() {
		t.Skipf("%s=1: the real PC/SC stack is not tested", pcsclab.SkipEnv)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"ssc", "--lab"}, inR, outW, io.Discard); outW.Close() }()
	lines := bufio.NewScanner(outR)
	next := func() string {
		t.Helper()
		if !lines.Scan() {
			t.Fatalf("devsim ssc ended: %v", <-done)
		}
		return lines.Text()
	}
	banner := next()
	if !strings.Contains(banner, "Kiosk VPCD 00 00") || !strings.Contains(banner, "PCSCLITE_CSOCK_NAME=") {
		t.Fatalf("banner %q names no reader or socket", banner)
	}
	io.WriteString(inW, "insert ssc-only\n")
	if got := next(); got != "inserted ssc-only" {
		t.Fatalf("insert: %q", got)
	}

	p, err := ssc.OpenPCSC()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
	defer rcancel()
	var st ssc.ReaderState
	for !st.Present {
		if st, err = p.Wait(rctx, "Kiosk VPCD 00 00", st, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := p.Connect("Kiosk VPCD 00 00")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ssc.ReadCard(rctx, conn, time.Now())
	conn.Close()
	if err != nil || c.Name.Reveal() != "王芳" {
		t.Fatalf("read %v, %v", c, err)
	}
	io.WriteString(inW, "state\n")
	if got := next(); !strings.Contains(got, "card: ssc-only") || !strings.Contains(got, "11 commands") {
		t.Errorf("state: %q", got)
	}
	io.WriteString(inW, "fault melt\n")
	if got := next(); !strings.Contains(got, "unknown fault") {
		t.Errorf("bad fault: %q", got)
	}
	io.WriteString(inW, "quit\n")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

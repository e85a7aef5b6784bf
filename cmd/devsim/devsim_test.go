package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
	"github.com/shcommunity/kiosk/devices/idcard/idcardsim"
)

// TestDemo runs the whole device path: every deck card read by the real
// watcher through the reader simulator on a pty, every valid card printed
// by the real driver to the printer simulator on a pty, and every slip's
// QR scanned from its PNG and verified.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes several seconds of paced serial traffic")
	}
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rows, err := demo(ctx, demoConfig{Out: out, Profile: escpos.Profile58, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	deck := idcardsim.SampleDeck()
	if len(rows) != len(deck.Cards) {
		t.Fatalf("demo reported %d cards, the deck has %d", len(rows), len(deck.Cards))
	}
	printed := 0
	for _, r := range rows {
		want := "printed, QR scanned and verified"
		if r.Label == "expired" {
			want = "card expired: no slip"
		}
		if r.Outcome != want {
			t.Errorf("%s: %q, want %q", r.Label, r.Outcome, want)
			continue
		}
		if r.PNG != "" {
			printed++
			if _, err := os.Stat(r.PNG); err != nil {
				t.Errorf("%s: slip image: %v", r.Label, err)
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.png"))
	if printed != len(deck.Cards)-1 || len(files) != printed {
		t.Errorf("printed %d slips, %d PNGs; want %d", printed, len(files), len(deck.Cards)-1)
	}
}

func TestReaderController(t *testing.T) {
	sim := idcardsim.New(idcardsim.SampleDeck(), &idcardsim.Options{Unpaced: true})
	c := readerController(sim)
	steps := []struct {
		line, want string
		err        bool
	}{
		{"place resident-green", "placed resident-green", false},
		{"state", "card: resident-green", false},
		{"place nobody", "", true},
		{"fault checksum 2", "next 2 replies", false},
		{"fault smoke", "", true},
		{"fault garbage 0", "", true},
		{"remove", "removed", false},
		{"state", "card: (none)", false},
		{"list", "rare-character", false},
		{"dance", "", true},
	}
	for _, s := range steps {
		out, err := c(s.line)
		if (err != nil) != s.err || !strings.Contains(out, s.want) {
			t.Errorf("%q → %q, %v; want %q (error %v)", s.line, out, err, s.want, s.err)
		}
	}
	if got := sim.PendingFaults(); got != 2 {
		t.Errorf("pending faults = %d, want 2", got)
	}
	if _, err := c("quit"); !errors.Is(err, errQuit) {
		t.Errorf("quit → %v, want errQuit", err)
	}
}

func TestPrinterController(t *testing.T) {
	sim := escpossim.New(escpos.Profile58)
	c := printerController(sim)
	if _, err := c("paper out"); err != nil {
		t.Fatal(err)
	}
	if !sim.Status().PaperEnd {
		t.Error("paper out did not set the paper-end status")
	}
	out, _ := c("state")
	if !strings.Contains(out, "paper") {
		t.Errorf("state with no paper = %q", out)
	}
	c("paper ok")
	c("cover open")
	if !sim.Status().CoverOpen {
		t.Error("cover open did not open the cover")
	}
	c("cover closed")
	if err := sim.Status().Err(); err != nil {
		t.Errorf("after paper ok and cover closed: %v", err)
	}
	if _, err := c("cover ajar"); err == nil {
		t.Error("cover ajar accepted")
	}
}

func TestControlHTTPLoopbackOnly(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := serveHTTP(ctx, "0.0.0.0:0", nil); err == nil {
		t.Fatal("control server accepted a non-loopback address")
	}
	sim := idcardsim.New(idcardsim.SampleDeck(), &idcardsim.Options{Unpaced: true})
	addr, err := serveHTTP(ctx, "127.0.0.1:0", readerController(sim))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post("http://"+addr+"/control", "text/plain", strings.NewReader("place hk-permit"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || sim.Placed() != "hk-permit" {
		t.Fatalf("POST place → %d %q, placed %q", resp.StatusCode, body, sim.Placed())
	}
	resp, err = http.Post("http://"+addr+"/control", "text/plain", strings.NewReader("quit"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("quit over HTTP → %d, want 403", resp.StatusCode)
	}
}

func TestRunUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"juggle"}, strings.NewReader(""), &out, &errOut)
	var u usageError
	if !errors.As(err, &u) {
		t.Fatalf("unknown command → %v, want a usage error", err)
	}
	if err := run(context.Background(), []string{"printer", "--profile", "57"}, strings.NewReader(""), &out, &errOut); !errors.As(err, &u) {
		t.Fatalf("bad profile → %v, want a usage error", err)
	}
}

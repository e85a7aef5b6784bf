package x11test_test

import (
	"errors"
	"os"
	"testing"

	"github.com/shcommunity/kiosk/internal/x11test"
)

// TestXvfb starts a server, connects without authorisation and lists its
// top-level windows: none has a title on a fresh server.
func TestXvfb(t *testing.T) {
	s, err := x11test.StartXvfb(640, 480)
	if errors.Is(err, x11test.ErrNoXvfb) && os.Getenv("KIOSK_SKIP_XVFB") != "" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	x, err := x11test.Dial(s.Display)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	a, err := x.Atom("WM_DELETE_WINDOW")
	if err != nil || a == 0 {
		t.Fatalf("atom %d, %v", a, err)
	}
	ts, err := x.Titles()
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 0 {
		t.Errorf("a fresh server has titled windows: %v", ts)
	}
	if _, ok, err := x.Find("no such window"); ok || err != nil {
		t.Errorf("Find on a fresh server: %v, %v", ok, err)
	}
}

package ui_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/ui"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/internal/kioskmode"
)

const exitPIN = "246810"

// cheapHash is the exit PIN hashed at the lowest argon2id cost, so that a
// check takes microseconds in tests.
func cheapHash(t *testing.T) string {
	t.Helper()
	h, err := kioskmode.HashPINWith(exitPIN, api.Argon2Params{Time: 1, Memory: 8, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// interceptWindow records the close intercept the lock installs, which
// the test driver's window keeps to itself.
type interceptWindow struct {
	fyne.Window
	intercept func()
}

func (w *interceptWindow) SetCloseIntercept(f func()) { w.intercept = f }

// lockFixture is a window with a Lock. The test goroutine is the UI
// goroutine: the lock's Do queues, and pump runs the queue.
type lockFixture struct {
	t     *testing.T
	win   *interceptWindow
	lock  *ui.Lock
	queue chan func()
	exits int
}

func newLockFixture(t *testing.T, g *kioskmode.Guard) *lockFixture {
	t.Helper()
	themedApp(t)
	f := &lockFixture{t: t, queue: make(chan func(), 16)}
	inner := window(t, ui.NewSelf(ui.SelfControls{}, i18n.ZH).Content(), screenSize)
	f.win = &interceptWindow{Window: inner}
	f.lock = &ui.Lock{Guard: g, Lang: i18n.ZH, OnExit: func() { f.exits++ }, DialogIdle: -1,
		Do: func(fn func()) { f.queue <- fn }}
	if err := f.lock.Install(f.win); err != nil {
		t.Fatal(err)
	}
	if f.win.intercept == nil {
		t.Fatal("Install did not intercept the close request")
	}
	return f
}

// pump runs queued UI work until ok holds.
func (f *lockFixture) pump(what string, ok func() bool) {
	f.t.Helper()
	deadline := time.After(5 * time.Second)
	for !ok() {
		select {
		case fn := <-f.queue:
			fn()
		case <-deadline:
			f.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// button finds a button of the open dialog by its label.
func (f *lockFixture) button(label string) *widget.Button {
	f.t.Helper()
	top := f.win.Canvas().Overlays().Top()
	if top == nil {
		f.t.Fatal("no dialog on screen")
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == label {
			return b
		}
	}
	f.t.Fatalf("the dialog has no %q button", label)
	return nil
}

// enter types pin on the keypad and taps OK.
func (f *lockFixture) enter(pin string) {
	f.t.Helper()
	for _, d := range pin {
		test.Tap(f.button(string(d)))
	}
	if got, want := f.lock.Dialog().Dots(), strings.Repeat("●", len(pin)); got != want {
		f.t.Errorf("dots = %q, want %q", got, want)
	}
	test.Tap(f.button(i18n.T(i18n.ZH, i18n.ExitOK)))
}

func (f *lockFixture) message() string { return f.lock.Dialog().Message() }

func TestLockCloseRequestOpensDialog(t *testing.T) {
	f := newLockFixture(t, &kioskmode.Guard{Hash: cheapHash(t)})
	if f.lock.Dialog() != nil || f.win.Canvas().Overlays().Top() != nil {
		t.Fatal("a dialog is open before any close request")
	}
	f.win.intercept()
	if f.lock.Dialog() == nil || f.win.Canvas().Overlays().Top() == nil {
		t.Fatal("the close request did not open the exit dialog")
	}
	if f.exits != 0 {
		t.Errorf("the close request left kiosk mode")
	}
	if got, want := f.message(), i18n.T(i18n.ZH, i18n.ExitPrompt); got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	f.win.intercept() // a second request keeps the one dialog
	if n := len(f.win.Canvas().Overlays().List()); n != 1 {
		t.Errorf("%d overlays after two close requests, want 1", n)
	}
	test.Tap(f.button(i18n.T(i18n.ZH, i18n.ExitCancel)))
	if f.lock.Dialog() != nil || f.win.Canvas().Overlays().Top() != nil || f.exits != 0 {
		t.Errorf("cancel: dialog %v, exits %d; want closed and still in kiosk mode", f.lock.Dialog() != nil, f.exits)
	}
}

func TestLockPIN(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name      string
		pins      []string
		wantMsg   string
		wantExits int
	}{
		{"right PIN leaves", []string{exitPIN}, "", 1},
		{"wrong PIN stays", []string{"135790"}, i18n.ExitWrongText(i18n.ZH, 2), 0},
		{"wrong then right", []string{"135790", exitPIN}, "", 1},
		{"too short does not count", []string{"12", "135790"}, i18n.ExitWrongText(i18n.ZH, 2), 0},
		{"lockout", []string{"135790", "135791", "135792"}, i18n.ExitLockedText(i18n.ZH, now.Add(5*time.Minute)), 0},
		{"locked refuses the right PIN", []string{"135790", "135791", "135792", exitPIN}, i18n.ExitLockedText(i18n.ZH, now.Add(5*time.Minute)), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &kioskmode.Guard{Hash: cheapHash(t), MaxAttempts: 3, Now: func() time.Time { return now }}
			f := newLockFixture(t, g)
			f.win.intercept()
			for i, pin := range tt.pins {
				f.enter(pin)
				if len(pin) < kioskmode.MinPINLength {
					if got, want := f.message(), i18n.T(i18n.ZH, i18n.ExitShort); got != want {
						t.Errorf("pin %d: message %q, want %q", i, got, want)
					}
					continue
				}
				f.pump("the check", func() bool {
					return f.exits > 0 || f.message() != i18n.T(i18n.ZH, i18n.ExitChecking)
				})
			}
			if f.exits != tt.wantExits {
				t.Fatalf("exits = %d, want %d", f.exits, tt.wantExits)
			}
			if tt.wantExits > 0 {
				if f.lock.Dialog() != nil || f.win.Canvas().Overlays().Top() != nil {
					t.Error("the dialog is still open after the right PIN")
				}
				return
			}
			if got := f.message(); got != tt.wantMsg {
				t.Errorf("message = %q, want %q", got, tt.wantMsg)
			}
			if f.lock.Dialog().Dots() != " " {
				t.Errorf("the typed PIN was kept after the check: %q", f.lock.Dialog().Dots())
			}
		})
	}
}

func TestLockNoPIN(t *testing.T) {
	f := newLockFixture(t, &kioskmode.Guard{})
	f.win.intercept()
	if got, want := f.message(), i18n.T(i18n.ZH, i18n.ExitNoPIN); got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	if !f.button("5").Disabled() || !f.button(i18n.T(i18n.ZH, i18n.ExitOK)).Disabled() {
		t.Error("the keypad works with no PIN set")
	}
	if f.button(i18n.T(i18n.ZH, i18n.ExitCancel)).Disabled() {
		t.Error("cancel is disabled")
	}
	if f.exits != 0 {
		t.Error("left kiosk mode with no PIN set")
	}
}

func TestLockDamagedHash(t *testing.T) {
	f := newLockFixture(t, &kioskmode.Guard{Hash: "$argon2id$damaged"})
	f.win.intercept()
	f.enter(exitPIN)
	want := i18n.T(i18n.ZH, i18n.ExitBroken)
	f.pump("the check", func() bool { return f.message() == want })
	if f.exits != 0 {
		t.Error("left kiosk mode with a damaged hash")
	}
}

func TestLockShortcut(t *testing.T) {
	f := newLockFixture(t, &kioskmode.Guard{Hash: cheapHash(t)})
	sc := &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierControl | fyne.KeyModifierAlt | fyne.KeyModifierShift}
	f.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierControl})
	if f.lock.Dialog() != nil {
		t.Fatal("Ctrl+Q opened the exit dialog")
	}
	f.win.Canvas().(fyne.Shortcutable).TypedShortcut(sc)
	if f.lock.Dialog() == nil {
		t.Fatal("the exit shortcut did not open the dialog")
	}
	test.Tap(f.button(i18n.T(i18n.ZH, i18n.ExitCancel)))

	// The venue screen keeps its scanner entry focused: the focused
	// widget gets the combination first and must pass it on.
	v := ui.NewVenue(nil, i18n.ZH)
	f.win.SetContent(v.Content())
	f.win.Canvas().Focus(v.Focusable())
	v.Focusable().(fyne.Shortcutable).TypedShortcut(sc)
	if f.lock.Dialog() == nil {
		t.Fatal("the exit shortcut did not open the dialog from the venue's scanner entry")
	}
}

func TestLockKeypadSizes(t *testing.T) {
	f := newLockFixture(t, &kioskmode.Guard{Hash: cheapHash(t)})
	f.win.intercept()
	if n := bigButtons(t, f.win.Canvas().Overlays().Top()); n != 13 { // 0–9, delete, OK, cancel
		t.Errorf("%d buttons, want 13", n)
	}
	for _, o := range test.LaidOutObjects(f.win.Canvas().Overlays().Top()) {
		if e, ok := o.(*widget.Entry); ok {
			t.Errorf("the dialog has an entry %v: it must need no keyboard", e)
		}
	}
}

func TestLockDeleteKey(t *testing.T) {
	f := newLockFixture(t, &kioskmode.Guard{Hash: cheapHash(t)})
	f.win.intercept()
	del := f.button(i18n.T(i18n.ZH, i18n.ExitDelete))
	test.Tap(f.button("1"))
	test.Tap(f.button("9"))
	test.Tap(del)
	if got := f.lock.Dialog().Dots(); got != "●" {
		t.Errorf("after two digits and delete: dots %q, want one", got)
	}
	test.Tap(del)
	test.Tap(del) // nothing left to delete
	f.enter(exitPIN)
	f.pump("the check", func() bool { return f.exits > 0 || f.message() != i18n.T(i18n.ZH, i18n.ExitChecking) })
	if f.exits != 1 {
		t.Errorf("the PIN typed after deleting was refused: %q", f.message())
	}
}

func TestLockDialogIdleCloses(t *testing.T) {
	f := newLockFixture(t, &kioskmode.Guard{Hash: cheapHash(t)})
	f.lock.DialogIdle = 20 * time.Millisecond
	f.win.intercept()
	f.pump("the idle dialog to close", func() bool { return f.lock.Dialog() == nil })
	if f.win.Canvas().Overlays().Top() != nil || f.exits != 0 {
		t.Error("the idle dialog is still on screen, or it left kiosk mode")
	}
}

func TestParseShortcut(t *testing.T) {
	tests := []struct {
		in   string
		want *desktop.CustomShortcut
	}{
		{kioskmode.ExitShortcut, &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierControl | fyne.KeyModifierAlt | fyne.KeyModifierShift}},
		{"alt+ctrl+9", &desktop.CustomShortcut{KeyName: fyne.Key9, Modifier: fyne.KeyModifierControl | fyne.KeyModifierAlt}},
		{"Super+x", &desktop.CustomShortcut{KeyName: fyne.KeyX, Modifier: fyne.KeyModifierSuper}},
		{"Q", nil},
		{"Shift+Q", nil},
		{"Ctrl+Ctrl+Q", nil},
		{"Ctrl+F1", nil},
		{"Hyper+Q", nil},
		{"", nil},
		{"Ctrl+", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ui.ParseShortcut(tt.in)
			if tt.want == nil {
				if !errors.Is(err, ui.ErrShortcut) {
					t.Errorf("ParseShortcut(%q) = %v, %v; want ErrShortcut", tt.in, got, err)
				}
				return
			}
			if err != nil || *got != *tt.want {
				t.Errorf("ParseShortcut(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func FuzzParseShortcut(f *testing.F) {
	for _, s := range []string{kioskmode.ExitShortcut, "Shift+Q", "Ctrl++", "+", "Ctrl+Alt+Super+Shift+0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc, err := ui.ParseShortcut(s)
		if err != nil {
			return
		}
		if len(sc.KeyName) != 1 || sc.Modifier&^fyne.KeyModifierShift == 0 {
			t.Errorf("ParseShortcut(%q) = %+v: not a key with Ctrl, Alt or Super", s, sc)
		}
	})
}

// TestShellDrop checks that leaving kiosk mode forgets the resident on
// every screen and in the counter's inputs.
func TestShellDrop(t *testing.T) {
	themedApp(t)
	queue := make(chan func(), 64)
	w := window(t, nil, screenSize)
	ctx, cancel := context.WithCancel(context.Background())
	s := ui.Start(ctx, w, ui.Parts{Do: func(f func()) { queue <- f }, Backend: nopBackend{}, Printer: nopPrinter{},
		Mode: flow.ModeSelf, Lang: i18n.ZH})
	t.Cleanup(func() {
		cancel()
		done := make(chan struct{})
		go func() { s.Wait(); close(done) }()
		for {
			select {
			case <-queue: // views published while stopping are not drawn
			case <-done:
				return
			}
		}
	})
	s.Self.Show(resident(flow.StepDone, ticket(flow.TicketCode, healthcode.SourceLive, "green")))
	if !strings.Contains(test.RenderToMarkup(w.Canvas()), "张*丰") {
		t.Fatal("the resident is not on screen before Drop")
	}
	s.Drop()
	for len(queue) > 0 {
		(<-queue)()
	}
	if m := test.RenderToMarkup(w.Canvas()); strings.Contains(m, "张*丰") || !strings.Contains(m, "请将身份证放在读卡器上") {
		t.Error("the resident is still on screen after Drop")
	}
	if v := s.Self.View(); v.HasResident() {
		t.Errorf("self view after Drop has a resident: %+v", v)
	}
	if v := s.Counter.View(); v.Step != flow.CounterLogin {
		t.Errorf("counter after Drop is at %v, want the login", v.Step)
	}
}

package ui_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/ui"
	"github.com/shcommunity/kiosk/internal/kioskmode"
)

// sound records what the worker panel asks of the player and the
// configuration.
type sound struct {
	mu      sync.Mutex
	applied []ui.SoundSettings
	tries   int
	saved   []ui.SoundSettings
	saveErr error
}

func (s *sound) controls(start ui.SoundSettings) *ui.SoundControls {
	return &ui.SoundControls{
		Settings: start,
		Apply:    func(v ui.SoundSettings) { s.applied = append(s.applied, v) },
		Try:      func() { s.tries++ },
		Save: func(v ui.SoundSettings) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.saved = append(s.saved, v)
			return s.saveErr
		},
	}
}

func (s *sound) savedCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.saved)
}

// bigButtons checks that every button in o is at least 60 × 60 and
// returns how many there are.
func bigButtons(t *testing.T, o fyne.CanvasObject) int {
	t.Helper()
	n := 0
	for _, o := range test.LaidOutObjects(o) {
		if b, ok := o.(*widget.Button); ok {
			n++
			if s := b.Size(); s.Width < 60 || s.Height < 60 {
				t.Errorf("button %q is %v, want at least 60 × 60", b.Text, s)
			}
		}
	}
	return n
}

// openPanel types the right PIN into a kiosk-mode lock with sound
// controls and waits for the worker panel.
func openPanel(t *testing.T, s *sound, start ui.SoundSettings) *lockFixture {
	t.Helper()
	f := newLockFixture(t, &kioskmode.Guard{Hash: cheapHash(t)})
	// An empty screen under the panel: its golden file is the panel's
	// alone, whatever the residents' screens become.
	f.win.SetContent(layout.NewSpacer())
	f.lock.Sound = s.controls(start)
	f.win.intercept()
	f.enter(exitPIN)
	f.pump("the worker panel", func() bool { return f.lock.Panel() != nil })
	if f.exits != 0 || f.lock.Dialog() != nil {
		t.Fatalf("the right PIN with sound controls: exits %d, PIN dialog open %v; want the panel only", f.exits, f.lock.Dialog() != nil)
	}
	return f
}

func TestWorkerPanelScreen(t *testing.T) {
	f := openPanel(t, &sound{}, ui.SoundSettings{Volume: 0.8})
	golden(t, "lock_worker.xml", f.win)
	if n := bigButtons(t, f.win.Canvas().Overlays().Top()); n != 7 { // quieter, louder, mute, try, save, exit, back
		t.Errorf("%d buttons, want 7", n)
	}
	if got, want := f.lock.Panel().Level(), "语音提示音量 80%"; got != want {
		t.Errorf("level = %q, want %q", got, want)
	}
	// It fits the smallest kiosk screens: 1366 × 768 and 1080 × 1920.
	if m := f.win.Canvas().Overlays().Top().(*widget.PopUp).Content.MinSize(); m.Width > 1080 || m.Height > 768 {
		t.Errorf("the panel needs %v, more than 1080 × 768", m)
	}
}

func TestWorkerPanelChangesTheSound(t *testing.T) {
	s := &sound{}
	f := openPanel(t, s, ui.SoundSettings{Volume: 0.8})
	zh := func(k i18n.Key) string { return i18n.T(i18n.ZH, k) }
	test.Tap(f.button(zh(i18n.WorkerQuieter)))
	test.Tap(f.button(zh(i18n.WorkerLouder)))
	test.Tap(f.button(zh(i18n.WorkerLouder)))
	test.Tap(f.button(zh(i18n.WorkerLouder))) // stays at 100%
	test.Tap(f.button(zh(i18n.WorkerMute)))
	test.Tap(f.button(zh(i18n.WorkerTry)))
	want := []ui.SoundSettings{{Volume: 0.7}, {Volume: 0.8}, {Volume: 0.9}, {Volume: 1}, {Volume: 1, Muted: true}}
	if len(s.applied) != len(want) {
		t.Fatalf("applied %v, want %v", s.applied, want)
	}
	for i := range want {
		if s.applied[i] != want[i] {
			t.Errorf("change %d applied %+v, want %+v", i, s.applied[i], want[i])
		}
	}
	if s.tries != 1 {
		t.Errorf("Try ran %d times, want 1", s.tries)
	}
	if got, want := f.lock.Panel().Level(), "语音提示已静音（音量 100%）"; got != want {
		t.Errorf("level = %q, want %q", got, want)
	}
	test.Tap(f.button(zh(i18n.WorkerUnmute))) // the mute button now unmutes
	for range 12 {
		test.Tap(f.button(zh(i18n.WorkerQuieter)))
	}
	if got := f.lock.Panel().Settings(); got != (ui.SoundSettings{Volume: 0}) {
		t.Errorf("after twelve taps of quieter: %+v, want volume 0, not muted", got)
	}
	test.Tap(f.button(zh(i18n.WorkerLouder)))
	test.Tap(f.button(zh(i18n.WorkerLouder)))
	test.Tap(f.button(zh(i18n.WorkerLouder)))
	test.Tap(f.button(zh(i18n.WorkerSave)))
	f.pump("the save", func() bool { return f.lock.Panel().Message() == zh(i18n.WorkerSaved) })
	if got := s.saved; len(got) != 1 || got[0] != (ui.SoundSettings{Volume: 0.3}) {
		t.Errorf("saved %v, want one save of volume 0.3 exactly", got)
	}
	test.Tap(f.button(zh(i18n.BackButton)))
	if f.lock.Panel() != nil || f.win.Canvas().Overlays().Top() != nil || f.exits != 0 {
		t.Errorf("back: panel %v, exits %d; want closed and still in kiosk mode", f.lock.Panel() != nil, f.exits)
	}
	// The next close request asks for the PIN again.
	f.win.intercept()
	if f.lock.Dialog() == nil || f.lock.Panel() != nil {
		t.Error("after back, a close request did not ask for the PIN")
	}
}

func TestWorkerPanelSaveFailsAndExit(t *testing.T) {
	s := &sound{saveErr: errors.New("read-only file system")}
	f := openPanel(t, s, ui.SoundSettings{Volume: 0.5, Muted: true})
	if got, want := f.lock.Panel().Level(), "语音提示已静音（音量 50%）"; got != want {
		t.Errorf("level = %q, want %q", got, want)
	}
	test.Tap(f.button(i18n.T(i18n.ZH, i18n.WorkerSave)))
	f.pump("the failed save", func() bool { return f.lock.Panel().Message() == i18n.T(i18n.ZH, i18n.WorkerSaveFailed) })
	if s.savedCount() != 1 {
		t.Errorf("%d saves, want 1", s.savedCount())
	}
	test.Tap(f.button(i18n.T(i18n.ZH, i18n.WorkerExit)))
	if f.exits != 1 || f.lock.Panel() != nil {
		t.Errorf("exit: exits %d, panel open %v; want left once, panel closed", f.exits, f.lock.Panel() != nil)
	}
}

// TestWorkerPanelIdleCloses: a panel left untouched closes and the
// kiosk stays in kiosk mode.
func TestWorkerPanelIdleCloses(t *testing.T) {
	f := openPanel(t, &sound{}, ui.SoundSettings{Volume: 0.8})
	f.lock.DialogIdle = 20 * time.Millisecond
	test.Tap(f.button(i18n.T(i18n.ZH, i18n.WorkerLouder))) // restarts the wait with the short idle
	f.pump("the idle panel to close", func() bool { return f.lock.Panel() == nil })
	if f.win.Canvas().Overlays().Top() != nil || f.exits != 0 {
		t.Error("the idle panel is still on screen, or it left kiosk mode")
	}
}

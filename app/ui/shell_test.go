package ui_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/rig"
	"github.com/shcommunity/kiosk/app/ui"
	"github.com/shcommunity/kiosk/app/wire"
)

// TestShellOnSimulators drives the real screens through the real flow,
// the reader and printer simulators and the reference service: a green
// resident is served, the screen shows the word and the slip, the idle
// timeout clears it; then the venue mode checks a card.
func TestShellOnSimulators(t *testing.T) {
	themedApp(t)
	var w0 fyne.Window
	ctx, cancel := context.WithCancel(context.Background())
	r, err := rig.Start(ctx, rig.Options{PollInterval: 30 * time.Millisecond, Patience: 30 * time.Second})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	// The test driver runs fyne.Do on the caller's goroutine: every UI
	// access, the flows' and the test's, goes through do.
	var mu sync.Mutex
	do := func(f func()) {
		mu.Lock()
		defer mu.Unlock()
		f()
	}
	markup := func() (m string) {
		do(func() { m = test.RenderToMarkup(w0.Canvas()) })
		return m
	}
	var w fyne.Window
	do(func() {
		w = window(t, nil, screenSize)
	})
	w0 = w
	var shell *ui.Shell
	var sayMu sync.Mutex
	var said []string
	say := func(l i18n.Lang, p flow.Prompt) {
		sayMu.Lock()
		defer sayMu.Unlock()
		said = append(said, string(l)+"/"+string(p))
	}
	saidSoFar := func() []string {
		sayMu.Lock()
		defer sayMu.Unlock()
		return append([]string(nil), said...)
	}
	mu.Lock()
	shell = ui.Start(ctx, w, ui.Parts{Do: do, Events: r.Cards(ctx), Backend: r.Backend, Printer: r.Slips, Venue: r.Backend,
		Counter: &wire.Counter{Backend: r.Backend}, Where: "test", Mode: flow.ModeSelf, Lang: i18n.ZH, IdleTimeout: 50 * time.Millisecond,
		Say: say})
	mu.Unlock()
	selfView := func() (v flow.SelfView) {
		do(func() { v = shell.Self.View() })
		return v
	}
	t.Cleanup(func() {
		cancel()
		shell.Wait()
		r.Close()
	})
	until := func(what string, ok func() bool) {
		t.Helper()
		for range 600 {
			if ok() {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("timed out waiting for %s; markup:\n%s", what, markup())
	}
	until("the reader", func() bool { return selfView().Bar.ReaderConnected })
	if err := r.Reader.Place("resident-green"); err != nil {
		t.Fatal(err)
	}
	until("the slip", func() bool { return selfView().Step == flow.StepDone })
	m := markup()
	for _, s := range []string{"绿码", "请取走您的纸质码和身份证", "张*丰", "<image"} {
		if !strings.Contains(m, s) {
			t.Errorf("done screen lacks %q", s)
		}
	}
	r.Reader.Remove()
	until("the start screen", func() bool { v := selfView(); return v.Step == flow.StepStart && !v.HasResident() })
	if m := markup(); strings.Contains(m, "张*丰") || !strings.Contains(m, "请将身份证放在读卡器上") {
		t.Error("the start screen still shows the resident")
	}

	spoken := strings.Join(saidSoFar(), " ")
	for _, p := range []flow.Prompt{flow.PromptPlaceCard, flow.PromptChecking, flow.PromptPrinting, flow.PromptTakeSlip} {
		if !strings.Contains(spoken, "zh-CN/"+string(p)) {
			t.Errorf("the self-service screens did not say %q: %s", p, spoken)
		}
	}
	if strings.Contains(spoken, "colour_") {
		t.Errorf("a colour was said without being asked: %s", spoken)
	}

	do(func() { shell.SetMode(flow.ModeVenue) })
	before := len(saidSoFar())
	if err := r.Reader.Place("resident-red"); err != nil {
		t.Fatal(err)
	}
	until("the venue result", func() bool {
		var v flow.VenueView
		do(func() { v = shell.Venue.View() })
		return v.Step == flow.VenueResult
	})
	if m := markup(); !strings.Contains(m, "红码") || !strings.Contains(m, "周*国") {
		t.Error("venue screen lacks 红码 and the masked name")
	}
	var focused bool
	do(func() { focused = w.Canvas().Focused() == shell.Venue.Focusable() })
	if !focused {
		t.Error("the scanner entry is not focused")
	}
	if got := saidSoFar()[before:]; len(got) != 0 {
		t.Errorf("the venue check spoke: %v", got)
	}
	r.Reader.Remove()

	// Back to self-service in English: it speaks English.
	do(func() {
		shell.SetMode(flow.ModeSelf)
		shell.SetLang(i18n.EN)
	})
	if err := r.Reader.Place("resident-yellow"); err != nil {
		t.Fatal(err)
	}
	until("the English slip", func() bool { return selfView().Step == flow.StepDone })
	// The screen speaks when it draws the done view, which may come a
	// moment after the flow has reached it.
	until("the English take-slip prompt", func() bool {
		got := saidSoFar()
		return len(got) > 0 && got[len(got)-1] == "en/"+string(flow.PromptTakeSlip)
	})
}

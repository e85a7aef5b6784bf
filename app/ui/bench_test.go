package ui_test

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/ui"
)

// BenchmarkStartup is the UI's share of start-up: a theme with the CJK
// font, the three screens built, the self-service start screen laid out
// and rendered once at 1080p (software painter). The GL window and the
// devices are not included; `kiosk --demo` logs its whole start-up time
// ("UI started", startupMs).
func BenchmarkStartup(b *testing.B) {
	for b.Loop() {
		themedApp(b)
		w := test.NewTempWindow(b, nil)
		w.Resize(screenSize)
		ctx, cancel := context.WithCancel(context.Background())
		s := ui.Start(ctx, w, ui.Parts{Backend: nopBackend{}, Printer: nopPrinter{}, Mode: flow.ModeSelf, Lang: i18n.ZH})
		if img := w.Canvas().Capture(); img.Bounds().Dx() == 0 {
			b.Fatal("nothing rendered")
		}
		cancel()
		s.Wait()
	}
}

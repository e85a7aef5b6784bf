package theme_test

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/shcommunity/kiosk/app/theme"
	"github.com/shcommunity/kiosk/healthcode"
)

func TestContrast(t *testing.T) {
	if got := theme.Contrast(theme.Foreground, theme.Background); got < 7 {
		t.Errorf("text on background = %.2f:1, want ≥ 7:1", got)
	}
	if got := theme.Contrast(theme.Background, theme.Primary); got < 7 {
		t.Errorf("button text on primary = %.2f:1, want ≥ 7:1", got)
	}
	if got := theme.Contrast(theme.Warning, theme.Background); got < 7 {
		t.Errorf("problem text = %.2f:1, want ≥ 7:1", got)
	}
	for _, c := range []healthcode.Colour{healthcode.Green, healthcode.Yellow, healthcode.Red, ""} {
		b := theme.BlockFor(c)
		if got := theme.Contrast(b.Text, b.Background); got < 7 {
			t.Errorf("%q block word = %.2f:1, want ≥ 7:1", c, got)
		}
	}
	// The formula itself: black on white is 21:1.
	if got := theme.Contrast(color.Black, color.White); got < 20.9 {
		t.Errorf("black on white = %.2f, want 21", got)
	}
}

func TestSizes(t *testing.T) {
	th := theme.New()
	if got := th.Size(fynetheme.SizeNameText); got < 30 {
		t.Errorf("body text %v dp, want ≥ 30", got)
	}
	th.Scale = 1.5
	if got := th.Size(fynetheme.SizeNameText); got != 48 {
		t.Errorf("scaled body text %v, want 48", got)
	}
	if theme.MinTarget < 60 || theme.ButtonWidth < 60 {
		t.Errorf("main targets %d × %d, want ≥ 60 × 60", theme.ButtonWidth, theme.MinTarget)
	}
	if r := th.Font(fyne.TextStyle{Bold: true}); r != theme.Font {
		t.Errorf("bold font = %v, want the bundled CJK font", r.Name())
	}
}

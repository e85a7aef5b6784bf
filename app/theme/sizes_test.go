package theme_test

import (
	"testing"

	"fyne.io/fyne/v2"

	"github.com/shcommunity/kiosk/app/theme"
)

// TestSizesFor: on every display a kiosk or a counter has, and on a
// window smaller than any, the sizes never go under the elderly-interface
// minimums; they shrink on a smaller screen, turn with a portrait one,
// and follow the configuration's scale.
func TestSizesFor(t *testing.T) {
	for _, c := range []fyne.Size{{Width: 1024, Height: 640}, {Width: 1366, Height: 768}, {Width: 1600, Height: 900},
		{Width: 1920, Height: 1080}, {Width: 1280, Height: 1024}, {Width: 1080, Height: 1920}, {Width: 3840, Height: 2160}} {
		sz := theme.For(c, 1)
		if sz.Text < theme.MinMainText || sz.Small < theme.MinSecondaryText || sz.Worker < theme.MinWorkerText {
			t.Errorf("%v: text %v, small %v, worker %v: under the minimums", c, sz.Text, sz.Small, sz.Worker)
		}
		if sz.Button.Height < theme.MinTap || sz.Button.Width < theme.MinTap || sz.Key < theme.MinTap ||
			sz.PINKey.Height < theme.MinTap || sz.PINKey.Width < theme.MinTap {
			t.Errorf("%v: button %v, key %v, PIN key %v: under %d dp", c, sz.Button, sz.Key, sz.PINKey, theme.MinTap)
		}
		if sz.Text > 2*theme.TextSize || sz.Heading > 2*theme.HeadingSize {
			t.Errorf("%v: text %v, heading %v: more than twice the base", c, sz.Text, sz.Heading)
		}
		if sz.Portrait != (c.Height > c.Width) {
			t.Errorf("%v: portrait %v", c, sz.Portrait)
		}
	}
	full, laptop := theme.For(fyne.NewSize(1920, 1080), 1), theme.For(fyne.NewSize(1366, 768), 1)
	if full.Text != theme.TextSize || full.Heading != theme.HeadingSize || full.Button.Height != theme.MinTarget {
		t.Errorf("1920 × 1080 is the design canvas: text %v heading %v button %v", full.Text, full.Heading, full.Button)
	}
	if !(laptop.Heading < full.Heading && laptop.Button.Height < full.Button.Height) {
		t.Errorf("1366 × 768 heading %v button %v, not smaller than 1920 × 1080's", laptop.Heading, laptop.Button)
	}
	if p := theme.For(fyne.NewSize(1080, 1920), 1); p.Text != full.Text || p.Heading != full.Heading {
		t.Errorf("a portrait 1080 × 1920 is the design canvas turned: text %v heading %v", p.Text, p.Heading)
	}
	if big := theme.For(fyne.NewSize(1920, 1080), 1.5); big.Text != 1.5*full.Text {
		t.Errorf("scale 1.5: text %v, want %v", big.Text, 1.5*full.Text)
	}
}

package theme

import "fyne.io/fyne/v2"

// The elderly-interface minimums (docs/elderly-interface.md, "The
// rules"), which no size below goes under at any screen size.
const (
	// MinMainText is the least size of the main text of a resident's
	// screen: 30 dp.
	MinMainText = 30
	// MinSecondaryText is the least size of any other text a resident
	// sees (the status bar, a caption): the rules' 18 dp for an elderly
	// mode's main text, with a margin.
	MinSecondaryText = 20
	// MinWorkerText is the least body text of the staff's screens (the
	// counter, the first run, the exit dialog), which are not in an
	// elderly mode but are read all day.
	MinWorkerText = 24
	// MinTap is the least side of anything a finger taps: 60 dp.
	MinTap = 60
)

// Design is the canvas the base sizes (TextSize, HeadingSize, ...) were
// drawn for, landscape; a portrait screen's is the same turned.
var Design = fyne.NewSize(1920, 1080)

// Sizes are the sizes of every screen for one canvas, in dp: the base
// sizes scaled with the screen (Scale), but never below the minimums
// above, and never above twice the base. A 1366 × 768 laptop gets
// smaller headings and buttons than a 1920 × 1080 kiosk, and the same
// 30 dp body text at least.
type Sizes struct {
	// Canvas is the area the sizes are for.
	Canvas fyne.Size
	// Portrait: the canvas is taller than wide (a 1080 × 1920 kiosk).
	Portrait bool
	// Scale is the canvas against Design (turned for portrait), the
	// smaller of the two ratios.
	Scale float32

	Text    float32 // body text of the residents' screens
	Small   float32 // the status bar, captions
	Large   float32 // the self-service screens' explanations
	Heading float32 // the main instruction
	Word    float32 // the colour word in its block
	Worker  float32 // body text of the staff's screens
	// Button is a main button; Key a key of the phone keypad (square);
	// PINKey a key of the exit keypad.
	Button fyne.Size
	Key    float32
	PINKey fyne.Size
	// Slip is the slip preview at its printed proportions.
	Slip fyne.Size
	// Pad is the gap between blocks.
	Pad float32
}

// For returns the sizes for a canvas; user is the configuration's scale
// (theme.Theme.Scale, 1 when unset), which multiplies everything.
func For(canvas fyne.Size, user float32) Sizes {
	if user <= 0 {
		user = 1
	}
	portrait := canvas.Height > canvas.Width
	dw, dh := Design.Width, Design.Height
	if portrait {
		dw, dh = dh, dw
	}
	f := min(canvas.Width/dw, canvas.Height/dh)
	if !(f > 0) { // a zero canvas before the first layout
		f = 1
	}
	at := func(base, floor float32) float32 {
		return min(max(base*f, floor), 2*base) * user
	}
	return Sizes{
		Canvas:   canvas,
		Portrait: portrait,
		Scale:    f,
		Text:     at(TextSize, MinMainText),
		Small:    at(TextSize*0.8, MinSecondaryText),
		Large:    at(40, 32),
		Heading:  at(HeadingSize, 40),
		Word:     at(WordSize, 64),
		Worker:   at(28, MinWorkerText),
		Button:   fyne.NewSize(at(ButtonWidth, 240), at(MinTarget, 72)),
		Key:      at(120, 84),
		PINKey:   fyne.NewSize(at(160, 120), at(MinTarget, 72)),
		Slip:     fyne.NewSize(at(360, 150), at(600, 250)),
		Pad:      at(16, 8),
	}
}

// ThemeScale is the theme scale (Theme.Scale) that makes the widgets'
// text (labels, buttons, entries) the size of body text t.
func ThemeScale(t float32) float32 { return t / TextSize }

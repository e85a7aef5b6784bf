package ui

import (
	"image/color"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/shcommunity/kiosk/app/theme"
)

// LeastCanvas is the smallest area the screens are laid out for, and the
// least size of their window: a window a little smaller than a
// 1366 × 768 laptop's screen, or than a 1080-wide portrait kiosk's.
var LeastCanvas = fyne.NewSize(1024, 640)

// fit is a screen's root. Its one child fills the area; whenever the
// area changes (the window's size, full screen, a portrait display) the
// screen is drawn again with theme.For's sizes for the new area, so that
// text and buttons scale with the screen without going under the
// elderly-interface minimums, and every line is broken for the width it
// has. The widgets' own text (labels, buttons, entries) follows through a
// theme override at the screen's body size.
type fit struct {
	box    *fyne.Container
	sz     theme.Sizes
	worker bool // body text at Sizes.Worker (staff screens), else Sizes.Text
	draw   func(theme.Sizes) fyne.CanvasObject
}

// newFit makes a root that draws with draw; it draws at once for the
// design canvas, and again at its first layout.
func newFit(worker bool, draw func(theme.Sizes) fyne.CanvasObject) *fit {
	f := &fit{worker: worker, draw: draw, sz: theme.For(theme.Design, userScale())}
	f.box = container.New(f)
	f.box.Objects = []fyne.CanvasObject{f.drawn()}
	return f
}

// Content is the root object.
func (f *fit) Content() fyne.CanvasObject { return f.box }

// Sizes are the sizes the screen was last drawn with.
func (f *fit) Sizes() theme.Sizes { return f.sz }

// redraw draws the screen again at the sizes it has; on the UI goroutine.
func (f *fit) redraw() {
	f.box.Objects = []fyne.CanvasObject{f.drawn()}
	f.box.Refresh()
}

func (f *fit) drawn() fyne.CanvasObject {
	body := f.sz.Text
	if f.worker {
		body = f.sz.Worker
	}
	return container.NewThemeOverride(f.draw(f.sz), &theme.Theme{Scale: theme.ThemeScale(body)})
}

// Layout implements fyne.Layout.
func (f *fit) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	if sz := theme.For(size, userScale()); sz != f.sz {
		f.sz = sz
		f.box.Objects = []fyne.CanvasObject{f.drawn()}
	}
	for _, o := range f.box.Objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// MinSize implements fyne.Layout: the least canvas, whatever is on
// screen, so that the window never grows past the display because of
// what a screen shows (it is drawn again to fit instead).
func (f *fit) MinSize([]fyne.CanvasObject) fyne.Size { return LeastCanvas }

// userScale is the configuration's scale, from the app's theme.
func userScale() float32 {
	if a := fyne.CurrentApp(); a != nil {
		if t, ok := a.Settings().Theme().(*theme.Theme); ok && t.Scale > 0 {
			return t.Scale
		}
	}
	return 1
}

// padding is the theme's padding at a body text size.
func padding(body float32) float32 {
	return fynetheme.Padding() * theme.ThemeScale(body) * userScale()
}

// para is text broken into lines no wider than width, one canvas line
// each, centred: at a "\n" in the words (package i18n breaks some where
// the sense breaks), and wherever else a line would be too wide, between
// words or between Chinese characters. A line never wraps differently
// from one layout pass to the next.
func para(s string, size float32, c color.Color, bold bool, width float32) fyne.CanvasObject {
	box := container.NewVBox()
	for _, ln := range breakLines(s, size, fyne.TextStyle{Bold: bold}, width) {
		box.Add(text(ln, size, c, bold))
	}
	return box
}

// breakLines breaks s into lines that measure at most width.
func breakLines(s string, size float32, style fyne.TextStyle, width float32) []string {
	var out []string
	for _, piece := range strings.Split(s, "\n") {
		line := ""
		for _, u := range units(piece) {
			next := line + u
			if line != "" && fyne.MeasureText(next, size, style).Width > width {
				out = append(out, strings.TrimRight(line, " "))
				line = strings.TrimLeft(u, " ")
				continue
			}
			line = next
		}
		out = append(out, strings.TrimRight(line, " "))
	}
	return out
}

// units splits s where a line may break: after a space (the space stays
// with the word before it) and around each Chinese character, keeping
// closing punctuation with what it closes.
func units(s string) []string {
	var out []string
	cur := ""
	flush := func() {
		if cur != "" {
			out = append(out, cur)
			cur = ""
		}
	}
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		s = s[n:]
		switch {
		case closing(r):
			if cur == "" && len(out) > 0 {
				out[len(out)-1] += string(r)
				continue
			}
			cur += string(r)
		case unicode.Is(unicode.Han, r):
			flush()
			cur = string(r)
			flush()
		case r == ' ':
			cur += " "
			flush()
		default:
			cur += string(r)
		}
	}
	flush()
	return out
}

// closing reports punctuation that may not start a line.
func closing(r rune) bool {
	return strings.ContainsRune("，。、；：？！）」』”’》,.;:?!)", r)
}

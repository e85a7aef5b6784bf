package ui

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/theme"
	"github.com/shcommunity/kiosk/healthcode"
)

// text is a line of large text that does not wrap.
func text(s string, size float32, c color.Color, bold bool) *canvas.Text {
	t := canvas.NewText(s, c)
	t.TextSize = size
	t.TextStyle.Bold = bold
	t.Alignment = fyne.TextAlignCenter
	return t
}

// heading is the screen's main instruction.
func heading(s string) *canvas.Text {
	return text(s, theme.HeadingSize, theme.Foreground, true)
}

// body is wrapped body text at the theme's size (32 dp).
func body(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	l.Alignment = fyne.TextAlignCenter
	return l
}

// bigButton is a main control: at least MinTarget high and ButtonWidth
// wide, far above the 60 × 60 dp of the elderly-friendly design rules
// (docs/elderly-interface.md).
func bigButton(label string, primary bool, tapped func()) fyne.CanvasObject {
	b := widget.NewButton(label, tapped)
	if primary {
		b.Importance = widget.HighImportance
	}
	return container.NewGridWrap(fyne.NewSize(theme.ButtonWidth, theme.MinTarget), b)
}

// statusBar shows the readers, the printer and the link in words.
// A venue check has no printer: withPrinter leaves it out.
func statusBar(b flow.Bar, l i18n.Lang, withPrinter bool, right fyne.CanvasObject) fyne.CanvasObject {
	reader := i18n.T(l, i18n.ReaderOff)
	if b.ReaderConnected {
		reader = i18n.T(l, i18n.ReaderOn)
	}
	line := reader + "   ·   "
	if c := i18n.ContactText(l, b.Contact); c != "" {
		line += c + "   ·   "
	}
	if withPrinter {
		line += i18n.PrinterText(l, b.Printer) + "   ·   "
	}
	line += i18n.WaitingText(l, b.Link)
	t := text(line, theme.TextSize*0.8, theme.Foreground, false)
	t.Alignment = fyne.TextAlignLeading
	bg := canvas.NewRectangle(theme.Muted)
	row := container.NewBorder(nil, nil, nil, right, container.NewPadded(t))
	return container.NewStack(bg, row)
}

// ColourBlock draws a status: a block of the colour with its word, what
// it means, and where it comes from ("as of" when not live). A status
// that may not be shown as a colour gets the grey "unknown" block: there
// is no code path from a stale green to a green block.
func ColourBlock(s healthcode.Status, l i18n.Lang) fyne.CanvasObject {
	var c healthcode.Colour
	if s.HasColour() {
		c = s.Colour
	}
	blk := theme.BlockFor(c)
	word := text(i18n.ColourWord(l, c), theme.WordSize, blk.Text, true)
	meaning := text(i18n.ColourMeaning(l, c), theme.TextSize, blk.Text, false)
	lines := []fyne.CanvasObject{word, meaning}
	if s.Source == healthcode.SourceCached {
		lines = append(lines, text(i18n.T(l, i18n.Cached), theme.TextSize, blk.Text, false))
	}
	if at := i18n.AsOfText(l, s.AsOf); at != "" && c != "" {
		lines = append(lines, text(at, theme.TextSize, blk.Text, false))
	}
	bg := canvas.NewRectangle(blk.Background)
	bg.CornerRadius = 16
	return container.NewStack(bg, container.NewPadded(container.NewVBox(lines...)))
}

// pendingBlock is the receipt of a pending request: no colour at all.
func pendingBlock(t flow.Ticket, l i18n.Lang) fyne.CanvasObject {
	blk := theme.BlockFor("")
	lines := []fyne.CanvasObject{
		text(i18n.T(l, i18n.PendingTitle), theme.WordSize*0.75, blk.Text, true),
		text(i18n.T(l, i18n.Receipt)+" "+t.Receipt, theme.TextSize*1.25, blk.Text, true),
	}
	bg := canvas.NewRectangle(blk.Background)
	bg.CornerRadius = 16
	return container.NewVBox(
		container.NewStack(bg, container.NewPadded(container.NewVBox(lines...))),
		body(i18n.T(l, i18n.PendingMeans)),
	)
}

// preview shows the slip image at its printed proportions.
func preview(img image.Image, l i18n.Lang) fyne.CanvasObject {
	if img == nil {
		return layout.NewSpacer()
	}
	ci := canvas.NewImageFromImage(img)
	ci.FillMode = canvas.ImageFillContain
	ci.ScaleMode = canvas.ImageScalePixels
	ci.SetMinSize(fyne.NewSize(360, 600))
	caption := text(i18n.T(l, i18n.PreviewLabel), theme.TextSize*0.75, theme.Foreground, false)
	return container.NewBorder(nil, caption, nil, nil, ci)
}

// touchLayer is an invisible layer behind a screen that reports every
// tap outside the buttons, so that the idle timeout knows someone is
// there.
type touchLayer struct {
	widget.BaseWidget
	onTap func()
}

func newTouchLayer(onTap func()) *touchLayer {
	t := &touchLayer{onTap: onTap}
	t.ExtendBaseWidget(t)
	return t
}

// Tapped implements fyne.Tappable.
func (t *touchLayer) Tapped(*fyne.PointEvent) {
	if t.onTap != nil {
		t.onTap()
	}
}

// CreateRenderer implements fyne.Widget.
func (t *touchLayer) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

// adaptive shows wide when its area is landscape and tall when it is
// portrait, so that one screen fits a 1366 × 768 counter laptop and a
// 1080 × 1920 kiosk alike. Its minimum size is the smaller of the two in
// each direction: the arrangement shown is the one that fits the shape.
func adaptive(wide, tall fyne.CanvasObject) fyne.CanvasObject {
	return container.New(orientLayout{}, wide, tall)
}

type orientLayout struct{}

func (orientLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	show, hide := objs[0], objs[1]
	if size.Width < size.Height {
		show, hide = hide, show
	}
	hide.Hide()
	show.Show()
	show.Move(fyne.NewPos(0, 0))
	show.Resize(size)
}

func (orientLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	w, t := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(min(w.Width, t.Width), min(w.Height, t.Height))
}

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

// bigButton is a main control of a resident's screen, Sizes.Button or
// wider when its words need it: far above the 60 × 60 dp of the
// elderly-friendly design rules (docs/elderly-interface.md).
func bigButton(sz theme.Sizes, label string, primary bool, tapped func()) fyne.CanvasObject {
	return sizedButton(fitLabel(sz.Button, label, sz.Text), label, primary, tapped)
}

// workerButton is a button of the staff's screens: three quarters of
// Sizes.Button's height but never under the 60 dp of a tap target, and
// as wide as its words or 60% of Sizes.Button's width. The counter has
// more to show than a resident's screen and is worked by steadier hands.
func workerButton(sz theme.Sizes, label string, primary bool, tapped func()) fyne.CanvasObject {
	return sizedButton(workerSize(sz, label), label, primary, tapped)
}

// workerSize is the size of a staff screen's button labelled label.
func workerSize(sz theme.Sizes, label string) fyne.Size {
	h := max(theme.MinTap, 0.75*sz.Button.Height)
	return fitLabel(fyne.NewSize(0.6*sz.Button.Width, h), label, sz.Worker)
}

// fitLabel widens size, when needed, to hold label at body size.
func fitLabel(size fyne.Size, label string, body float32) fyne.Size {
	need := fyne.MeasureText(label, body, fyne.TextStyle{}).Width + 4*padding(body)
	return fyne.NewSize(max(size.Width, need), size.Height)
}

// sizedButton is a button of a given size.
func sizedButton(size fyne.Size, label string, primary bool, tapped func()) fyne.CanvasObject {
	b := widget.NewButton(label, tapped)
	if primary {
		b.Importance = widget.HighImportance
	}
	return container.NewGridWrap(size, b)
}

// width is the width the middle of a screen has for text: the canvas
// less the window's and the screen's padding on both sides.
func width(sz theme.Sizes, body float32) float32 {
	return sz.Canvas.Width - 6*padding(body)
}

// statusBar shows the readers, the printer and the link in words, with
// the language button at its right. A venue check has no printer:
// withPrinter leaves it out.
func statusBar(sz theme.Sizes, b flow.Bar, l i18n.Lang, withPrinter bool, right fyne.CanvasObject) fyne.CanvasObject {
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
	w := width(sz, sz.Text)
	if right != nil {
		w -= right.MinSize().Width + padding(sz.Text)
	}
	words := container.NewVBox()
	for _, ln := range breakLines(line, sz.Small, fyne.TextStyle{}, w) {
		t := text(ln, sz.Small, theme.Foreground, false)
		t.Alignment = fyne.TextAlignLeading
		words.Add(t)
	}
	bg := canvas.NewRectangle(theme.Muted)
	row := container.NewBorder(nil, nil, nil, right, container.NewPadded(container.NewCenter(words)))
	return container.NewStack(bg, row)
}

// ColourBlock draws a status in lines no wider than w: a block of the
// colour with its word, what it means, and where it comes from ("as of"
// when not live). A status that may not be shown as a colour gets the
// grey "unknown" block: there is no code path from a stale green to a
// green block.
func ColourBlock(sz theme.Sizes, s healthcode.Status, l i18n.Lang, w float32) fyne.CanvasObject {
	var c healthcode.Colour
	if s.HasColour() {
		c = s.Colour
	}
	blk := theme.BlockFor(c)
	w -= 2 * padding(sz.Text)
	lines := []fyne.CanvasObject{
		para(i18n.ColourWord(l, c), sz.Word, blk.Text, true, w),
		para(i18n.ColourMeaning(l, c), sz.Text, blk.Text, false, w),
	}
	if s.Source == healthcode.SourceCached {
		lines = append(lines, para(i18n.T(l, i18n.Cached), sz.Text, blk.Text, false, w))
	}
	if at := i18n.AsOfText(l, s.AsOf); at != "" && c != "" {
		lines = append(lines, para(at, sz.Text, blk.Text, false, w))
	}
	bg := canvas.NewRectangle(blk.Background)
	bg.CornerRadius = 16
	return container.NewStack(bg, container.NewPadded(container.NewVBox(lines...)))
}

// pendingBlock is the receipt of a pending request: no colour at all.
func pendingBlock(sz theme.Sizes, t flow.Ticket, l i18n.Lang, w float32) fyne.CanvasObject {
	blk := theme.BlockFor("")
	in := w - 2*padding(sz.Text)
	lines := []fyne.CanvasObject{
		para(i18n.T(l, i18n.PendingTitle), sz.Heading, blk.Text, true, in),
		para(i18n.T(l, i18n.Receipt)+" "+t.Receipt, sz.Large, blk.Text, true, in),
	}
	bg := canvas.NewRectangle(blk.Background)
	bg.CornerRadius = 16
	return container.NewVBox(
		container.NewStack(bg, container.NewPadded(container.NewVBox(lines...))),
		para(i18n.T(l, i18n.PendingMeans), sz.Text, theme.Foreground, false, w),
	)
}

// credentialBlock is a medical-visit credential on screen: what it is for,
// the social-security card number masked (or that none was read), and
// until when it is valid. It has no colour, so no coloured block.
func credentialBlock(sz theme.Sizes, t flow.Ticket, l i18n.Lang, w float32) fyne.CanvasObject {
	card := i18n.T(l, i18n.CredentialNoCard)
	if t.MaskedCardNumber != "" {
		card = i18n.T(l, i18n.CredentialCard) + "  " + t.MaskedCardNumber
	}
	return container.NewVBox(
		para(card, sz.Text, theme.Foreground, false, w),
		para(i18n.CredentialUntilText(l, t.ExpiresAt), sz.Text, theme.Foreground, false, w),
		para(i18n.T(l, i18n.CredentialMeans), sz.Text, theme.Foreground, false, w),
	)
}

// preview shows the slip image at its printed proportions, Sizes.Slip.
func preview(sz theme.Sizes, img image.Image, l i18n.Lang) fyne.CanvasObject {
	if img == nil {
		return layout.NewSpacer()
	}
	ci := canvas.NewImageFromImage(img)
	ci.FillMode = canvas.ImageFillContain
	ci.ScaleMode = canvas.ImageScalePixels
	ci.SetMinSize(sz.Slip)
	caption := para(i18n.T(l, i18n.PreviewLabel), sz.Small, theme.Foreground, false, previewWidth(sz, l))
	return container.NewBorder(nil, caption, nil, nil, ci)
}

// previewWidth is the width preview takes: the slip's, or its caption's
// on one line when that is wider, up to one and a half times the slip.
func previewWidth(sz theme.Sizes, l i18n.Lang) float32 {
	w := fyne.MeasureText(i18n.T(l, i18n.PreviewLabel), sz.Small, fyne.TextStyle{}).Width
	return min(max(sz.Slip.Width, w), 1.5*sz.Slip.Width)
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

package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/theme"
	"github.com/shcommunity/kiosk/healthcode"
)

// Venue is the venue check screen (数字哨兵). A USB barcode scanner types
// the QR text into the focused entry and ends it with Enter.
type Venue struct {
	Scan func(text string) // flow.Venue.Scan
	Lang i18n.Lang

	view  flow.VenueView
	entry *scanEntry
	fit   *fit
	root  fyne.CanvasObject
}

// NewVenue returns the screen showing the ready view.
func NewVenue(scan func(string), l i18n.Lang) *Venue {
	v := &Venue{Scan: scan, Lang: l}
	v.entry = newScanEntry()
	v.entry.OnSubmitted = func(s string) {
		v.entry.SetText("")
		if v.Scan != nil {
			v.Scan(s)
		}
	}
	v.fit = newFit(false, v.draw)
	v.root = v.fit.Content()
	v.Show(flow.VenueView{Step: flow.VenueReady})
	return v
}

// Content is the screen's root object.
func (v *Venue) Content() fyne.CanvasObject { return v.root }

// Entry is the scanner's entry; the window focuses it.
func (v *Venue) Entry() *widget.Entry { return &v.entry.Entry }

// Focusable is the object the window focuses for the scanner.
func (v *Venue) Focusable() fyne.Focusable { return v.entry }

// scanEntry is the scanner's always-focused entry. A focused widget gets
// every key combination first and an Entry keeps them, so it passes the
// window's own combinations (kioskmode.ExitShortcut) on to the canvas:
// otherwise the venue screen could not be left.
type scanEntry struct {
	widget.Entry
}

func newScanEntry() *scanEntry {
	e := &scanEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedShortcut implements fyne.Shortcutable.
func (e *scanEntry) TypedShortcut(s fyne.Shortcut) {
	e.Entry.TypedShortcut(s)
	if _, ok := s.(*desktop.CustomShortcut); !ok {
		return
	}
	if c, ok := fyne.CurrentApp().Driver().CanvasForObject(e).(fyne.Shortcutable); ok {
		c.TypedShortcut(s)
	}
}

// SetLang switches the language and redraws; on the UI goroutine.
func (v *Venue) SetLang(l i18n.Lang) {
	v.Lang = l
	v.Show(v.view)
}

// View returns the view on screen.
func (v *Venue) View() flow.VenueView { return v.view }

// Show draws a view; on the UI goroutine.
func (v *Venue) Show(vv flow.VenueView) {
	v.view = vv
	v.entry.SetPlaceHolder(i18n.T(v.Lang, i18n.VenueScan))
	v.fit.redraw()
}

// draw is the screen at sz: the status bar, the result in the middle
// and the scanner's entry below.
func (v *Venue) draw(sz theme.Sizes) fyne.CanvasObject {
	vv, l, w := v.view, v.Lang, width(sz, sz.Text)
	var mid fyne.CanvasObject
	switch vv.Step {
	case flow.VenueChecking:
		mid = centred(para(i18n.T(l, i18n.Checking), sz.Heading, theme.Foreground, true, w))
	case flow.VenueResult:
		parts := []fyne.CanvasObject{}
		if vv.Check.MaskedName != "" {
			parts = append(parts, para(vv.Check.MaskedName, sz.Heading, theme.Foreground, true, w))
		}
		if vv.Check.Status.HasColour() {
			parts = append(parts, ColourBlock(sz, vv.Check.Status, l, w))
		} else {
			parts = append(parts, refusedBlock(sz, i18n.T(l, i18n.CannotVerify), w))
		}
		if vv.Check.Explanation != "" && vv.Check.Status.Source != healthcode.SourceLive {
			parts = append(parts, para(vv.Check.Explanation, sz.Text, theme.Foreground, false, w))
		}
		mid = container.NewVBox(parts...)
	case flow.VenueRefused:
		parts := []fyne.CanvasObject{refusedBlock(sz, i18n.T(l, i18n.Refused), w)}
		if vv.Problem != "" {
			what, next := i18n.ProblemText(l, vv.Problem)
			parts = append(parts, para(what, sz.Heading, theme.Warning, true, w), para(next, sz.Text, theme.Foreground, false, w))
		}
		if vv.Check.Explanation != "" {
			parts = append(parts, para(vv.Check.Explanation, sz.Text, theme.Foreground, false, w))
		}
		mid = container.NewVBox(parts...)
	default:
		ready := []fyne.CanvasObject{para(i18n.T(l, i18n.VenuePrompt), sz.Heading*1.2, theme.Foreground, true, w)}
		if vv.Bar.Contact == flow.ContactReady {
			ready = append(ready, para(i18n.T(l, i18n.StartPromptEither), sz.Heading, theme.Foreground, true, w))
		}
		mid = centred(ready...)
	}
	// The scanner's entry is the same object in every drawing: it keeps
	// the focus and what a scanner has typed so far.
	return container.NewBorder(statusBar(sz, vv.Bar, l, false, nil), container.NewPadded(v.entry), nil, nil, container.NewPadded(mid))
}

// refusedBlock is the grey block of "cannot verify" or "not valid":
// never a colour.
func refusedBlock(sz theme.Sizes, word string, w float32) fyne.CanvasObject {
	blk := theme.BlockFor("")
	bg := canvas.NewRectangle(blk.Background)
	bg.CornerRadius = 16
	return container.NewStack(bg, container.NewPadded(para(word, sz.Word, blk.Text, true, w-2*padding(sz.Text))))
}

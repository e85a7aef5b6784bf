package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// EntryOf returns the entry o is, whether a plain one or one of the
// counter's (which clear on Esc), for the tests that read entries.
func EntryOf(o fyne.CanvasObject) (*widget.Entry, bool) {
	switch e := o.(type) {
	case *widget.Entry:
		return e, true
	case *keyEntry:
		return &e.Entry, true
	}
	return nil, false
}

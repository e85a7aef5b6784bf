package ui_test

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/theme"
	"github.com/shcommunity/kiosk/app/ui"
)

func TestProvision(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.New())
	var got []string
	var mode flow.Mode
	p := ui.NewProvision(func(url, code, centre string, m flow.Mode) { got, mode = []string{url, code, centre}, m })
	w := test.NewTempWindow(t, p.Content())
	w.Resize(screenSize)
	var entries []*widget.Entry
	var radio *widget.RadioGroup
	var button *widget.Button
	for _, o := range test.LaidOutObjects(w.Content()) {
		switch o := o.(type) {
		case *widget.Entry:
			entries = append(entries, o)
		case *widget.RadioGroup:
			radio = o
		case *widget.Button:
			button = o
		}
	}
	if len(entries) != 3 || radio == nil || button == nil {
		t.Fatalf("found %d entries, radio %v, button %v; want 3, a radio and a button", len(entries), radio != nil, button != nil)
	}
	test.Type(entries[0], "http://127.0.0.1:8443")
	test.Type(entries[1], "ABCD-EFGH")
	test.Type(entries[2], "田林街道")
	radio.SetSelected("venue")
	test.Tap(button)
	if len(got) != 3 || got[0] != "http://127.0.0.1:8443" || got[1] != "ABCD-EFGH" || got[2] != "田林街道" || mode != flow.ModeVenue {
		t.Errorf("submitted %q mode %q", got, mode)
	}
	p.Failed("开通失败")
	golden(t, "provision_failed.xml", w)
}

package ui_test

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/theme"
	"github.com/shcommunity/kiosk/app/ui"
)

func TestProvision(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.New())
	var got ui.ProvisionForm
	p := ui.NewProvision(func(f ui.ProvisionForm) { got = f }, i18n.ZH)
	w := test.NewTempWindow(t, p.Content())
	w.Resize(screenSize)
	var entries []*widget.Entry
	var radio *widget.RadioGroup
	var button *widget.Button
	for _, o := range test.LaidOutObjects(w.Content()) {
		if b, ok := o.(*widget.Button); ok && b.Text != "开通" {
			continue // the language button
		}
		switch o := o.(type) {
		case *widget.Entry:
			entries = append(entries, o)
		case *widget.RadioGroup:
			radio = o
		case *widget.Button:
			button = o
		}
	}
	if len(entries) != 4 || radio == nil || button == nil {
		t.Fatalf("found %d entries, radio %v, button %v; want 4, a radio and a button", len(entries), radio != nil, button != nil)
	}
	test.Type(entries[0], "https://codes.example:8443")
	test.Type(entries[1], "ABCD-EFGH")
	test.Type(entries[2], "WXYZ-2345")
	test.Type(entries[3], "田林街道")
	radio.SetSelected("venue")
	test.Tap(button)
	want := ui.ProvisionForm{URL: "https://codes.example:8443", Code: "ABCD-EFGH", Fingerprint: "WXYZ-2345", Centre: "田林街道", Mode: flow.ModeVenue}
	if got != want {
		t.Errorf("submitted %+v, want %+v", got, want)
	}
	p.Failed(errors.New("status 403"))
	golden(t, "provision_failed.xml", w)

	// The language button switches every word and keeps what was typed
	// and why it failed.
	tapButton(t, w, "English")
	m := strings.Join(labels(w.Content()), "\n")
	for _, s := range []string{"First run", "Provisioning failed; check the service URL, the provisioning code and the service fingerprint. status 403", "中文"} {
		if !strings.Contains(m, s) {
			t.Errorf("English first-run screen lacks %q", s)
		}
	}
	if s := cjkIn(labels(w.Content())); s != "" {
		t.Errorf("English first-run screen shows %q", s)
	}
	if entries[0].Text != "https://codes.example:8443" {
		t.Errorf("the URL entry holds %q after the switch", entries[0].Text)
	}
}

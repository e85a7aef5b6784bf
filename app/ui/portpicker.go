package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/setup"
	"github.com/shcommunity/kiosk/app/theme"
)

// portPicker is one device on the first-run screen: a list of the
// machine's serial ports, an entry holding the port chosen (or typed:
// a path the list does not have), the device's test button and what
// the last test found. Its widgets outlive the screen's redraws.
type portPicker struct {
	list    *widget.Select
	path    *widget.Entry
	ports   []setup.Port
	listErr error
	test    func()
	busy    bool
	res     testResult
}

// testResult is a device test's outcome in words: a message, what
// follows it (the masked card, an error's text) and whether it passed.
type testResult struct {
	key    i18n.Key
	detail string
	ok     bool
}

func newPortPicker(initial string, test func()) *portPicker {
	pp := &portPicker{path: widget.NewEntry(), test: test}
	pp.path.SetText(initial)
	pp.list = widget.NewSelect(nil, func(s string) {
		for _, port := range pp.ports {
			if port.Label() == s && pp.path.Text != port.Name {
				pp.path.SetText(port.Name)
			}
		}
	})
	return pp
}

// setPorts lists ports, or the error listing them gave; the port chosen
// stays chosen.
func (pp *portPicker) setPorts(ports []setup.Port, err error) {
	pp.ports, pp.listErr = ports, err
	labels := make([]string, len(ports))
	selected := ""
	for i, port := range ports {
		labels[i] = port.Label()
		if port.Name == pp.port() {
			selected = labels[i]
		}
	}
	pp.list.Options = labels
	pp.list.Selected = selected
	pp.list.Refresh()
}

// port is the port chosen.
func (pp *portPicker) port() string { return strings.TrimSpace(pp.path.Text) }

// start marks a test under way, saying what it waits for.
func (pp *portPicker) start(k i18n.Key) { pp.busy, pp.res = true, testResult{key: k} }

// done records a test's outcome.
func (pp *portPicker) done(r testResult) { pp.busy, pp.res = false, r }

// draw is the device's block at sz: its title, the list, the entry and
// the test button in a row, and under it the last test's words.
func (pp *portPicker) draw(sz theme.Sizes, l i18n.Lang, title, testLabel string) fyne.CanvasObject {
	pp.list.PlaceHolder = i18n.T(l, i18n.SetupPickPort)
	pp.path.SetPlaceHolder(i18n.T(l, i18n.SetupPortPath))
	btn := workerButton(sz, testLabel, false, func() {
		if !pp.busy {
			pp.test()
		}
	})
	row := container.NewBorder(nil, nil, label(sz, title), btn, container.NewGridWithColumns(2, pp.list, pp.path))
	words := ""
	switch {
	case pp.res.key != "":
		words = i18n.T(l, pp.res.key)
		if pp.res.detail != "" && !strings.HasSuffix(words, "：") && !strings.HasSuffix(words, " ") {
			words += " "
		}
		words += pp.res.detail
	case pp.listErr != nil:
		words = i18n.T(l, i18n.SetupFailed) + " " + pp.listErr.Error()
	case len(pp.ports) == 0:
		words = i18n.T(l, i18n.SetupNoPorts)
	}
	msg := widget.NewLabel(words)
	msg.Wrapping = fyne.TextWrapWord
	return container.NewVBox(row, msg)
}

package ui

import (
	"context"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/setup"
	"github.com/shcommunity/kiosk/app/theme"
	"github.com/shcommunity/kiosk/devices/escpos"
)

// Provision is the first-run screen, in two steps. First the devices:
// the reader and the printer picked from the serial ports the machine
// lists (name, USB VID:PID, product) or typed as a path, a test of each
// (one card read; a test slip), and the paper width. Then the service:
// its URL (pre-filled from the configuration when it has one), the
// one-time provisioning code an administrator printed and the service
// fingerprint printed with it, the centre's name and the mode, named in
// the screen's language. Its words follow Lang; the button switches it.
type Provision struct {
	Lang i18n.Lang

	opts                      ProvisionSetup
	step                      int // 0: the devices, 1: the service
	url, code, finger, centre *widget.Entry
	reader, printer           *portPicker
	paperSel                  string // an escpos profile name
	mode                      flow.Mode
	msg                       *widget.Label
	fit                       *fit
	working                   bool
	failed                    error
	submit                    func(ProvisionForm)
}

// ProvisionSetup is what the first-run screen starts from: the machine's
// ports and the device tests (setup.Devices: the real machine, or the
// simulators in the demo and the tests), and what the configuration
// already says.
type ProvisionSetup struct {
	Devices setup.Devices
	// ServiceURL, Reader, Printer and Paper are the configuration's
	// service_url, ports and printer_profile, shown filled in.
	ServiceURL, Reader, Printer, Paper string
	// ReaderBaud and PrinterBaud are the line rates the tests open the
	// ports at (0: 115200).
	ReaderBaud, PrinterBaud int
	// Ctx ends a test in progress (the program's context); nil is
	// context.Background.
	Ctx context.Context
	// Do runs a function on the UI goroutine; nil is fyne.Do.
	Do func(func())
	// ReadWait is how long the test read waits for a card; 0 is 15 s.
	ReadWait time.Duration
}

// ProvisionForm is what the first-run screen submits.
type ProvisionForm struct {
	URL, Code, Fingerprint, Centre string
	Mode                           flow.Mode
	// Reader and Printer are the ports chosen ("" keeps the
	// configuration's); Paper is an escpos profile name.
	Reader, Printer, Paper string
}

// formWidth and formMax are the first-run form's least and greatest
// widths, in dp.
const formWidth, formMax = 800, 1300

// NewProvision builds the screen in language l; submit runs on the UI
// goroutine and must hand the work to a goroutine.
func NewProvision(submit func(ProvisionForm), l i18n.Lang, s ProvisionSetup) *Provision {
	if s.Ctx == nil {
		s.Ctx = context.Background()
	}
	if s.Do == nil {
		s.Do = fyne.Do
	}
	if s.ReadWait <= 0 {
		s.ReadWait = 15 * time.Second
	}
	p := &Provision{Lang: l, opts: s, url: widget.NewEntry(), code: widget.NewEntry(), finger: widget.NewEntry(),
		centre: widget.NewEntry(), msg: widget.NewLabel(""), submit: submit, mode: flow.ModeSelf,
		paperSel: escpos.Profile58.Name}
	p.msg.Wrapping = fyne.TextWrapWord
	p.url.SetText(s.ServiceURL)
	if prof, ok := setup.Paper(s.Paper); ok {
		p.paperSel = prof.Name
	}
	p.reader = newPortPicker(s.Reader, p.TestReader)
	p.printer = newPortPicker(s.Printer, p.TestPrinter)
	p.fit = newFit(true, p.draw)
	p.Refresh()
	return p
}

// render draws the screen in p.Lang; the entries keep their text.
func (p *Provision) render() { p.fit.redraw() }

// Refresh lists the serial ports again; on the UI goroutine.
func (p *Provision) Refresh() {
	ports, err := p.opts.Devices.Ports()
	p.reader.setPorts(ports, err)
	p.printer.setPorts(ports, err)
	p.render()
}

// draw is the screen at sz: the step it is on, under the title and the
// language button.
func (p *Provision) draw(sz theme.Sizes) fyne.CanvasObject {
	l := p.Lang
	lang := bigButton(sz, i18n.T(l, i18n.LangButton), false, func() { p.SetLang(l.Other()) })
	// A URL, a port's path and an error need room: the form is at least
	// formWidth wide, and as wide as the screen allows up to formMax.
	least := canvas.NewRectangle(color.Transparent)
	least.SetMinSize(fyne.NewSize(max(formWidth, min(formMax, width(sz, sz.Worker))), 0))
	title := text(i18n.T(l, i18n.ProvisionTitle), sz.Heading, theme.Foreground, true)
	body := p.drawService(sz)
	if p.step == 0 {
		body = p.drawDevices(sz)
	}
	// The title shares the top row with the language button, so that the
	// device step's two devices fit a 768-dot-high screen.
	form := container.NewCenter(container.NewVBox(least, body))
	top := container.NewStack(container.NewCenter(title), container.NewBorder(nil, nil, nil, lang))
	return container.NewBorder(top, nil, nil, nil, form)
}

// drawDevices is the first step: the reader, the printer, the paper.
func (p *Provision) drawDevices(sz theme.Sizes) fyne.CanvasObject {
	l := p.Lang
	paper := widget.NewRadioGroup([]string{paperLabel(escpos.Profile58), paperLabel(escpos.Profile80)}, nil)
	paper.Horizontal = true
	paper.SetSelected(paperLabel(p.profile()))
	paper.OnChanged = func(s string) {
		if s == paperLabel(escpos.Profile80) {
			p.paperSel = escpos.Profile80.Name
		} else {
			p.paperSel = escpos.Profile58.Name
		}
	}
	refresh := workerButton(sz, i18n.T(l, i18n.SetupRefresh), false, p.Refresh)
	next := workerButton(sz, i18n.T(l, i18n.SetupNext), true, p.Next)
	paperRow := container.NewBorder(nil, nil, label(sz, i18n.T(l, i18n.SetupPaper)), container.NewHBox(refresh, next), paper)
	return container.NewVBox(label(sz, i18n.T(l, i18n.SetupDevices)),
		p.reader.draw(sz, l, i18n.T(l, i18n.SetupReader), i18n.T(l, i18n.SetupTestRead)),
		p.printer.draw(sz, l, i18n.T(l, i18n.SetupPrinter), i18n.T(l, i18n.SetupTestPrint)),
		paperRow)
}

// drawService is the second step: the service, the code, the centre
// and the mode.
func (p *Provision) drawService(sz theme.Sizes) fyne.CanvasObject {
	l := p.Lang
	p.url.SetPlaceHolder(i18n.T(l, i18n.ProvisionURL))
	p.code.SetPlaceHolder(i18n.T(l, i18n.ProvisionCode))
	p.finger.SetPlaceHolder(i18n.T(l, i18n.ProvisionFinger))
	p.centre.SetPlaceHolder(i18n.T(l, i18n.ProvisionCentre))
	switch {
	case p.failed != nil:
		p.msg.SetText(i18n.T(l, i18n.ProvisionFailed) + " " + p.failed.Error())
	case p.working:
		p.msg.SetText(i18n.T(l, i18n.ProvisionWorking))
	default:
		p.msg.SetText("")
	}
	modes := []flow.Mode{flow.ModeSelf, flow.ModeCounter, flow.ModeVenue}
	names := make([]string, len(modes))
	for i, m := range modes {
		names[i] = i18n.ModeName(l, m)
	}
	// In a row, so that the form with its four entries and a two-line
	// error still fits a 768-dot-high screen.
	mode := widget.NewRadioGroup(names, nil)
	mode.Horizontal = true
	mode.SetSelected(i18n.ModeName(l, p.mode))
	mode.OnChanged = func(s string) {
		for _, m := range modes {
			if i18n.ModeName(l, m) == s {
				p.mode = m
			}
		}
	}
	btn := workerButton(sz, i18n.T(l, i18n.ProvisionButton), true, func() {
		p.working, p.failed = true, nil
		p.render()
		p.submit(ProvisionForm{URL: p.url.Text, Code: p.code.Text, Fingerprint: p.finger.Text, Centre: p.centre.Text,
			Mode: p.mode, Reader: p.reader.port(), Printer: p.printer.port(), Paper: p.paperSel})
	})
	back := workerButton(sz, i18n.T(l, i18n.SetupBack), false, func() {
		p.step = 0
		p.render()
	})
	modeRow := container.NewBorder(nil, nil, label(sz, i18n.T(l, i18n.SetupMode)), nil, mode)
	return container.NewVBox(label(sz, i18n.T(l, i18n.SetupService)), p.url, p.code, p.finger, p.centre, modeRow,
		container.NewCenter(container.NewHBox(back, btn)), p.msg)
}

// profile is the printer profile of the paper width chosen.
func (p *Provision) profile() escpos.Profile {
	prof, _ := escpos.ProfileByName(p.paperSel)
	return prof
}

// paperLabel is a paper width as the choice shows it: "58 mm".
func paperLabel(prof escpos.Profile) string { return prof.Name[:len(prof.Name)-2] + " mm" }

// label is a line of the form's own words at the staff's body size.
func label(sz theme.Sizes, s string) fyne.CanvasObject {
	t := text(s, sz.Worker, theme.Foreground, false)
	t.Alignment = fyne.TextAlignLeading
	return t
}

// TestReader reads one card on the reader's port, off the UI goroutine,
// and shows the masked result or what went wrong, as 测试读卡 does; on
// the UI goroutine.
func (p *Provision) TestReader() {
	port, wait := p.reader.port(), p.opts.ReadWait
	p.reader.start(i18n.SetupReading)
	p.render()
	go func() {
		r, err := p.opts.Devices.TestReader(p.opts.Ctx, port, p.opts.ReaderBaud, wait)
		p.opts.Do(func() {
			switch {
			case err != nil:
				p.reader.done(testResult{key: setup.FaultOf(err), detail: detailOf(err)})
			case r.Problem != nil:
				p.reader.done(testResult{key: setup.FaultOf(r.Problem), detail: r.MaskedName + " " + r.MaskedID})
			default:
				p.reader.done(testResult{key: i18n.SetupReadOK, detail: r.MaskedName + " " + r.MaskedID, ok: true})
			}
			p.render()
		})
	}()
}

// TestPrinter prints the test slip on the printer's port at the paper
// width chosen, off the UI goroutine, and says how it went, as 打印测试页
// does; on the UI goroutine.
func (p *Provision) TestPrinter() {
	port, prof := p.printer.port(), p.profile()
	p.printer.start(i18n.SetupPrinting)
	p.render()
	go func() {
		err := p.opts.Devices.TestPrinter(p.opts.Ctx, port, p.opts.PrinterBaud, prof)
		p.opts.Do(func() {
			if err != nil {
				p.printer.done(testResult{key: setup.FaultOf(err), detail: detailOf(err)})
			} else {
				p.printer.done(testResult{key: i18n.SetupPrintOK, ok: true})
			}
			p.render()
		})
	}()
}

// detailOf is what follows a failed test's words: the error itself when
// the words do not say what it was. Device errors carry no personal data.
func detailOf(err error) string {
	if setup.FaultOf(err) == i18n.SetupFailed {
		return err.Error()
	}
	return ""
}

// Next goes on from the devices to the service, as 下一步 does; on the
// UI goroutine.
func (p *Provision) Next() {
	p.step = 1
	p.render()
}

// Busy reports whether a device test is under way; on the UI goroutine.
func (p *Provision) Busy() bool { return p.reader.busy || p.printer.busy }

// SetLang switches the language and redraws; on the UI goroutine.
func (p *Provision) SetLang(l i18n.Lang) {
	p.Lang = l
	p.render()
}

// Content is the screen's root.
func (p *Provision) Content() fyne.CanvasObject { return p.fit.Content() }

// Failed shows that provisioning did not work and why; on the UI
// goroutine. The error must carry no personal data (none is typed here).
func (p *Provision) Failed(err error) {
	p.working, p.failed, p.step = false, err, 1
	p.render()
}

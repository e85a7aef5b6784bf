package ui_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/setup"
	"github.com/shcommunity/kiosk/app/ui"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
	"github.com/shcommunity/kiosk/devices/idcard/idcardsim"
	"github.com/shcommunity/kiosk/internal/ptypair"
)

// simPorts are a reader and a printer simulator on pseudo-terminals,
// listed as the first-run screen lists a machine's serial ports.
type simPorts struct {
	reader          *idcardsim.Sim
	printer         *escpossim.Printer
	slips           chan escpossim.Slip
	readerPath, prn string
}

func startSimPorts(t *testing.T) *simPorts {
	t.Helper()
	s := &simPorts{reader: idcardsim.New(idcardsim.SampleDeck(), nil), printer: escpossim.New(escpos.Profile80),
		slips: make(chan escpossim.Slip, 2)}
	s.printer.OnSlip = func(sl escpossim.Slip) { s.slips <- sl }
	s.readerPath = ptypair.Serve(t, s.reader.Serve)
	s.prn = ptypair.Serve(t, s.printer.Serve)
	return s
}

// devices lists the two simulators' ports, with the USB ids and
// products of the adapters a kiosk has.
func (s *simPorts) devices() setup.Devices {
	return setup.Devices{List: func() ([]setup.Port, error) {
		return []setup.Port{{Name: s.readerPath, VIDPID: "1A86:7523", Product: "USB Serial"},
			{Name: s.prn, VIDPID: "0403:6001", Product: "FT232R USB UART"}}, nil
	}}
}

// provisionFixture is the first-run screen in a test window; the device
// tests' results come back through a queue the test drains.
type provisionFixture struct {
	t     *testing.T
	w     fyne.Window
	p     *ui.Provision
	queue chan func()
	got   *ui.ProvisionForm
}

func newProvisionFixture(t *testing.T, l i18n.Lang, s ui.ProvisionSetup) *provisionFixture {
	t.Helper()
	themedApp(t)
	f := &provisionFixture{t: t, queue: make(chan func(), 4)}
	s.Do = func(fn func()) { f.queue <- fn }
	f.p = ui.NewProvision(func(pf ui.ProvisionForm) { f.got = &pf }, l, s)
	f.w = window(t, f.p.Content(), screenSize)
	return f
}

// waitFor runs the queued UI work until the screen shows want.
func (f *provisionFixture) waitFor(want string) {
	f.t.Helper()
	deadline := time.After(10 * time.Second)
	for !strings.Contains(strings.Join(labels(f.w.Content()), "\n"), want) {
		select {
		case fn := <-f.queue:
			fn()
		case <-deadline:
			f.t.Fatalf("the screen never showed %q:\n%s", want, strings.Join(labels(f.w.Content()), "\n"))
		}
	}
}

func TestProvisionDevices(t *testing.T) {
	sims := startSimPorts(t)
	f := newProvisionFixture(t, i18n.ZH, ui.ProvisionSetup{Devices: sims.devices(), ServiceURL: "https://codes.example:8443",
		ReadWait: 5 * time.Second})
	selects := find[*widget.Select](f.w)
	if len(selects) != 2 {
		t.Fatalf("%d port lists, want the reader's and the printer's", len(selects))
	}
	wantOpts := []string{sims.readerPath + "  1A86:7523  USB Serial", sims.prn + "  0403:6001  FT232R USB UART"}
	if got := selects[0].Options; strings.Join(got, "|") != strings.Join(wantOpts, "|") {
		t.Errorf("the reader's list is %q, want %q", got, wantOpts)
	}
	selects[0].SetSelected(wantOpts[0])
	selects[1].SetSelected(wantOpts[1])

	// The test read goes through the kiosk's reader driver to the
	// simulator on its pty, and shows the card masked.
	if err := sims.reader.Place("resident-green"); err != nil {
		t.Fatal(err)
	}
	tapButton(t, f.w, "测试读卡")
	f.waitFor("读卡正常：张*丰 3*************0019")

	// The test slip prints on the printer simulator at the width chosen.
	for _, r := range find[*widget.RadioGroup](f.w) {
		if len(r.Options) == 2 {
			r.SetSelected("80 mm")
		}
	}
	tapButton(t, f.w, "打印测试页")
	f.waitFor("测试页已打印")
	if s := <-sims.slips; s.Image.Bounds().Dx() != escpos.Profile80.Dots {
		t.Errorf("the test slip is %d dots wide, want 80 mm's %d", s.Image.Bounds().Dx(), escpos.Profile80.Dots)
	}
	// Out of paper and no card: the screen says which.
	sims.printer.SetPaperOut(true)
	tapButton(t, f.w, "打印测试页")
	f.waitFor("打印机缺纸")
	sims.reader.Remove()
	tapButton(t, f.w, "测试读卡")
	f.waitFor(i18n.T(i18n.ZH, i18n.SetupNoCard))

	// The service step: the URL from the configuration, the mode named
	// in the screen's language; the devices and the paper go with the
	// form.
	tapButton(t, f.w, "下一步")
	entries := find[*widget.Entry](f.w)
	if len(entries) != 4 || entries[0].Text != "https://codes.example:8443" {
		t.Fatalf("service step: %d entries, the first holding %q; want 4, the configuration's URL", len(entries), entries[0].Text)
	}
	test.Type(entries[1], "ABCD-EFGH")
	test.Type(entries[2], "WXYZ-2345")
	test.Type(entries[3], "田林街道")
	modes := find[*widget.RadioGroup](f.w)
	if len(modes) != 1 || strings.Join(modes[0].Options, "|") != "自助机|柜台|场所核验" {
		t.Fatalf("the modes: %v", modes)
	}
	modes[0].SetSelected("场所核验")
	tapButton(t, f.w, "开通")
	want := ui.ProvisionForm{URL: "https://codes.example:8443", Code: "ABCD-EFGH", Fingerprint: "WXYZ-2345", Centre: "田林街道",
		Mode: flow.ModeVenue, Reader: sims.readerPath, Printer: sims.prn, Paper: "80mm"}
	if f.got == nil || *f.got != want {
		t.Errorf("submitted %+v, want %+v", f.got, want)
	}
}

func TestProvision(t *testing.T) {
	f := newProvisionFixture(t, i18n.ZH, ui.ProvisionSetup{Devices: setup.Devices{List: func() ([]setup.Port, error) {
		return nil, nil
	}}, Reader: "/dev/ttyUSB0", Paper: "58mm"})
	if !strings.Contains(strings.Join(labels(f.w.Content()), "\n"), i18n.T(i18n.ZH, i18n.SetupNoPorts)) {
		t.Errorf("no ports, and the screen does not say so")
	}
	// A port typed by hand, with no test.
	if e := find[*widget.Entry](f.w); len(e) != 2 || e[0].Text != "/dev/ttyUSB0" {
		t.Fatalf("device step: %d entries; want 2, the reader's holding the configuration's port", len(e))
	}
	tapButton(t, f.w, "下一步")
	f.p.Failed(errors.New("status 403"))
	golden(t, "provision_failed.xml", f.w)

	// The language button switches every word and keeps what was typed
	// and why it failed.
	tapButton(t, f.w, "English")
	m := strings.Join(labels(f.w.Content()), "\n")
	for _, s := range []string{"First run", "Step 2: the code service", "Self-service", "Venue check",
		"Provisioning failed; check the service URL, the provisioning code and the service fingerprint. status 403", "中文"} {
		if !strings.Contains(m, s) {
			t.Errorf("English first-run screen lacks %q", s)
		}
	}
	if s := cjkIn(labels(f.w.Content())); s != "" {
		t.Errorf("English first-run screen shows %q", s)
	}
	tapButton(t, f.w, "Back")
	if s := cjkIn(labels(f.w.Content())); s != "" {
		t.Errorf("English device step shows %q", s)
	}
	tapButton(t, f.w, "Next")
	tapButton(t, f.w, "Provision")
	if f.got == nil || f.got.Reader != "/dev/ttyUSB0" || f.got.Printer != "" || f.got.Paper != "58mm" || f.got.Mode != flow.ModeSelf {
		t.Errorf("submitted %+v", f.got)
	}
}

package main

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/software"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/rig"
	"github.com/shcommunity/kiosk/app/ui"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
)

// screenshots walks the demo through its main screens and saves each
// window as a PNG in dir (scripts/screenshots.sh runs it under Xvfb).
//
// Length: a script, the demo's screens in the order a visitor meets them,
// each step waiting for the screen before it; split up, that order would
// no longer read in one place.
func screenshots(p *process, dir string, r *rig.Rig, shell *ui.Shell, sim fyne.Window, lastSlip func() printed) error {
	ctx, win := p.ctx, p.win
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	self, venue, counter := shell.Flows.Self, shell.Flows.Venue, shell.Flows.Counter
	until := func(what string, ok func() bool) error {
		deadline := time.Now().Add(30 * time.Second)
		for !ok() {
			if time.Now().After(deadline) || ctx.Err() != nil {
				return fmt.Errorf("screenshots: waiting for %s", what)
			}
			time.Sleep(50 * time.Millisecond)
		}
		return nil
	}
	shot := func(name string, w fyne.Window) error {
		time.Sleep(500 * time.Millisecond) // let the frame be drawn
		var img image.Image
		fyne.DoAndWait(func() { img = capture(w) })
		return escpossim.WritePNG(filepath.Join(dir, name+".png"), img)
	}
	settled := func() bool { s := self.View().Step; return s == flow.StepDone || s == flow.StepError }
	start := func() bool { v := self.View(); return v.Step == flow.StepStart && !v.CardOn }
	resident := func(label, name string) (flow.SelfView, error) {
		if err := r.Reader.Place(label); err != nil {
			return flow.SelfView{}, err
		}
		if err := until(label+" settled", settled); err != nil {
			return flow.SelfView{}, err
		}
		v := self.View()
		if err := shot(name, win); err != nil {
			return v, err
		}
		r.Reader.Remove()
		return v, until("start screen", start)
	}

	if err := until("reader", func() bool { return self.View().Bar.ReaderConnected && self.View().Bar.Printer != "" }); err != nil {
		return err
	}
	if r.SSC != nil {
		if err := until("contact reader", func() bool { return self.View().Bar.Contact == flow.ContactReady }); err != nil {
			return err
		}
	}
	if err := shot("self-start", win); err != nil {
		return err
	}
	if err := sscShot(r, self, until, shot, win); err != nil {
		return err
	}
	green, err := resident("resident-green", "self-green")
	if err != nil {
		return err
	}
	for _, s := range [][2]string{{"resident-yellow", "self-yellow"}, {"resident-red", "self-red"}, {"expired", "self-card-expired"}} {
		if _, err := resident(s[0], s[1]); err != nil {
			return err
		}
	}
	r.Printer.SetPaperOut(true)
	if err := until("printer paper out", func() bool { return true }); err != nil {
		return err
	}
	if _, err := resident("family-member", "self-paper-out"); err != nil {
		return err
	}
	r.Printer.SetPaperOut(false)
	self.Help()
	if err := until("help", func() bool { return self.View().HelpCalled }); err != nil {
		return err
	}
	if err := shot("self-help", win); err != nil {
		return err
	}
	self.Dismiss()
	fyne.DoAndWait(func() { shell.Self.SetLang(i18n.EN) })
	if err := shot("self-start-en", win); err != nil {
		return err
	}
	fyne.DoAndWait(func() { shell.Self.SetLang(i18n.ZH) })

	// A resident the service has never seen enrols herself.
	if err := enrolShots(r, self, until, shot, win, "first-visit", "self-consent", "self-phone", "self-enrolled"); err != nil {
		return err
	}

	r.SetOnline(false)
	if _, err := resident("resident-red", "self-offline-reprint"); err != nil {
		return err
	}
	// Never seen here, offline: she may enrol; a receipt prints.
	if err := enrolShots(r, self, until, shot, win, "minority", "self-consent-offline", "", "self-offline-pending"); err != nil {
		return err
	}
	r.SetOnline(true)

	fyne.DoAndWait(func() { shell.SetMode(flow.ModeVenue) })
	vdone := func() bool { s := venue.View().Step; return s == flow.VenueResult || s == flow.VenueRefused }
	if err := r.Reader.Place("resident-yellow"); err != nil {
		return err
	}
	if err := until("venue card", vdone); err != nil {
		return err
	}
	if err := shot("venue-card", win); err != nil {
		return err
	}
	r.Reader.Remove()
	if err := until("venue ready", func() bool { return venue.View().Step == flow.VenueReady }); err != nil {
		return err
	}
	venue.Scan(green.Ticket.QR)
	if err := until("venue scan", vdone); err != nil {
		return err
	}
	if err := shot("venue-scan", win); err != nil {
		return err
	}

	// 李秀英, whose card the venue has just checked, asks her own
	// questions at the self-service screen.
	fyne.DoAndWait(func() { shell.SetMode(flow.ModeSelf) })
	if err := privacyShots(r, self, until, shot, win, dir, lastSlip); err != nil {
		return err
	}

	fyne.DoAndWait(func() { shell.SetMode(flow.ModeCounter) })
	if err := shot("counter-login", win); err != nil {
		return err
	}
	counter.Login(ctx, rig.DemoWorker, rig.DemoPassword)
	if err := until("login", func() bool { return counter.View().Step == flow.CounterReady }); err != nil {
		return err
	}
	time.Sleep(time.Second) // the dashboard refresh
	if err := shot("counter-dashboard", win); err != nil {
		return err
	}
	if err := r.Reader.Place("resident-green"); err != nil {
		return err
	}
	if err := until("counter resident", func() bool {
		v := counter.View()
		return v.Step == flow.CounterResident && !v.RecordLoading && v.Record.Status.Source != ""
	}); err != nil {
		return err
	}
	if err := shot("counter-resident", win); err != nil {
		return err
	}
	r.Reader.Remove()
	if err := shot("simulator", sim); err != nil {
		return err
	}
	return firstRunShots(ctx, r.URL, until, shot, win)
}

// sscShot saves the screen of a resident who carries only her
// social-security card (ssc-yellow), when the demo has a contact reader.
func sscShot(r *rig.Rig, self *flow.SelfService, until func(string, func() bool) error, shot func(string, fyne.Window) error,
	win fyne.Window) error {
	if r.SSC == nil {
		return nil
	}
	if err := r.SSC.Insert("ssc-yellow"); err != nil {
		return err
	}
	if err := until("social-security card settled", func() bool { return self.View().Step == flow.StepDone || self.View().Step == flow.StepError }); err != nil {
		return err
	}
	if err := shot("self-ssc", win); err != nil {
		return err
	}
	r.SSC.Remove()
	return until("start screen", func() bool { v := self.View(); return v.Step == flow.StepStart && !v.CardOn })
}

// enrolShots puts the card of a resident the kiosk cannot find on the
// reader and walks through consent, the keypad (a few digits typed, then
// 跳过) and the slip, saving the named screens ("" skips one).
func enrolShots(r *rig.Rig, self *flow.SelfService, until func(string, func() bool) error, shot func(string, fyne.Window) error,
	win fyne.Window, label, consent, phone, done string) error {
	step := func(s flow.Step) func() bool { return func() bool { return self.View().Step == s } }
	save := func(name string) error {
		if name == "" {
			return nil
		}
		return shot(name, win)
	}
	if err := r.Reader.Place(label); err != nil {
		return err
	}
	if err := until(label+" consent", step(flow.StepConsent)); err != nil {
		return err
	}
	if err := save(consent); err != nil {
		return err
	}
	self.Agree()
	if err := until(label+" keypad", step(flow.StepPhone)); err != nil {
		return err
	}
	for _, d := range []byte("1391234") {
		self.Key(d)
	}
	if err := until("digits", func() bool { return len(self.View().Phone) == 7 }); err != nil {
		return err
	}
	if err := save(phone); err != nil {
		return err
	}
	self.SkipPhone()
	if err := until(label+" slip", func() bool { s := self.View().Step; return s == flow.StepDone || s == flow.StepError }); err != nil {
		return err
	}
	if err := save(done); err != nil {
		return err
	}
	r.Reader.Remove()
	return until("start screen", func() bool { v := self.View(); return v.Step == flow.StepStart && !v.CardOn })
}

// capture draws a window's content with Fyne's software painter. The GL
// driver's Canvas.Capture gives a blank image under Xvfb (Mesa), so the
// live object tree is lent to a software canvas of the window's size for
// one frame and handed back.
func capture(w fyne.Window) image.Image {
	content := w.Content()
	size := w.Canvas().Size()
	c := software.NewCanvas()
	c.SetPadded(false)
	c.SetContent(content)
	c.Resize(size)
	img := c.Capture()
	w.SetContent(content)
	return img
}

package main

import (
	"path/filepath"

	"fyne.io/fyne/v2"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/rig"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
)

// privacyShots walks through a resident's own questions: 李秀英, whose
// card a venue checked a moment before, asks who looked her up (the
// check is on the list) and prints it; she agrees once to see her health
// services, sees and prints them; the family member, whom the sample
// health cloud does not know, gets the "no record" screen. The slips are
// saved as the printer simulator drew them.
func privacyShots(r *rig.Rig, self *flow.SelfService, until func(string, func() bool) error, shot func(string, fyne.Window) error,
	win fyne.Window, dir string, lastSlip func() printed) error {
	step := func(s flow.Step) func() bool { return func() bool { return self.View().Step == s } }
	settled := func() bool { s := self.View().Step; return s == flow.StepDone || s == flow.StepError }
	if err := r.Reader.Place("resident-yellow"); err != nil {
		return err
	}
	if err := until("resident-yellow settled", settled); err != nil {
		return err
	}
	if err := shot("self-questions", win); err != nil {
		return err
	}
	for _, s := range []struct {
		ask, print func()
		want       flow.Step
		screen     string
		slip       string
	}{
		{self.AccessRecords, self.PrintSheet, flow.StepAccess, "self-access", "slip-access"},
		{self.HealthServices, nil, flow.StepHealthConsent, "self-health-consent", ""},
		{self.AgreeHealth, self.PrintSheet, flow.StepHealth, "self-health", "slip-health"},
	} {
		s.ask()
		if err := until(s.screen, step(s.want)); err != nil {
			return err
		}
		if err := shot(s.screen, win); err != nil {
			return err
		}
		if s.print == nil {
			continue
		}
		before := lastSlip().n
		s.print()
		// The flow says "printed" when the printer took the job; the
		// simulator draws the slip when it is cut.
		if err := until(s.slip, func() bool { v := self.View(); return v.Sheet == flow.SheetPrinted && lastSlip().n > before }); err != nil {
			return err
		}
		if err := escpossim.WritePNG(filepath.Join(dir, s.slip+".png"), lastSlip().img); err != nil {
			return err
		}
	}
	r.Reader.Remove()
	if err := until("start screen", step(flow.StepStart)); err != nil {
		return err
	}
	if err := r.Reader.Place("family-member"); err != nil {
		return err
	}
	if err := until("family-member settled", settled); err != nil {
		return err
	}
	self.HealthServices()
	if err := until("family-member consent", step(flow.StepHealthConsent)); err != nil {
		return err
	}
	self.AgreeHealth()
	if err := until("no record", step(flow.StepNoHealthRecord)); err != nil {
		return err
	}
	if err := shot("self-health-none", win); err != nil {
		return err
	}
	r.Reader.Remove()
	return until("start screen", step(flow.StepStart))
}

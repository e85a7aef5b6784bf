package main

import (
	"context"

	"fyne.io/fyne/v2"

	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/setup"
	"github.com/shcommunity/kiosk/app/ui"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
	"github.com/shcommunity/kiosk/devices/idcard/idcardsim"
	"github.com/shcommunity/kiosk/internal/ptypair"
)

// firstRunShots puts the first-run screen in the window, its ports a
// reader and a printer simulator of its own on pseudo-terminals (listed
// as simulators: a pty has no USB id), and saves the device step after
// a test read and a test slip, then the service step with the demo
// service's URL filled in as a configuration's service_url would be.
func firstRunShots(ctx context.Context, url string, until func(string, func() bool) error,
	shot func(string, fyne.Window) error, win fyne.Window) error {
	ctx, cancel := context.WithCancel(ctx)
	reader, printer := idcardsim.New(idcardsim.SampleDeck(), nil), escpossim.New(escpos.Profile80)
	var served []chan struct{}
	serve := func(run func(*ptypair.Pair)) (string, error) {
		pair, err := ptypair.Open()
		if err != nil {
			return "", err
		}
		done := make(chan struct{})
		served = append(served, done)
		go func() { run(pair); pair.Close(); close(done) }()
		return pair.Path, nil
	}
	defer func() {
		cancel()
		for _, d := range served {
			<-d
		}
	}()
	rp, err := serve(func(p *ptypair.Pair) { reader.Serve(ctx, p.Master) })
	if err != nil {
		return err
	}
	pp, err := serve(func(p *ptypair.Pair) { printer.Serve(ctx, p.Master) })
	if err != nil {
		return err
	}
	ports := []setup.Port{{Name: rp, Product: "ID card reader simulator"}, {Name: pp, Product: "printer simulator"}}
	var prov *ui.Provision
	fyne.DoAndWait(func() {
		prov = ui.NewProvision(func(ui.ProvisionForm) {}, i18n.ZH, ui.ProvisionSetup{
			Devices:    setup.Devices{List: func() ([]setup.Port, error) { return ports, nil }},
			ServiceURL: url, Reader: rp, Printer: pp, Paper: escpos.Profile80.Name, Ctx: ctx})
		win.SetContent(prov.Content())
	})
	idle := func() bool {
		var busy bool
		fyne.DoAndWait(func() { busy = prov.Busy() })
		return !busy
	}
	if err := reader.Place("resident-green"); err != nil {
		return err
	}
	for _, test := range []func(){prov.TestReader, prov.TestPrinter} {
		fyne.DoAndWait(test)
		if err := until("first-run test", idle); err != nil {
			return err
		}
	}
	if err := shot("first-run-devices", win); err != nil {
		return err
	}
	fyne.DoAndWait(prov.Next)
	return shot("first-run-service", win)
}

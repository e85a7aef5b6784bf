package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"

	"github.com/shcommunity/kiosk/app/config"
	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/rig"
	"github.com/shcommunity/kiosk/app/ui"
	"github.com/shcommunity/kiosk/app/wire"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/internal/logfile"
	"github.com/shcommunity/kiosk/pii"
)

// demoNotes says what each sample card shows, for the simulator's
// buttons.
var demoNotes = map[string]string{
	"resident-green":  healthcode.Green.Word() + " green",
	"resident-yellow": healthcode.Yellow.Word() + " yellow",
	"resident-red":    healthcode.Red.Word() + " red",
	"first-visit":     "首次登记 never registered",
	"rare-character":  "生僻字 rare character",
	"minority":        "少数民族 minority name",
	"expired":         "过期证件 expired card",
	"family-member":   "家属 family member",
	"hk-permit":       "港澳台居住证 HMT permit",
	"foreign-2017":    "外国人永居证 2017",
	"foreign-2023":    "外国人永居证 2023",
}

// demoExitPIN leaves kiosk mode in the demo (--demo --kiosk).
const demoExitPIN = "123456"

// demo starts the rig and shows the kiosk and the simulator panel.
func demo(ctx context.Context, a fyne.App, win fyne.Window, o options, cfg config.Config, held *atomic.Pointer[ui.Shell], say func(i18n.Lang, flow.Prompt),
	log *slog.Logger) error {
	var panel *ui.SimPanel
	quiet := slog.New(logfile.NewTextHandler(os.Stderr, slog.LevelWarn))
	r, err := rig.Start(ctx, rig.Options{Pty: o.pty, Logger: quiet, OnSlip: func(s escpossim.Slip) {
		fyne.Do(func() {
			if panel != nil {
				panel.ShowSlip(s.Image)
			}
		})
	}})
	if err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		r.Close()
	}()
	fmt.Printf("code service: %s\nworker login: %s / %s\n", r.URL, rig.DemoWorker, rig.DemoPassword)
	go r.Watcher.Run(ctx)
	idle := o.idle
	if idle == 0 {
		idle = 8 * time.Second // a demo moves on faster than a real resident
	}
	counter := &wire.Counter{Backend: r.Backend}
	shell := ui.Start(ctx, win, ui.Parts{Events: r.Watcher.Events(), Backend: r.Backend, Printer: r.Slips, Venue: r.Backend,
		Counter: counter, Where: "演示自助机", Mode: cfg.Mode, Lang: cfg.Lang, IdleTimeout: idle, Say: say, Log: log})
	held.Store(shell)

	var cards []ui.SimCard
	for _, c := range r.Deck.Cards {
		cards = append(cards, ui.SimCard{Label: c.Label, Title: pii.Name(c.Name).Masked() + " · " + demoNotes[c.Label]})
	}
	panel = ui.NewSimPanel(ui.SimControls{
		Cards:     cards,
		Place:     func(l string) { r.Reader.Place(l) },
		Remove:    r.Reader.Remove,
		PaperOut:  r.Printer.SetPaperOut,
		CoverOpen: r.Printer.SetCoverOpen,
		Online:    r.SetOnline,
		Mode:      shell.SetMode,
	})
	sim := a.NewWindow("模拟器 Simulators")
	sim.SetContent(panel.Content())
	sim.Resize(fyne.NewSize(760, 820))
	sim.Show()
	win.SetMaster()
	if o.screenshots != "" {
		go func() {
			if err := screenshots(ctx, o.screenshots, r, shell, win, sim); err != nil {
				log.Error("Screenshots", "err", err)
			}
			fyne.Do(a.Quit)
		}()
	}
	return nil
}

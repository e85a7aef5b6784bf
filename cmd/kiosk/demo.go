package main

import (
	"fmt"
	"image"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

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
	"family-member":   "家属 family member · 无健康云记录 no health record",
	"hk-permit":       "港澳台居住证 HMT permit",
	"foreign-2017":    "外国人永居证 2017",
	"foreign-2023":    "外国人永居证 2023",
}

// sscNotes says what each sample social-security card shows
// (devices/ssc/sscsim/deck.json).
var sscNotes = map[string]string{
	"ssc-green":          healthcode.Green.Word() + " green",
	"ssc-yellow":         healthcode.Yellow.Word() + " no ID card",
	"ssc-only":           "首次登记 never registered",
	"ssc-minority":       "少数民族 minority",
	"ssc-expired":        "过期 expired",
	"ssc-expiry-unknown": "有效期未知 expiry unknown",
	"bank-card":          "银行卡 bank card",
	"ssc-locked":         "锁定 locked",
	"ssc-no-birth":       "缺记录 record missing",
	"ssc-bad-name":       "姓名乱码 name not GBK",
	"ssc-inconsistent":   "数据不符 inconsistent",
}

// sscControls puts the rig's social-security cards on the simulator
// panel, or says why there are none.
func sscControls(c *ui.SimControls, r *rig.Rig) {
	if r.SSC == nil {
		c.NoSSC = "没有社保卡读卡器 No contact reader: " + r.SSCErr.Error()
		return
	}
	for _, k := range r.SSCDeck.Cards {
		title := sscNotes[k.Label]
		if k.Name != "" {
			title = pii.Name(k.Name).Masked() + " · " + title
		}
		c.SSCCards = append(c.SSCCards, ui.SimCard{Label: k.Label, Title: title})
	}
	c.InsertSSC = func(l string) { r.SSC.Insert(l) }
	c.RemoveSSC = r.SSC.Remove
}

// demoExitPIN leaves kiosk mode in the demo (--demo --kiosk).
const demoExitPIN = "123456"

// demo starts the rig and shows the kiosk and the simulator panel. The
// rig's temporary directory goes when the process shuts down.
func demo(p *process, o options, cfg config.Config, say func(i18n.Lang, flow.Prompt)) error {
	var panel *ui.SimPanel
	quiet := slog.New(logfile.NewTextHandler(os.Stderr, slog.LevelWarn))
	var last atomic.Pointer[printed] // the last slip, for the screenshots
	r, err := rig.Start(p.ctx, rig.Options{Pty: o.pty, Logger: quiet, SSC: true, OnSlip: func(s escpossim.Slip) {
		n := 1
		if l := last.Load(); l != nil {
			n = l.n + 1
		}
		last.Store(&printed{n: n, img: s.Image})
		p.loop.Do(func() {
			if panel != nil {
				panel.ShowSlip(s.Image)
			}
		})
	}})
	if err != nil {
		return err
	}
	p.onClose("demo rig", r.Close)
	fmt.Printf("code service: %s\nworker login: %s / %s\n", r.URL, rig.DemoWorker, rig.DemoPassword)
	if r.SSCErr != nil {
		fmt.Printf("social-security cards: none (%v; scripts/deps.sh installs pcscd and vsmartcard-vpcd)\n", r.SSCErr)
	}
	idle := o.idle
	if idle == 0 {
		idle = 8 * time.Second // a demo moves on faster than a real resident
	}
	counter := &wire.Counter{Backend: r.Backend}
	shell := ui.Start(p.ctx, p.win, ui.Parts{Events: r.Cards(p.ctx), Backend: r.Backend, Printer: r.Slips, Venue: r.Backend,
		Counter: counter, Where: "演示自助机", Mode: cfg.Mode, Lang: cfg.Lang, IdleTimeout: idle, Say: say, Log: p.log,
		Do: p.loop.Do, CounterIdle: time.Duration(cfg.CounterIdleMinutes) * time.Minute})
	p.shell.Store(shell)

	var cards []ui.SimCard
	for _, c := range r.Deck.Cards {
		cards = append(cards, ui.SimCard{Label: c.Label, Title: pii.Name(c.Name).Masked() + " · " + demoNotes[c.Label]})
	}
	controls := ui.SimControls{
		Cards:    cards,
		Place:    func(l string) { r.Reader.Place(l) },
		Remove:   r.Reader.Remove,
		PaperOut: r.Printer.SetPaperOut,
		UnplugReader: func(on bool) {
			if on {
				r.Reader.UnplugMidRead()
			} else {
				r.PlugReader()
			}
		},
		CoverOpen: r.Printer.SetCoverOpen,
		Online:    r.SetOnline,
		Mode:      shell.SetMode,
	}
	sscControls(&controls, r)
	panel = ui.NewSimPanel(controls)
	sim := p.a.NewWindow(simTitle)
	sim.SetContent(panel.Content())
	sim.Resize(panel.Content().MinSize())
	sim.Show()
	p.win.SetMaster()
	if o.screenshots != "" {
		go func() {
			lastSlip := func() printed {
				if l := last.Load(); l != nil {
					return *l
				}
				return printed{}
			}
			if err := screenshots(p, o.screenshots, r, shell, sim, lastSlip); err != nil {
				p.log.Error("Screenshots", "err", err)
			}
			p.loop.Do(func() { p.quit("screenshots taken") })
		}()
	}
	return nil
}

// printed is the nth slip the simulated printer has cut, and its image.
type printed struct {
	n   int
	img image.Image
}

// simTitle is the simulator window's title.
const simTitle = "模拟器 Simulators"

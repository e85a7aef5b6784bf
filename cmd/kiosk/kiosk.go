package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/shcommunity/kiosk/app/config"
	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/provision"
	"github.com/shcommunity/kiosk/app/ui"
	"github.com/shcommunity/kiosk/app/wire"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/devices/conn"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/serialport"
	"github.com/shcommunity/kiosk/devices/ssc"
	"github.com/shcommunity/kiosk/sync/keystore"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

// kiosk runs on real devices with the configuration at path, showing the
// first-run screen when the kiosk is not yet provisioned.
func kiosk(p *process, cfg config.Config, path string, say func(i18n.Lang, flow.Prompt)) error {
	where, err := cfg.ResolveStore(path)
	if err != nil {
		return err
	}
	if where.Legacy {
		p.log.Info("Using the local database next to the configuration, where kiosks installed before it moved keep it", "path", where.Path)
	} else if err := os.MkdirAll(filepath.Dir(where.Path), 0o700); err != nil {
		return fmt.Errorf("local database: %w", err)
	}
	keyPath := cfg.KeyFile
	if keyPath == "" {
		if keyPath, err = keystore.DefaultPath(); err != nil {
			return err
		}
	}
	clock := syncer.NewClock(nil, 0)
	st, err := localstore.Open(p.ctx, where.Path, localstore.Options{Now: clock.Now, KeyFile: keyPath})
	if errors.Is(err, localstore.ErrCorrupt) || errors.Is(err, localstore.ErrKeysMissing) || errors.Is(err, localstore.ErrKeysMismatch) {
		// The kiosk stays on screen to say it is out of service and send
		// residents to the counter; kioskctl doctor tells the technician.
		p.log.Error("The local store is damaged or its keys are gone: out of service", "err", err)
		p.win.SetContent(ui.OutOfService(cfg.Lang))
		return nil
	}
	if err != nil {
		return err
	}
	p.onClose("local store", st.Close)
	if needed, err := provision.Needed(p.ctx, st, cfg); err != nil {
		return err
	} else if needed {
		firstRun(p, cfg, path, st, clock, say)
		return nil
	}
	id, err := syncer.LoadIdentity(p.ctx, st)
	if err != nil {
		return err
	}
	return startKiosk(p, cfg, st, id, clock, say)
}

// firstRun shows the provisioning screen, its ports the machine's serial
// ports and its tests on them; once the kiosk is registered and the
// configuration written, the kiosk starts in the same window.
func firstRun(p *process, cfg config.Config, path string, st *localstore.Store, clock *syncer.Clock, say func(i18n.Lang, flow.Prompt)) {
	var screen *ui.Provision
	screen = ui.NewProvision(func(f ui.ProvisionForm) {
		go func() {
			rctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
			defer cancel()
			id, saved, err := provision.Run(rctx, st, cfg, path, provision.Request{URL: f.URL, Code: f.Code,
				Fingerprint: f.Fingerprint, Centre: f.Centre, Mode: f.Mode, Reader: f.Reader, Printer: f.Printer,
				Paper: f.Paper}, serviceTimeout)
			p.loop.Do(func() {
				if err != nil {
					p.log.Warn("Provisioning failed", "err", err)
					screen.Failed(err)
					return
				}
				saved.Lang = screen.Lang // the language the first-run screen was left in
				if err := startKiosk(p, saved, st, id, clock, say); err != nil {
					screen.Failed(err)
				}
			})
		}()
	}, cfg.Lang, ui.ProvisionSetup{ServiceURL: cfg.ServiceURL, Reader: cfg.Reader.Port, Printer: cfg.Printer.Port,
		Paper: cfg.PrinterProfile, ReaderBaud: cfg.Reader.Baud, PrinterBaud: cfg.Printer.Baud, Ctx: p.ctx, Do: p.loop.Do})
	p.win.SetContent(screen.Content())
}

// serviceTimeout bounds each request to the code service; the flows set
// shorter deadlines of their own.
const serviceTimeout = 30 * time.Second

// startKiosk wires the real devices, the engine and the screens.
func startKiosk(p *process, cfg config.Config, st *localstore.Store, id syncer.Identity, clock *syncer.Clock,
	say func(i18n.Lang, flow.Prompt)) error {
	// The service's TLS key as pinned at provisioning (or, without a pin,
	// a certificate the system's roots vouch for); plain http to
	// loopback only (client.CheckURL).
	remote := syncer.NewClientRemote(cfg.ServiceURL, client.HTTPClient(id.TLSPin, nil, serviceTimeout), id, clock)
	remote.C.Purpose = wire.ModePurpose(cfg.Mode)
	eng, err := syncer.New(p.ctx, syncer.Config{Store: st, Remote: remote, Clock: clock, Logger: p.log})
	if err != nil {
		return err
	}
	p.background(func(ctx context.Context) {
		// Run returns early only for a damaged store; the screens say it
		// through the engine's Damaged, the log says it here.
		if err := eng.Run(ctx); err != nil {
			p.log.Error("Sync engine stopped", "err", err)
		}
	})
	back := &wire.Backend{Engine: eng, Client: remote.C}
	watcher := idcard.NewWatcher(opener(cfg.Reader), nil)
	p.background(func(ctx context.Context) { watcher.Run(ctx) })
	cards := wire.Cards(p.ctx, watcher.Events(), contactEvents(p, cfg))
	// The printer's port is opened when a print or the status bar's poll
	// needs it, and reopened with backoff after it goes away: a kiosk
	// started without its printer, or whose printer was unplugged, finds
	// it again by itself.
	port := &wire.PrinterPort{Open: opener(cfg.Printer), Log: p.log}
	if err := port.Connect(p.ctx); err != nil {
		p.log.Warn("Printer not opened; trying again when needed", "err", err)
	}
	p.onClose("printer port", port.Close)
	driver := escpos.NewPrinter(port, cfg.Profile())
	driver.Fresh = wire.PrinterFresh
	printer := &wire.Printer{Driver: driver, Port: port, Centre: cfg.Centre, Withdraw: cfg.WithdrawText()}
	p.shell.Store(ui.Start(p.ctx, p.win, ui.Parts{Events: cards, Backend: back, Printer: printer, Venue: back,
		Counter: &wire.Counter{Backend: back}, Where: cfg.Centre, Mode: cfg.Mode, Lang: cfg.Lang, Say: say, Log: p.log,
		Do: p.loop.Do, CounterIdle: time.Duration(cfg.CounterIdleMinutes) * time.Minute}))
	return nil
}

// contactEvents runs the watcher of the contact reader for
// social-security cards, unless the configuration says the kiosk has
// none. The log says what a technician does when the reader or the PC/SC
// service is missing (ssc.Remedy); the status bar says that it is.
func contactEvents(p *process, cfg config.Config) <-chan ssc.Event {
	if cfg.ContactReader == config.ContactOff {
		return nil
	}
	w := ssc.NewWatcher(&ssc.WatcherOptions{Reader: cfg.ContactReader})
	p.background(func(ctx context.Context) { w.Run(ctx) })
	out := make(chan ssc.Event)
	p.background(func(ctx context.Context) {
		defer close(out)
		for e := range w.Events() {
			if e.Kind == ssc.ReaderDisconnected {
				p.log.Warn("Contact reader unavailable", "err", e.Err, "remedy", ssc.Remedy(e.Err))
			}
			select {
			case out <- e:
			case <-ctx.Done():
				if e.Card != nil {
					e.Card.Wipe()
				}
			}
		}
	})
	return out
}

// opener opens a configured serial device by its port name or USB
// VID:PID.
func opener(d config.Device) conn.Opener {
	return func(context.Context) (conn.Conn, error) {
		opts := &serialport.Options{Baud: d.Baud}
		if d.USB != "" {
			return serialport.OpenUSB(d.USB, d.Serial, opts)
		}
		return serialport.Open(d.Port, opts)
	}
}

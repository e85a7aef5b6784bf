// Command kiosk is the 随申码 kiosk: the self-service screen for a
// resident alone, the community worker's counter and the venue check, on
// an ID card reader and a thermal printer, synced with the code service.
//
//	kiosk [--config FILE] [--kiosk] [--mode self|counter|venue] [--lang zh|en] [--mute] [--log-dir DIR]
//	kiosk --demo [--pty] [--kiosk] [--mute] [--screenshots DIR]
//
// --kiosk (or "kiosk": true in the configuration) is kiosk mode, what the
// installers start at login: full screen, the self-service screen (or
// the venue check when the configuration says venue), and a window that
// only the exit PIN closes (packaging/PACKAGING.md, "Kiosk mode"). The
// log goes to stderr and to rotated files in the user's data directory
// (internal/logfile), or in --log-dir.
//
// The self-service screens speak their instructions through the sound
// device (devices/speaker) at the configuration's "volume", unless
// "muted" or --mute; a machine without sound runs silently. In kiosk mode
// the exit PIN opens a worker panel that changes both.
//
// --demo runs everything in one process: the reference code service with
// its --dev data on a loopback port, both device simulators, and the kiosk
// wired to them, with a second window to place and remove the sample
// cards, flip printer faults, cut the network and see each printed slip.
// --screenshots DIR (with --demo) walks through the main screens, saves
// each as a PNG in DIR and quits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/shcommunity/kiosk/app/config"
	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/theme"
	"github.com/shcommunity/kiosk/app/ui"
	"github.com/shcommunity/kiosk/app/wire"
	"github.com/shcommunity/kiosk/assets"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/devices/conn"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/serialport"
	"github.com/shcommunity/kiosk/devices/speaker"
	"github.com/shcommunity/kiosk/internal/kioskmode"
	"github.com/shcommunity/kiosk/internal/logfile"
	"github.com/shcommunity/kiosk/internal/version"
	"github.com/shcommunity/kiosk/sync/keystore"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

// appID is the application's ID (FyneApp.toml's Details.ID).
const appID = "cn.shcommunity.kiosk"

// options are the command line.
type options struct {
	demo        bool
	pty         bool
	screenshots string
	configPath  string
	mode        string
	lang        string
	scale       float64
	width       float64
	height      float64
	fullscreen  bool
	idle        time.Duration
	version     bool
	kiosk       bool
	logDir      string
	mute        bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("kiosk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.demo, "demo", false, "run the demo: code service, simulators and kiosk in one process")
	fs.BoolVar(&o.pty, "pty", false, "demo: run the simulators on pseudo-terminals rather than pipes")
	fs.StringVar(&o.screenshots, "screenshots", "", "demo: save the main screens as PNGs in this directory and quit")
	fs.StringVar(&o.configPath, "config", "", "configuration file (default: in the user's config directory)")
	fs.StringVar(&o.mode, "mode", "", "self, counter or venue (default: the configuration's)")
	fs.StringVar(&o.lang, "lang", "", "zh or en (default: the configuration's, else zh)")
	fs.Float64Var(&o.scale, "scale", 0, "text scale, 0.5 to 3 (default: the configuration's)")
	fs.Float64Var(&o.width, "width", 1600, "window width")
	fs.Float64Var(&o.height, "height", 900, "window height")
	fs.BoolVar(&o.fullscreen, "fullscreen", false, "full screen (a kiosk's own display)")
	fs.DurationVar(&o.idle, "idle", 0, "self-service idle timeout after the card is removed (default 20s)")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.BoolVar(&o.kiosk, "kiosk", false, "kiosk mode: full screen, self-service, left only with the exit PIN")
	fs.StringVar(&o.logDir, "log-dir", "", "directory of the rotated log files (default: the user's data directory)")
	fs.BoolVar(&o.mute, "mute", false, "no spoken prompts, as \"muted\": true in the configuration")
	err := fs.Parse(args)
	return o, err
}

func main() {
	start := time.Now()
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	if o.version {
		fmt.Println("kiosk", version.Version)
		return
	}
	log, closeLog := logger(o, os.Stderr)
	err = run(o, start, log)
	if err != nil {
		log.Error("Kiosk stopped", "err", err)
	}
	closeLog()
	if err != nil {
		os.Exit(1)
	}
}

// logger logs to stderr and, except in the demo, to rotated files
// (internal/logfile) with personal data scrubbed from both. A log
// directory that cannot be opened leaves stderr only, said on stderr: a
// kiosk without its log file still serves residents.
func logger(o options, stderr io.Writer) (*slog.Logger, func()) {
	level := slog.LevelInfo
	text := logfile.NewTextHandler(stderr, level)
	if o.demo {
		return slog.New(text), func() {}
	}
	w, err := logfile.Open(logfile.Options{Dir: o.logDir})
	if err != nil {
		log := slog.New(text)
		log.Warn("No log file: logging to stderr only", "err", err)
		return log, func() {}
	}
	return slog.New(slog.NewMultiHandler(text, logfile.NewHandler(w, level))), func() { w.Close() }
}

// screen is how the window runs, decided from the flags and the
// configuration.
type screen struct {
	// kiosk: the close request and the exit shortcut open the exit PIN
	// dialog.
	kiosk      bool
	fullScreen bool
	mode       flow.Mode
}

// decideScreen: --kiosk or the configuration's kiosk turns kiosk mode on;
// kiosk mode is full screen (except in the demo, whose simulator window
// must stay reachable) and shows self-service, or the venue check when
// that is the mode asked for; never the counter, which needs a keyboard
// and a worker.
func decideScreen(o options, cfg config.Config) screen {
	s := screen{kiosk: o.kiosk || cfg.Kiosk, fullScreen: o.fullscreen, mode: cfg.Mode}
	if o.mode != "" {
		s.mode = flow.ParseMode(o.mode)
	}
	if s.kiosk {
		s.fullScreen = s.fullScreen || !o.demo
		if s.mode != flow.ModeVenue {
			s.mode = flow.ModeSelf
		}
	}
	return s
}

func run(o options, start time.Time, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	fyneapp.SetMetadata(fyne.AppMetadata{ID: appID, Name: "随申码", Version: version.Version,
		Migrations: map[string]bool{"fyneDo": true}})
	a := fyneapp.NewWithID(appID)
	cfg := config.Default()
	path := o.configPath
	if !o.demo {
		var err error
		if path == "" {
			if path, err = config.DefaultPath(); err != nil {
				return err
			}
		}
		if cfg, err = config.Load(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if cfg.PrinterProfile == "" {
			cfg = config.Default()
		}
	}
	sc := decideScreen(o, cfg)
	cfg.Mode = sc.mode
	switch {
	case o.lang != "":
		cfg.Lang = i18n.Parse(o.lang)
	case cfg.Lang == "":
		cfg.Lang = i18n.FromEnv()
	}
	if o.scale > 0 {
		cfg.Scale = float32(o.scale)
	}
	a.Settings().SetTheme(&theme.Theme{Scale: cfg.Scale})

	win := a.NewWindow("随申码 · 社区服务")
	win.Resize(fyne.NewSize(float32(o.width), float32(o.height)))
	win.SetFullScreen(sc.fullScreen)
	a.Lifecycle().SetOnStarted(func() {
		log.Info("UI started", "startupMs", time.Since(start).Milliseconds(), "mode", string(cfg.Mode), "lang", string(cfg.Lang),
			"kiosk", sc.kiosk)
	})

	player := speaker.Open(speaker.Options{Clips: assets.Voice(), Volume: cfg.Volume, Muted: cfg.Muted || o.mute, Log: log})
	defer player.Close()
	say := func(l i18n.Lang, p flow.Prompt) { player.Play(clipName(l, p)) }
	savePath := path
	if o.demo {
		savePath = ""
	}

	var shell atomic.Pointer[ui.Shell]
	if sc.kiosk {
		if o.demo {
			h, err := kioskmode.HashPIN(demoExitPIN)
			if err != nil {
				return err
			}
			cfg.ExitPINHash = h
			fmt.Printf("kiosk mode exit: %s, PIN %s\n", kioskmode.ExitShortcut, demoExitPIN)
		}
		if cfg.ExitPINHash == "" {
			log.Warn("Kiosk mode without an exit PIN: it cannot be left from the screen; set one with kioskctl set-exit-pin")
		}
		lock := &ui.Lock{Guard: &kioskmode.Guard{Hash: cfg.ExitPINHash}, Lang: cfg.Lang, Log: log, OnExit: func() {
			// The resident's data goes first; the flows wipe the card
			// they hold when the context ends.
			if s := shell.Load(); s != nil {
				s.Drop()
			}
			stop()
			a.Quit()
		}, Sound: soundControls(player, cfg, savePath, log)}
		if err := lock.Install(win); err != nil {
			return err
		}
	}

	var err error
	if o.demo {
		err = demo(ctx, a, win, o, cfg, &shell, say, log)
	} else {
		err = kiosk(ctx, a, win, o, cfg, path, &shell, say, log)
	}
	if err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	win.ShowAndRun()
	stop()
	if s := shell.Load(); s != nil {
		// Give the flows a moment to wipe what they hold.
		done := make(chan struct{})
		go func() { s.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
		}
	}
	return nil
}

// clipName is the shipped clip of a prompt in a language
// (assets/voice/<lang>/<prompt>.wav).
func clipName(l i18n.Lang, p flow.Prompt) string { return string(l) + "/" + string(p) }

// soundControls connect the worker panel to the player and the
// configuration file at path: a change is heard at once, and saving
// writes the volume and mute into the file as it is on disk, not the
// flags this run was started with. The demo has no file to save to.
func soundControls(player *speaker.Player, cfg config.Config, path string, log *slog.Logger) *ui.SoundControls {
	c := &ui.SoundControls{
		Settings: ui.SoundSettings{Volume: player.Volume(), Muted: player.Muted()},
		Apply: func(s ui.SoundSettings) {
			player.SetVolume(s.Volume)
			player.SetMuted(s.Muted)
		},
		Try: func() { player.Play(clipName(cfg.Lang, flow.PromptPlaceCard)) },
	}
	if path == "" {
		return c
	}
	c.Save = func(s ui.SoundSettings) error {
		onDisk, err := config.Load(path)
		if errors.Is(err, os.ErrNotExist) {
			onDisk, err = cfg, nil
		}
		if err != nil {
			return err
		}
		onDisk.Volume, onDisk.Muted = s.Volume, s.Muted
		return config.Save(path, onDisk)
	}
	return c
}

// kiosk runs on real devices with the configuration at path, showing the
// first-run screen when the kiosk is not yet provisioned.
func kiosk(ctx context.Context, a fyne.App, win fyne.Window, o options, cfg config.Config, path string,
	shell *atomic.Pointer[ui.Shell], say func(i18n.Lang, flow.Prompt), log *slog.Logger) error {
	where, err := cfg.ResolveStore(path)
	if err != nil {
		return err
	}
	if where.Legacy {
		log.Info("Using the local database next to the configuration, where kiosks installed before it moved keep it", "path", where.Path)
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
	st, err := localstore.Open(ctx, where.Path, localstore.Options{Now: clock.Now, KeyFile: keyPath})
	if errors.Is(err, localstore.ErrCorrupt) || errors.Is(err, localstore.ErrKeysMissing) || errors.Is(err, localstore.ErrKeysMismatch) {
		// The kiosk stays on screen to say it is out of service and send
		// residents to the counter; kioskctl doctor tells the technician.
		log.Error("The local store is damaged or its keys are gone: out of service", "err", err)
		win.SetContent(ui.OutOfService(cfg.Lang))
		return nil
	}
	if err != nil {
		return err
	}
	id, err := syncer.LoadIdentity(ctx, st)
	if errors.Is(err, syncer.ErrNotRegistered) || cfg.ServiceURL == "" {
		var p *ui.Provision
		p = ui.NewProvision(func(f ui.ProvisionForm) {
			go func() {
				rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				defer cancel()
				id, err := syncer.Register(rctx, st, client.Provisioning{BaseURL: f.URL, Code: f.Code, Fingerprint: f.Fingerprint,
					Name: f.Centre, Timeout: serviceTimeout})
				if err == nil {
					cfg.ServiceURL, cfg.Centre, cfg.Mode = f.URL, f.Centre, f.Mode
					err = config.Save(path, cfg)
				}
				fyne.Do(func() {
					if err != nil {
						log.Warn("Provisioning failed", "err", err)
						p.Failed(err)
						return
					}
					cfg.Lang = p.Lang // the language the first-run screen was left in
					if err := startKiosk(ctx, win, cfg, st, id, clock, shell, say, log); err != nil {
						p.Failed(err)
					}
				})
			}()
		}, cfg.Lang)
		win.SetContent(p.Content())
		return nil
	}
	if err != nil {
		return err
	}
	return startKiosk(ctx, win, cfg, st, id, clock, shell, say, log)
}

// serviceTimeout bounds each request to the code service; the flows set
// shorter deadlines of their own.
const serviceTimeout = 30 * time.Second

// startKiosk wires the real devices, the engine and the screens.
func startKiosk(ctx context.Context, win fyne.Window, cfg config.Config, st *localstore.Store, id syncer.Identity,
	clock *syncer.Clock, shell *atomic.Pointer[ui.Shell], say func(i18n.Lang, flow.Prompt), log *slog.Logger) error {
	// The service's TLS key as pinned at provisioning (or, without a pin,
	// a certificate the system's roots vouch for); plain http to
	// loopback only (client.CheckURL).
	remote := syncer.NewClientRemote(cfg.ServiceURL, client.HTTPClient(id.TLSPin, nil, serviceTimeout), id, clock)
	eng, err := syncer.New(ctx, syncer.Config{Store: st, Remote: remote, Clock: clock, Logger: log})
	if err != nil {
		return err
	}
	go func() {
		// Run returns early only for a damaged store; the screens say it
		// through the engine's Damaged, the log says it here.
		if err := eng.Run(ctx); err != nil {
			log.Error("Sync engine stopped", "err", err)
		}
	}()
	back := &wire.Backend{Engine: eng, Client: remote.C}
	open := func(d config.Device) conn.Opener {
		return func(context.Context) (conn.Conn, error) {
			opts := &serialport.Options{Baud: d.Baud}
			if d.USB != "" {
				return serialport.OpenUSB(d.USB, d.Serial, opts)
			}
			return serialport.Open(d.Port, opts)
		}
	}
	watcher := idcard.NewWatcher(open(cfg.Reader), nil)
	go watcher.Run(ctx)
	// The printer's port is opened when a print or the status bar's poll
	// needs it, and reopened with backoff after it goes away: a kiosk
	// started without its printer, or whose printer was unplugged, finds
	// it again by itself.
	port := &wire.PrinterPort{Open: open(cfg.Printer), Log: log}
	if err := port.Connect(ctx); err != nil {
		log.Warn("Printer not opened; trying again when needed", "err", err)
	}
	driver := escpos.NewPrinter(port, cfg.Profile())
	driver.Fresh = wire.PrinterFresh
	printer := &wire.Printer{Driver: driver, Port: port, Centre: cfg.Centre, Withdraw: cfg.WithdrawText()}
	shell.Store(ui.Start(ctx, win, ui.Parts{Events: watcher.Events(), Backend: back, Printer: printer, Venue: back,
		Counter: &wire.Counter{Backend: back}, Where: cfg.Centre, Mode: cfg.Mode, Lang: cfg.Lang, Say: say, Log: log}))
	return nil
}

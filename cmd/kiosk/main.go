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
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/shcommunity/kiosk/app/config"
	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/theme"
	"github.com/shcommunity/kiosk/app/ui"
	"github.com/shcommunity/kiosk/assets"
	"github.com/shcommunity/kiosk/devices/speaker"
	"github.com/shcommunity/kiosk/internal/kioskmode"
	"github.com/shcommunity/kiosk/internal/logfile"
	"github.com/shcommunity/kiosk/internal/version"
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
	// SIGTERM is also what Go delivers on Windows when the console is
	// closed, the user logs off or the machine shuts down.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fyneapp.SetMetadata(fyne.AppMetadata{ID: appID, Name: "随申码", Version: version.Version,
		Migrations: map[string]bool{"fyneDo": true}})
	a := fyneapp.NewWithID(appID)
	cfg, path, err := loadConfig(o)
	if err != nil {
		return err
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

	p := newProcess(ctx, a, log)
	p.win.Resize(fyne.NewSize(float32(o.width), float32(o.height)))
	p.win.SetFullScreen(sc.fullScreen)
	player := speaker.Open(speaker.Options{Clips: assets.Voice(), Volume: cfg.Volume, Muted: cfg.Muted || o.mute, Log: log})
	p.onClose("sound", func() error { player.Close(); return nil })
	say := func(l i18n.Lang, pr flow.Prompt) { player.Play(clipName(l, pr)) }
	if sc.kiosk {
		savePath := path
		if o.demo {
			savePath = ""
		}
		if err := lockWindow(p, o, cfg, soundControls(player, cfg, savePath, log)); err != nil {
			p.shutdown()
			return err
		}
	}
	if o.demo {
		err = demo(p, o, cfg, say)
	} else {
		err = kiosk(p, cfg, path, say)
	}
	if err != nil {
		p.cancel()
		p.shutdown()
		return err
	}
	p.run(func() {
		log.Info("UI started", "startupMs", time.Since(start).Milliseconds(), "mode", string(cfg.Mode), "lang", string(cfg.Lang),
			"kiosk", sc.kiosk)
	})
	return nil
}

// loadConfig reads the configuration (the demo has none): a missing file
// is the defaults, and the first-run screen then asks for the rest.
func loadConfig(o options) (config.Config, string, error) {
	cfg := config.Default()
	if o.demo {
		return cfg, o.configPath, nil
	}
	path := o.configPath
	if path == "" {
		var err error
		if path, err = config.DefaultPath(); err != nil {
			return cfg, "", err
		}
	}
	cfg, err := config.Load(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return cfg, path, err
	}
	if cfg.PrinterProfile == "" {
		cfg = config.Default()
	}
	return cfg, path, nil
}

// lockWindow puts kiosk mode's Lock on the window: the close request and
// the exit shortcut ask for the exit PIN, and the PIN's exit is the
// process's one way out. The demo's PIN is demoExitPIN.
func lockWindow(p *process, o options, cfg config.Config, sound *ui.SoundControls) error {
	if o.demo {
		h, err := kioskmode.HashPIN(demoExitPIN)
		if err != nil {
			return err
		}
		cfg.ExitPINHash = h
		fmt.Printf("kiosk mode exit: %s, PIN %s\n", kioskmode.ExitShortcut, demoExitPIN)
	}
	if cfg.ExitPINHash == "" {
		p.log.Warn("Kiosk mode without an exit PIN: it cannot be left from the screen; set one with kioskctl set-exit-pin")
	}
	lock := &ui.Lock{Guard: &kioskmode.Guard{Hash: cfg.ExitPINHash}, Lang: cfg.Lang, Log: p.log, Do: p.loop.Do,
		OnExit: func() { p.quit("exit PIN") }, Sound: sound}
	return lock.Install(p.win)
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

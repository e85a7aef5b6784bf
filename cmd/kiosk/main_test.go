package main

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/app/config"
	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/ui"
	"github.com/shcommunity/kiosk/devices/speaker"
)

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"--demo", "--pty", "--mode", "venue", "--lang", "en", "--idle", "3s", "--screenshots", "out"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !o.demo || !o.pty || o.mode != "venue" || o.lang != "en" || o.idle != 3*time.Second || o.screenshots != "out" {
		t.Errorf("parsed %+v", o)
	}
	if _, err := parseFlags([]string{"--no-such-flag"}, io.Discard); err == nil {
		t.Error("an unknown flag was accepted")
	}
}

func TestParseKioskFlags(t *testing.T) {
	o, err := parseFlags([]string{"--kiosk", "--log-dir", "/var/tmp/k"}, io.Discard)
	if err != nil {
		t.Fatalf("--kiosk refused: %v", err)
	}
	if !o.kiosk || o.logDir != "/var/tmp/k" {
		t.Errorf("parsed %+v, want kiosk and the log directory", o)
	}
}

func TestDecideScreen(t *testing.T) {
	cfg := func(m flow.Mode, kiosk bool) config.Config {
		c := config.Default()
		c.Mode, c.Kiosk = m, kiosk
		return c
	}
	tests := []struct {
		name string
		o    options
		cfg  config.Config
		want screen
	}{
		{"plain window", options{}, cfg(flow.ModeSelf, false), screen{mode: flow.ModeSelf}},
		{"--fullscreen alone", options{fullscreen: true}, cfg(flow.ModeCounter, false), screen{fullScreen: true, mode: flow.ModeCounter}},
		{"--kiosk", options{kiosk: true}, cfg(flow.ModeSelf, false), screen{kiosk: true, fullScreen: true, mode: flow.ModeSelf}},
		{"config kiosk", options{}, cfg(flow.ModeSelf, true), screen{kiosk: true, fullScreen: true, mode: flow.ModeSelf}},
		{"--kiosk keeps venue", options{kiosk: true}, cfg(flow.ModeVenue, false), screen{kiosk: true, fullScreen: true, mode: flow.ModeVenue}},
		{"--kiosk never the counter", options{kiosk: true}, cfg(flow.ModeCounter, false), screen{kiosk: true, fullScreen: true, mode: flow.ModeSelf}},
		{"--kiosk --mode counter", options{kiosk: true, mode: "counter"}, cfg(flow.ModeSelf, false), screen{kiosk: true, fullScreen: true, mode: flow.ModeSelf}},
		{"--kiosk --mode venue", options{kiosk: true, mode: "venue"}, cfg(flow.ModeSelf, false), screen{kiosk: true, fullScreen: true, mode: flow.ModeVenue}},
		{"--mode without kiosk", options{mode: "counter"}, cfg(flow.ModeSelf, false), screen{mode: flow.ModeCounter}},
		{"demo kiosk stays windowed", options{kiosk: true, demo: true}, cfg(flow.ModeSelf, false), screen{kiosk: true, mode: flow.ModeSelf}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decideScreen(tt.o, tt.cfg); got != tt.want {
				t.Errorf("decideScreen = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLoggerWritesScrubbedFile(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	log, closeLog := logger(options{logDir: dir}, &stderr)
	const id = "110101199003074258" // invented, valid check digit
	log.Info("card read "+id, "name", "张三", "err", errors.New("bad card "+id))
	closeLog()
	data, err := os.ReadFile(filepath.Join(dir, "kiosk.log"))
	if err != nil {
		t.Fatalf("no log file: %v", err)
	}
	for what, out := range map[string]string{"file": string(data), "stderr": stderr.String()} {
		if !strings.Contains(out, "card read") {
			t.Errorf("%s lacks the record: %q", what, out)
		}
		if strings.Contains(out, id) || strings.Contains(out, "张三") {
			t.Errorf("%s holds personal data: %q", what, out)
		}
	}

	stderr.Reset()
	demoLog, closeDemo := logger(options{demo: true, logDir: filepath.Join(dir, "demo")}, &stderr)
	demoLog.Info("demo record")
	closeDemo()
	if _, err := os.Stat(filepath.Join(dir, "demo")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the demo made a log directory: %v", err)
	}
	if !strings.Contains(stderr.String(), "demo record") {
		t.Errorf("the demo does not log to stderr: %q", stderr.String())
	}
}

func TestParseMute(t *testing.T) {
	o, err := parseFlags([]string{"--demo", "--mute"}, io.Discard)
	if err != nil || !o.mute {
		t.Errorf("--mute: %+v, %v", o, err)
	}
}

// TestSoundControls: the worker panel's changes reach the player, and
// saving writes only the volume and mute into the file as it is on disk,
// not the flags this run was started with.
func TestSoundControls(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	onDisk := config.Default()
	onDisk.Mode, onDisk.Lang = flow.ModeVenue, i18n.ZH
	if err := config.Save(path, onDisk); err != nil {
		t.Fatal(err)
	}
	player := speaker.Open(speaker.Options{Open: func(int) (speaker.Output, error) { return speaker.Null{}, nil }, Volume: 0.8})
	defer player.Close()
	running := onDisk
	running.Lang, running.Scale = i18n.EN, 2 // --lang en --scale 2
	c := soundControls(player, running, path, slog.New(slog.DiscardHandler))
	if c.Settings != (ui.SoundSettings{Volume: 0.8}) {
		t.Errorf("panel starts at %+v, want the player's 0.8", c.Settings)
	}
	c.Apply(ui.SoundSettings{Volume: 0.3, Muted: true})
	if player.Volume() != 0.3 || !player.Muted() {
		t.Errorf("player at %v, muted %v after Apply", player.Volume(), player.Muted())
	}
	if err := c.Save(ui.SoundSettings{Volume: 0.3, Muted: true}); err != nil {
		t.Fatal(err)
	}
	got, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := onDisk
	want.Volume, want.Muted = 0.3, true
	if got != want {
		t.Errorf("saved %+v, want %+v", got, want)
	}
	if demo := soundControls(player, running, "", slog.New(slog.DiscardHandler)); demo.Save != nil {
		t.Error("the demo's panel can save")
	}
}

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shcommunity/kiosk/app/config"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/internal/kioskmode"
	"github.com/shcommunity/kiosk/internal/ptypair"
)

// cheapPINs makes set-exit-pin hash at the lowest cost for the test.
func cheapPINs(t *testing.T) {
	t.Helper()
	was := hashPIN
	hashPIN = func(pin string) (string, error) {
		return kioskmode.HashPINWith(pin, api.Argon2Params{Time: 1, Memory: 8, Threads: 1})
	}
	t.Cleanup(func() { hashPIN = was })
}

// pipeStdin is a real pipe holding input, as a shell gives it.
func pipeStdin(t *testing.T, input string) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteString(input); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { r.Close() })
	return r
}

func TestSetExitPIN(t *testing.T) {
	cheapPINs(t)
	tests := []struct {
		name     string
		existing string // config file before; "" none
		input    string
		wantCode int
		wantPIN  string
	}{
		{"new config", "", "246810\n246810\n", exitOK, "246810"},
		{"keeps the other settings", `{"mode":"venue","centre":"田林","kiosk":true}`, "13579246\n13579246\n", exitOK, "13579246"},
		{"CRLF and no final newline", "", "246810\r\n246810", exitOK, "246810"},
		{"PINs differ", "", "246810\n246811\n", exitUsage, ""},
		{"too short", "", "1234\n1234\n", exitUsage, ""},
		{"not digits", "", "24681a\n24681a\n", exitUsage, ""},
		{"nothing on stdin", "", "", exitUsage, ""},
		{"only once", "", "246810\n", exitUsage, ""},
		{"broken config", `{"modes":1}`, "246810\n246810\n", exitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.json")
			if tt.existing != "" {
				if err := os.WriteFile(path, []byte(tt.existing), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			var stdout, stderr bytes.Buffer
			err := cmdSetExitPIN(context.Background(), []string{"--config", path}, pipeStdin(t, tt.input), &stdout, &stderr)
			code := exitOK
			var ee *exitError
			switch {
			case errors.As(err, &ee):
				code = ee.code
			case err != nil:
				code = exitInternal
			}
			if code != tt.wantCode {
				t.Fatalf("exit %d (%v), want %d", code, err, tt.wantCode)
			}
			data, rerr := os.ReadFile(path)
			if tt.wantPIN == "" {
				if tt.existing == "" && rerr == nil {
					t.Errorf("a configuration was written after a failure:\n%s", data)
				}
				if tt.existing != "" && string(data) != tt.existing {
					t.Errorf("the configuration changed after a failure:\n%s", data)
				}
				return
			}
			if rerr != nil {
				t.Fatal(rerr)
			}
			for what, s := range map[string]string{"config": string(data), "stdout": stdout.String(), "stderr": stderr.String()} {
				if strings.Contains(s, tt.wantPIN) {
					t.Errorf("the PIN is in the %s:\n%s", what, s)
				}
			}
			cfg, err := config.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			g := &kioskmode.Guard{Hash: cfg.ExitPINHash}
			if err := g.Check(tt.wantPIN); err != nil {
				t.Errorf("the stored hash does not accept the PIN: %v", err)
			}
			if err := g.Check("000000"); !errors.Is(err, kioskmode.ErrWrongPIN) {
				t.Errorf("the stored hash accepts another PIN: %v", err)
			}
			if tt.existing != "" && (cfg.Mode != "venue" || cfg.Centre != "田林" || !cfg.Kiosk) {
				t.Errorf("the other settings were lost: %+v", cfg)
			}
		})
	}
}

func TestSetExitPINThroughRun(t *testing.T) {
	// The command is reachable through run, and refuses a PIN given as
	// an argument (it would stay in the shell's history).
	if code, _, errOut := runCtl("set-exit-pin", "--config", filepath.Join(t.TempDir(), "c.json"), "246810"); code != exitUsage ||
		!strings.Contains(errOut, "never on the command line") {
		t.Errorf("a PIN on the command line: exit %d, stderr %q; want %d and advice", code, errOut, exitUsage)
	}
}

// TestSetExitPINTerminal types the PIN into a pseudo-terminal: the
// command prompts on stderr, turns echo off while reading and puts the
// terminal's settings back afterwards.
func TestSetExitPINTerminal(t *testing.T) {
	if _, err := exec.LookPath("stty"); err != nil {
		t.Skip("no stty on this system")
	}
	cheapPINs(t)
	pair := ptypair.ForTest(t, "no pseudo-terminals here")
	defer pair.Close()
	tty, err := os.OpenFile(pair.Path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	settings := func() string {
		cmd := exec.Command("stty", "-g")
		cmd.Stdin = tty
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("stty -g: %v", err)
		}
		return strings.TrimSpace(string(out))
	}
	before := settings()
	if _, err := pair.Master.WriteString("246810\n246810\n"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "config.json")
	var stdout, stderr bytes.Buffer
	if err := cmdSetExitPIN(context.Background(), []string{"--config", path}, tty, &stdout, &stderr); err != nil {
		t.Fatalf("set-exit-pin on a terminal: %v (stderr %q)", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "New exit PIN") || !strings.Contains(stderr.String(), "same PIN again") {
		t.Errorf("no prompts on stderr: %q", stderr.String())
	}
	if after := settings(); after != before {
		t.Errorf("terminal settings not restored:\nbefore %s\nafter  %s", before, after)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := (&kioskmode.Guard{Hash: cfg.ExitPINHash}).Check("246810"); err != nil {
		t.Errorf("stored hash: %v", err)
	}
}

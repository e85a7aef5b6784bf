package config_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/shcommunity/kiosk/app/config"
	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/internal/kioskmode"
)

// pinHash is the hash of the PIN 246810 at the minimum cost, fixed so
// that the table below is a constant.
const pinHash = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$AmAJLf1rKTJMzdXTTI4TKL5qt5QVc0W8XVLlp9vDcpc"

func TestPinHashAccepted(t *testing.T) {
	g := &kioskmode.Guard{Hash: pinHash}
	if err := g.Check("246810"); err != nil {
		t.Fatalf("the fixed test hash does not accept its PIN: %v", err)
	}
}

func TestResolveStore(t *testing.T) {
	data := t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	t.Setenv("LocalAppData", data)
	if runtime.GOOS == "darwin" {
		t.Skip("macOS keeps data in the config directory; the kiosk does not ship there")
	}
	newPath := filepath.Join(data, "shcommunity-kiosk", "kiosk.db")
	cfgDir := t.TempDir()
	cfgPath := filepath.Join(cfgDir, "config.json")
	tests := []struct {
		name      string
		store     string
		oldExists bool
		want      config.Store
	}{
		{"new install: data directory", "", false, config.Store{Path: newPath}},
		{"explicit store kept", "/srv/kiosk.db", true, config.Store{Path: "/srv/kiosk.db"}},
		{"old database next to the config still used", "", true, config.Store{Path: filepath.Join(cfgDir, "kiosk.db"), Legacy: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := filepath.Join(cfgDir, "kiosk.db")
			os.Remove(old)
			if tt.oldExists {
				if err := os.WriteFile(old, nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			c := config.Default()
			c.Store = tt.store
			got, err := c.ResolveStore(cfgPath)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ResolveStore = %+v, want %+v", got, tt.want)
			}
			if p := c.StorePath(cfgPath); p != tt.want.Path {
				t.Errorf("StorePath = %q, want %q", p, tt.want.Path)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "config.json")
	if _, err := config.Load(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v, want os.ErrNotExist", err)
	}
	c := config.Default()
	c.Mode, c.Lang, c.Centre, c.ServiceURL = flow.ModeVenue, i18n.EN, "田林街道", "https://codes.example:8443"
	c.Reader.USB = "1A86:7523"
	c.Kiosk, c.ExitPINHash = true, pinHash
	c.Volume, c.Muted = 0.35, true
	if err := config.Save(path, c); err != nil {
		t.Fatal(err)
	}
	got, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != c {
		t.Errorf("loaded %+v, want %+v", got, c)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{`{}`, true},
		{`{"mode":"counter","printer_profile":"80mm"}`, true},
		{`{"lang":"C"}`, true},
		{`{"mode":"kitchen"}`, false},
		{`{"scale":9}`, false},
		{`{"printer_profile":"76mm"}`, false},
		{`{"service_url":"ftp://x"}`, false},
		{`{"reader":{"usb":"zz"}}`, false},
		{`{"modes":"self"}`, false},
		{`{"kiosk":true}`, true},
		{`{"kiosk":true,"mode":"venue"}`, true},
		{`{"kiosk":true,"mode":"counter"}`, false},
		{`{"kiosk":"yes"}`, false},
		{`{"exit_pin_hash":"` + pinHash + `"}`, true},
		{`{"exit_pin_hash":"246810"}`, false},
		{`{"exit_pin_hash":"$argon2id$v=19$m=99999999,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA"}`, false},
		{`{"exit_pin":"246810"}`, false},
		{`{"volume":0}`, true},
		{`{"volume":1,"muted":true}`, true},
		{`{"volume":1.5}`, false},
		{`{"volume":-0.1}`, false},
		{`{"volume":"loud"}`, false},
		{`{"muted":"yes"}`, false},
		{`{} {}`, false},
		{`[`, false},
	} {
		_, err := config.Parse([]byte(tc.in))
		if (err == nil) != tc.ok {
			t.Errorf("Parse(%s) = %v, want ok %v", tc.in, err, tc.ok)
		}
		if err != nil && !errors.Is(err, config.ErrInvalid) {
			t.Errorf("Parse(%s) = %v, want ErrInvalid", tc.in, err)
		}
	}
}

// TestSoundDefaults: a configuration written before the spoken prompts
// (no "volume") speaks at the default volume, unmuted.
func TestSoundDefaults(t *testing.T) {
	c, err := config.Parse([]byte(`{"mode":"self","kiosk":true}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Volume != 0.8 || c.Muted {
		t.Errorf("volume %v, muted %v; want 0.8 and not muted", c.Volume, c.Muted)
	}
	c.Volume = math.NaN()
	if err := c.Validate(); !errors.Is(err, config.ErrInvalid) {
		t.Errorf("Validate with volume NaN = %v, want ErrInvalid", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"kiosk":true,"exit_pin_hash":"` + pinHash + `"}`, `{}`, `{"mode":"venue","scale":1.5}`, `{"reader":{"usb":"1A86:7523","baud":9600}}`, `{"service_url":"http://[::1]:80"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := config.Parse(data)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted a config Validate refuses: %v", err)
		}
		if c.Profile().Dots == 0 {
			t.Fatal("accepted config has no printer profile")
		}
	})
}

package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/serialport"
	"github.com/shcommunity/kiosk/internal/kioskmode"
	"github.com/shcommunity/kiosk/internal/logfile"
)

// Device is where a serial device is: a port name, or a USB VID:PID
// (with a serial number when two identical adapters are plugged in).
type Device struct {
	Port   string `json:"port,omitempty"`   // /dev/ttyUSB0, COM3
	USB    string `json:"usb,omitempty"`    // 1A86:7523
	Serial string `json:"serial,omitempty"` // the adapter's serial number
	Baud   int    `json:"baud,omitempty"`   // 0: 115200
}

// Config is the kiosk's configuration.
type Config struct {
	Mode   flow.Mode `json:"mode"`
	Lang   i18n.Lang `json:"lang"`
	Scale  float32   `json:"scale"`
	Centre string    `json:"centre"`
	// Withdraw says where a resident withdraws her consent or has her
	// data corrected, printed on every slip: "" means DefaultWithdraw
	// (the counter of the service point); a phone number or an office.
	Withdraw   string `json:"withdraw,omitempty"`
	ServiceURL string `json:"service_url"`
	Reader     Device `json:"reader"`
	Printer    Device `json:"printer"`
	// ContactReader is part of the PC/SC name of the contact reader for
	// social-security cards ("ACS ACR39U"), which `kioskctl doctor`
	// checks too; "" takes the first reader the PC/SC service lists, and
	// ContactOff means the kiosk has none (its status bar leaves it out).
	ContactReader string `json:"contact_reader,omitempty"`
	// PrinterProfile is "58mm" or "80mm".
	PrinterProfile string `json:"printer_profile"`
	// Store is the local database file; "" means kiosk.db in the user's
	// data directory (see StorePath).
	Store string `json:"store,omitempty"`
	// KeyFile holds the kiosk's secrets outside the database (the
	// device's signing key, the keyed-hash secret, the audit key); ""
	// means the default of sync/keystore, a directory of its own beside
	// the configuration's. Never put it in the database's folder.
	KeyFile string `json:"key_file,omitempty"`
	// Kiosk makes kiosk mode (full screen, the exit PIN) the default, as
	// the --kiosk flag does.
	Kiosk bool `json:"kiosk,omitempty"`
	// ExitPINHash is the argon2id hash of the exit PIN
	// (kioskmode.HashPIN, set by kioskctl set-exit-pin); never the PIN.
	// Empty: kiosk mode cannot be left from the screen.
	ExitPINHash string `json:"exit_pin_hash,omitempty"`
	// Volume of the spoken prompts, from 0 to 1 (DefaultVolume); the
	// worker panel behind the exit PIN changes it.
	Volume float64 `json:"volume"`
	// Muted silences the spoken prompts.
	Muted bool `json:"muted"`
	// CounterIdleMinutes logs a worker out of the counter after this many
	// minutes untouched; 0 means flow.DefaultCounterIdle (5 minutes).
	CounterIdleMinutes int `json:"counter_idle_minutes,omitempty"`
}

// ContactOff is the ContactReader of a kiosk without a contact reader.
const ContactOff = "off"

// DefaultVolume is the spoken prompts' volume on a new kiosk: loud enough
// for a hall, with room to turn it up.
const DefaultVolume = 0.8

// DefaultWithdraw is where a slip sends a resident to withdraw her consent
// or correct her data when the configuration does not say.
const DefaultWithdraw = "请到服务点柜台办理"

// WithdrawText is the slip's line about withdrawing consent.
func (c Config) WithdrawText() string {
	if c.Withdraw != "" {
		return c.Withdraw
	}
	return DefaultWithdraw
}

// Default is a self-service kiosk in Chinese with a 58 mm printer.
func Default() Config {
	return Config{Mode: flow.ModeSelf, Lang: i18n.ZH, Scale: 1, PrinterProfile: escpos.Profile58.Name,
		Reader: Device{Baud: serialport.DefaultBaud}, Printer: Device{Baud: serialport.DefaultBaud},
		Volume: DefaultVolume}
}

// ErrInvalid matches every validation error.
var ErrInvalid = errors.New("invalid configuration")

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}

// Validate checks the values a kiosk cannot start with.
func (c Config) Validate() error {
	if flow.ParseMode(string(c.Mode)) != c.Mode {
		return invalid("mode %q is not self, counter or venue", c.Mode)
	}
	if c.Scale < 0.5 || c.Scale > 3 {
		return invalid("scale %v is outside 0.5 to 3", c.Scale)
	}
	if !(c.Volume >= 0 && c.Volume <= 1) {
		return invalid("volume %v is outside 0 to 1", c.Volume)
	}
	if _, ok := escpos.ProfileByName(c.PrinterProfile); !ok {
		return invalid("printer profile %q is not 58mm or 80mm", c.PrinterProfile)
	}
	if c.ServiceURL != "" {
		u, err := url.Parse(c.ServiceURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalid("service url %q is not an http(s) url", c.ServiceURL)
		}
	}
	if c.ExitPINHash != "" {
		if err := kioskmode.ValidHash(c.ExitPINHash); err != nil {
			return invalid("exit_pin_hash is not a PIN hash: set it with kioskctl set-exit-pin")
		}
	}
	if c.Kiosk && c.Mode == flow.ModeCounter {
		return invalid("kiosk mode is for self or venue, not the counter")
	}
	for name, d := range map[string]Device{"reader": c.Reader, "printer": c.Printer} {
		if d.USB != "" {
			if _, _, err := serialport.ParseVIDPID(d.USB); err != nil {
				return invalid("%s usb %q: %v", name, d.USB, err)
			}
		}
		if d.Baud < 0 {
			return invalid("%s baud %d", name, d.Baud)
		}
	}
	return nil
}

// Profile returns the printer profile at the configured baud.
func (c Config) Profile() escpos.Profile {
	p, _ := escpos.ProfileByName(c.PrinterProfile)
	if c.Printer.Baud > 0 {
		p.Baud = c.Printer.Baud
	}
	return p
}

// DefaultPath is the configuration file in the user's configuration
// directory.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("config: %w", err)
	}
	return filepath.Join(dir, logfile.AppDir, "config.json"), nil
}

// Parse reads a configuration: the defaults overlaid with the file's
// fields. Unknown fields are refused, so a misspelt key is not silently
// ignored.
func Parse(data []byte) (Config, error) {
	c := Default()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if dec.More() {
		return Config{}, invalid("trailing data")
	}
	c.Lang = i18n.Parse(string(c.Lang))
	return c, c.Validate()
}

// Load reads the file at path. A missing file gives an error matching
// os.ErrNotExist: the first-run screen follows.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Save writes c to path atomically (a temporary file renamed over it).
func Save(path string, c Config) error {
	if err := c.Validate(); err != nil {
		return err
	}
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// StoreName is the local database's file name in its directory.
const StoreName = "kiosk.db"

// Store says where the local database is and why.
type Store struct {
	Path string
	// Legacy: the file is next to the configuration, where kiosks
	// installed before the database moved to the data directory keep
	// it. It is used where it is rather than starting an empty database
	// in the new place.
	Legacy bool
}

// ResolveStore finds the local database: the configuration's Store if
// set; else kiosk.db next to the configuration at configPath if that file
// exists (Legacy); else kiosk.db in the user's data directory
// (logfile.DataDir: %LocalAppData% on Windows, not the roaming %AppData%
// a live SQLite file must not be synced through).
func (c Config) ResolveStore(configPath string) (Store, error) {
	if c.Store != "" {
		return Store{Path: c.Store}, nil
	}
	if configPath != "" {
		old := filepath.Join(filepath.Dir(configPath), StoreName)
		if _, err := os.Stat(old); err == nil {
			return Store{Path: old, Legacy: true}, nil
		}
	}
	dir, err := logfile.DataDir()
	if err != nil {
		return Store{}, fmt.Errorf("config: local database: %w", err)
	}
	return Store{Path: filepath.Join(dir, StoreName)}, nil
}

// StorePath is ResolveStore's path. Where the data directory cannot be
// found it falls back to kiosk.db next to the configuration.
func (c Config) StorePath(configPath string) string {
	s, err := c.ResolveStore(configPath)
	if err != nil {
		return filepath.Join(filepath.Dir(configPath), StoreName)
	}
	return s.Path
}

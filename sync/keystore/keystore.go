package keystore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Keys are the kiosk's secrets. A field is nil until it exists.
type Keys struct {
	// DeviceSeed is the Ed25519 seed of the device's signing key, set at
	// registration.
	DeviceSeed []byte `json:"device_seed,omitempty"`
	// ResidentSecret keys the hash of ID numbers (localstore.KeyOf).
	ResidentSecret []byte `json:"resident_secret,omitempty"`
	// AuditKey keys the audit chain's HMACs.
	AuditKey []byte `json:"audit_key,omitempty"`
}

// Errors of Load.
var (
	// ErrFileMode: the key file may be read by the group or others.
	ErrFileMode = errors.New("key file is readable by group or others (want mode 0600)")
	// ErrDamaged: the file does not open (another account's or machine's
	// DPAPI blob on Windows) or does not parse.
	ErrDamaged = errors.New("key file does not open")
)

// DirName is the key directory's name under the user's configuration
// directory.
const DirName = "shcommunity-kiosk-keys"

// DefaultPath is the key file of the kiosk's user: kiosk.key in DirName
// under os.UserConfigDir (Linux $XDG_CONFIG_HOME or ~/.config, Windows
// %AppData%).
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("key file: %w", err)
	}
	return filepath.Join(dir, DirName, "kiosk.key"), nil
}

// File is a key file.
type File struct{ Path string }

// Load reads the keys; ok is false when the file does not exist.
func (f File) Load() (k Keys, ok bool, err error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return Keys{}, false, nil
	}
	if err != nil {
		return Keys{}, false, fmt.Errorf("key file: %w", err)
	}
	if runtime.GOOS != "windows" {
		st, err := os.Stat(f.Path)
		if err != nil {
			return Keys{}, false, fmt.Errorf("key file: %w", err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			return Keys{}, false, fmt.Errorf("%s: mode %04o: %w", f.Path, st.Mode().Perm(), ErrFileMode)
		}
	}
	plain, err := unprotect(b)
	if err != nil {
		return Keys{}, false, fmt.Errorf("%s: %w: %v", f.Path, ErrDamaged, err)
	}
	defer clear(plain)
	if err := json.Unmarshal(plain, &k); err != nil {
		return Keys{}, false, fmt.Errorf("%s: %w", f.Path, ErrDamaged)
	}
	return k, true, nil
}

// Save writes the keys, replacing the file whole: a new file (mode 0600)
// beside it, synced, then renamed over it, so that a power cut leaves the
// old keys or the new ones, never half of either. The directory is made
// with mode 0700 if missing.
func (f File) Save(k Keys) error {
	dir := filepath.Dir(f.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("key directory: %w", err)
	}
	plain, err := json.Marshal(k)
	if err != nil {
		return fmt.Errorf("key file: %w", err)
	}
	defer clear(plain)
	blob, err := protect(plain)
	if err != nil {
		return fmt.Errorf("key file: protect: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".kiosk.key.*")
	if err != nil {
		return fmt.Errorf("key file: %w", err)
	}
	defer os.Remove(tmp.Name()) // gone after the rename; removes a failed one
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return fmt.Errorf("key file: %w", err)
	}
	if _, err := tmp.Write(blob); err != nil {
		tmp.Close()
		return fmt.Errorf("key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("key file: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.Path); err != nil {
		return fmt.Errorf("key file: %w", err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable where the system allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

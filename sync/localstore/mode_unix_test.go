//go:build unix

package localstore_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/shcommunity/kiosk/sync/localstore"
)

// TestFinding10KioskDatabaseMode: the kiosk's database is created 0600
// whatever the umask, and one an earlier release left readable by others
// is set to 0600 when the kiosk opens it (its directory is private, and a
// deployed kiosk must keep serving, so it is tightened, not refused).
func TestFinding10KioskDatabaseMode(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		before os.FileMode // 0: no file yet
	}{{"new", 0}, {"left readable", 0o644}} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".db")
			if tc.before != 0 {
				if err := os.WriteFile(path, nil, tc.before); err != nil {
					t.Fatal(err)
				}
			}
			open(t, path, localstore.Options{})
			for _, p := range []string{path, path + "-wal"} {
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != 0o600 {
					t.Errorf("%s: mode %04o, want 0600", filepath.Base(p), got)
				}
			}
		})
	}
}

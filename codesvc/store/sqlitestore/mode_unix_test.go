//go:build unix

package sqlitestore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/sqlitestore"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

// TestFinding10DatabaseFileModes: under the usual umask 022 codes.db and
// its -wal were created 0644, so any local account could copy every
// resident's keyed hash, masked name and events (the key file was 0600,
// the database beside it was not). Now the database and the files SQLite
// makes beside it are 0600 whatever the umask, and a database that the
// group or others may read is refused at start.
func TestFinding10DatabaseFileModes(t *testing.T) {
	ctx := context.Background()
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	file := filepath.Join(t.TempDir(), "codes.db")
	s, err := sqlitestore.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if err := s.CreateProvisioningCode(ctx, store.ProvisioningCode{Hash: []byte("h"), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{file, file + "-wal", file + "-shm"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(p), err)
		}
		if got := st.Mode().Perm(); got != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", filepath.Base(p), got)
		}
	}
	s.Close()

	for _, p := range []string{file, file + "-wal"} {
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			continue
		}
		os.Chmod(p, 0o644)
		if s, err := sqlitestore.Open(ctx, file); !errors.Is(err, sqldb.ErrFileMode) {
			if err == nil {
				s.Close()
			}
			t.Errorf("%s at 0644: open err = %v, want ErrFileMode", filepath.Base(p), err)
		}
		os.Chmod(p, 0o600)
	}
	s, err = sqlitestore.Open(ctx, file)
	if err != nil {
		t.Fatalf("back at 0600: %v", err)
	}
	s.Close()
}

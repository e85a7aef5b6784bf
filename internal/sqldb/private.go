package sqldb

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// ErrFileMode: a database file, or its -wal or -shm beside it, may be
// read by the group or by others. Match it with errors.Is.
var ErrFileMode = errors.New("database file is readable by group or others (want mode 0600)")

// FilePolicy says what Private does with an existing database file that
// others may read.
type FilePolicy int

const (
	// Refuse fails with ErrFileMode: the code service's database holds
	// every resident's keys and events, and an operator must see why it
	// was readable before it runs again.
	Refuse FilePolicy = iota
	// Tighten sets the file to 0600 and goes on: the kiosk's database
	// sits in a directory only its user may enter, and a kiosk installed
	// before this check must keep serving.
	Tighten
)

// Private makes sure the database at file is readable by its owner only
// before SQLite opens it. A missing file is created empty with mode 0600
// (a umask can only take bits away); SQLite gives the -wal and -shm files
// it creates the database file's mode, so they are 0600 too. An existing file (and an
// existing -wal or -shm) that the group or others may read is refused or
// tightened by policy. Windows has no such mode bits (the kiosk's data
// directory is in the user's profile, whose ACL admits the user alone),
// so there Private only creates the file.
func Private(file string, policy FilePolicy) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		if err := f.Close(); err != nil {
			return fmt.Errorf("create %s: %w", filepath.Base(file), err)
		}
	case !errors.Is(err, fs.ErrExist):
		return fmt.Errorf("create %s: %w", filepath.Base(file), err)
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	for _, p := range []string{file, file + "-wal", file + "-shm"} {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check %s: %w", filepath.Base(p), err)
		}
		if st.Mode().Perm()&0o077 == 0 {
			continue
		}
		if policy == Tighten {
			if err := os.Chmod(p, 0o600); err != nil {
				return fmt.Errorf("tighten %s: %w", filepath.Base(p), err)
			}
			continue
		}
		return fmt.Errorf("%s: mode %04o: %w; chmod 600 it (and its -wal and -shm) after checking who could read it",
			filepath.Base(p), st.Mode().Perm(), ErrFileMode)
	}
	return nil
}

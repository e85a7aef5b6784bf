package sqldb

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"

	// The only import of the SQLite driver in the module.
	"github.com/mattn/go-sqlite3"
)

// Synchronous is SQLite's PRAGMA synchronous level: how often a commit
// waits for the disk. Each store picks its own and says why.
type Synchronous string

// The levels the stores use.
const (
	// SyncFull fsyncs the WAL at every commit: a commit survives a power
	// cut.
	SyncFull Synchronous = "FULL"
	// SyncNormal fsyncs only at checkpoints: in WAL mode a commit survives
	// a process crash, and a power cut may lose the last commits but never
	// corrupts the file.
	SyncNormal Synchronous = "NORMAL"
)

// Options configure Open. The zero value is a read-write connection with
// SyncFull.
type Options struct {
	// Synchronous is the PRAGMA synchronous level; SyncFull when empty.
	Synchronous Synchronous
	// ReadOnly opens the file with mode=ro: the pool cannot write, by
	// construction. Its transactions are deferred (they take no write
	// lock).
	ReadOnly bool
	// SecureDelete overwrites deleted content with zeros (PRAGMA
	// secure_delete) instead of leaving it in free pages.
	SecureDelete bool
}

// Open opens the SQLite file at file with the project's settings. They are
// all in the connection string, so that every connection the pool opens
// gets them:
//   - _journal_mode=WAL: readers never block the writer nor it them, and a
//     commit is one append to the -wal file; a crash leaves the last
//     committed transaction intact.
//   - _synchronous: opts.Synchronous (see Synchronous).
//   - _foreign_keys=on: SQLite leaves REFERENCES unchecked without it.
//   - _busy_timeout=5000: wait up to 5 s for a lock held by another
//     connection or process (an admin command, a second instance starting)
//     instead of failing at once with SQLITE_BUSY.
//   - _txlock=immediate (not for ReadOnly): BEGIN takes the write lock at
//     once, so two read-then-write transactions cannot deadlock by both
//     upgrading later (SQLITE_BUSY mid-transaction). The migration runner
//     relies on it to hold the database while it checks and applies a
//     migration.
//
// sql.Open only checks its arguments; the first statement opens the file,
// creating it if needed (not with ReadOnly). The caller sets the pool's
// size.
func Open(file string, opts Options) (*sql.DB, error) {
	sync := opts.Synchronous
	if sync == "" {
		sync = SyncFull
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", string(sync))
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "5000")
	if opts.SecureDelete {
		q.Set("_secure_delete", "on")
	}
	if opts.ReadOnly {
		q.Set("mode", "ro")
	} else {
		q.Set("_txlock", "immediate")
	}
	db, err := sql.Open("sqlite3", "file:"+file+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", filepath.Base(file), err)
	}
	return db, nil
}

// IsDiskFull reports whether err is SQLite's SQLITE_FULL: a write did not
// fit (the disk, or the file's max_page_count).
func IsDiskFull(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrFull
}

// IsBusy reports whether err is SQLite's SQLITE_BUSY or SQLITE_LOCKED:
// another connection held the lock for longer than the busy timeout.
func IsBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// IsCorrupt reports whether err says the file is damaged (SQLITE_CORRUPT)
// or is not a database at all (SQLITE_NOTADB).
func IsCorrupt(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrCorrupt || se.Code == sqlite3.ErrNotADB)
}

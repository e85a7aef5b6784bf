package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/shcommunity/kiosk/codesvc/store"

	// The only import of the driver in the service.
	_ "github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// dsn builds the connection string for path. Each parameter:
//   - _journal_mode=WAL: readers do not block the writer nor it them, so
//     status lookups keep going during intake.
//   - _foreign_keys=on: SQLite leaves REFERENCES unchecked without it.
//   - _busy_timeout=5000: wait up to 5 s for a lock held by another
//     connection or process (an admin command) instead of failing at once.
//   - _txlock=immediate: BEGIN takes the write lock, so a transaction that
//     reads and then writes cannot fail half-way with SQLITE_BUSY when
//     another writer upgraded first.
//   - _synchronous=NORMAL: in WAL mode a commit survives a process crash;
//     only a power cut may lose the last commits, never corrupt the file.
//   - mode=ro (read pool): the read pool cannot write, by construction.
func dsn(file string, readOnly bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "5000")
	q.Set("_synchronous", "NORMAL")
	if readOnly {
		q.Set("mode", "ro")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + file + "?" + q.Encode()
}

func checkFile(file string) error {
	if file == "" || file == ":memory:" || strings.Contains(file, "?") {
		return fmt.Errorf("sqlitestore: need a file path (the read pool shares it), got %q", file)
	}
	return nil
}

// Open opens (creating if needed) the database at file and migrates it,
// with the key-encryption key in DefaultKeyFile(file), created on first
// use. It is OpenKeyFile with the default key file.
func Open(ctx context.Context, file string) (*Store, error) {
	return OpenKeyFile(ctx, file, DefaultKeyFile(file))
}

// OpenKeyFile opens the database at file with the KEK read from keyFile
// (LoadKeyFile: created if missing, refused if group- or world-readable).
// A key file it has just created that does not open an existing
// database's secrets is removed again, and the error is
// store.ErrWrongKEK.
func OpenKeyFile(ctx context.Context, file, keyFile string) (*Store, error) {
	if err := checkFile(file); err != nil {
		return nil, err
	}
	kek, created, err := LoadKeyFile(keyFile)
	if err != nil {
		return nil, err
	}
	s, err := OpenKEK(ctx, file, kek)
	if err != nil && created && errors.Is(err, store.ErrWrongKEK) {
		os.Remove(keyFile)
		return nil, fmt.Errorf("key file %s was missing and has been created anew: %w", path.Base(keyFile), err)
	}
	return s, err
}

// OpenKEK opens (creating if needed) the database at file and migrates
// it, with kek (KEKSize bytes) as its key-encryption key: every private
// key and secret is stored wrapped with it, and values of a database from
// before wrapping are wrapped now, in one transaction. A kek other than
// the database's fails with store.ErrWrongKEK; a wrapped value that does
// not open under its own row fails with store.ErrSecretMoved.
func OpenKEK(ctx context.Context, file string, kek []byte) (*Store, error) {
	if err := checkFile(file); err != nil {
		return nil, err
	}
	wr, err := newWrapper(kek)
	if err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite3", dsn(file, false))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path.Base(file), err)
	}
	w.SetMaxOpenConns(1)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	if err := sealAtRest(ctx, w, wr); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite3", dsn(file, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open read pool: %w", err)
	}
	n := 2 * runtime.GOMAXPROCS(0)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	s := &Store{w: w, r: r, kek: wr}
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	var have int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	for _, name := range names {
		base := path.Base(name)
		num, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: bad number", base)
		}
		if num <= have {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		err = inTx(ctx, db, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", num))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
	}
	return nil
}

// beginner is a pool or one of its connections (when a transaction needs
// per-connection settings around it).
type beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// inTx runs fn in a transaction, committing if it returns nil and rolling
// back on an error or a panic (which it re-raises).
func inTx(ctx context.Context, db beginner, fn func(*sql.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

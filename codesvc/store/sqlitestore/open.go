package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"os"
	"path"
	"runtime"
	"strings"

	"github.com/mattn/go-sqlite3"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/kek"
	"github.com/shcommunity/kiosk/codesvc/store/sqlstore"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrations is the service's schema. Its databases from before
// schema_migrations kept their version in PRAGMA user_version; the runner
// adopts it once.
var migrations = sqldb.Migrations{Files: migrationFS, Dir: "migrations", Dialect: sqldb.SQLite, Legacy: sqldb.UserVersion}

// Store is the SQLite store.Store: the statements of package sqlstore in
// SQLite's dialect.
type Store = sqlstore.Store

// dialect is what is particular to SQLite in the shared statements. It
// needs no write lock: the writer pool has one connection, whose every
// transaction takes the database's write lock at BEGIN (sqldb.Open).
var dialect = sqlstore.Dialect{
	Name:             "sqlite",
	EventsJSON:       `json_group_array(json_object('s', e.seq, 'k', e.kind, 'a', e.at, 'r', e.recorded_at, 'o', e.source) ORDER BY e.seq)`,
	DetachPointReads: true,
	IsUnique:         func(err error) bool { return strings.Contains(err.Error(), "UNIQUE constraint failed") },
	Unavailable:      busy,
}

// busy reports SQLite's "database is locked" past the busy timeout: the
// file is held by another process for longer than a request may wait.
func busy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// openPool opens one of the two pools on file with sqldb.Open's settings
// (WAL, foreign keys, a 5 s busy timeout, immediate transactions on the
// writer, mode=ro on the read pool), and _synchronous=NORMAL: in WAL mode
// a commit survives a process crash; only a power cut may lose the last
// commits, never corrupt the file.
func openPool(file string, readOnly bool) (*sql.DB, error) {
	return sqldb.Open(file, sqldb.Options{Synchronous: sqldb.SyncNormal, ReadOnly: readOnly})
}

func checkFile(file string) error {
	if file == "" || file == ":memory:" || strings.Contains(file, "?") {
		return fmt.Errorf("sqlitestore: need a file path (the read pool shares it), got %q", file)
	}
	return nil
}

// Open opens (creating if needed) the database at file and migrates it,
// with the key-encryption key in kek.DefaultFile(file), created on first
// use. It is OpenKeyFile with the default key file.
func Open(ctx context.Context, file string) (*Store, error) {
	return OpenKeyFile(ctx, file, kek.DefaultFile(file))
}

// OpenKeyFile opens the database at file with the KEK read from keyFile
// (kek.LoadFile: created if missing, refused if group- or world-readable).
// A key file it has just created that does not open an existing
// database's secrets is removed again, and the error is
// store.ErrWrongKEK.
func OpenKeyFile(ctx context.Context, file, keyFile string) (*Store, error) {
	if err := checkFile(file); err != nil {
		return nil, err
	}
	key, created, err := kek.LoadFile(keyFile)
	if err != nil {
		return nil, err
	}
	s, err := OpenKEK(ctx, file, key)
	if err != nil && created && errors.Is(err, store.ErrWrongKEK) {
		os.Remove(keyFile)
		return nil, fmt.Errorf("key file %s was missing and has been created anew: %w", path.Base(keyFile), err)
	}
	return s, err
}

// OpenKEK opens (creating if needed) the database at file and migrates
// it, with key (kek.Size bytes) as its key-encryption key: every private
// key and secret is stored wrapped with it, and values of a database from
// before wrapping are wrapped now, in one transaction. A kek other than
// the database's fails with store.ErrWrongKEK; a wrapped value that does
// not open under its own row fails with store.ErrSecretMoved. A new file
// is created with mode 0600; an existing one (or its -wal or -shm) that
// the group or others may read is refused with sqldb.ErrFileMode.
func OpenKEK(ctx context.Context, file string, key []byte) (*Store, error) {
	if err := checkFile(file); err != nil {
		return nil, err
	}
	wr, err := kek.New(key)
	if err != nil {
		return nil, err
	}
	if err := sqldb.Private(file, sqldb.Refuse); err != nil {
		return nil, err
	}
	w, err := openPool(file, false)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	if err := migrations.Apply(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	if err := sealAtRest(ctx, w, wr); err != nil {
		w.Close()
		return nil, err
	}
	r, err := openPool(file, true)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open read pool: %w", err)
	}
	n := 2 * runtime.GOMAXPROCS(0)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	return sqlstore.New(ctx, &dialect, w, r, wr)
}

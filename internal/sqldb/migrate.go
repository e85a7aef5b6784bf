package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"time"
)

// Sentinel errors of the migration runner. Match them with errors.Is.
var (
	// ErrMigrationFiles: the embedded files are not numbered 0001_name.sql
	// upwards with no gap and no number twice. It is a build mistake,
	// found by every store's tests.
	ErrMigrationFiles = errors.New("migration files are not numbered 0001 upwards without gaps")
	// ErrNewerSchema: the database has migrations this program does not
	// have, so a newer program has used it. Running on it could misread
	// what the newer schema means (a unit, a state); the program refuses
	// and the database must be restored from before the upgrade.
	ErrNewerSchema = errors.New("the database is newer than this program")
)

// Dialect is what the migration runner needs to know of a database engine.
// SQLite is the one for a pool from Open; a PostgreSQL store gives its own
// (see README.md).
type Dialect struct {
	// Name names the engine in errors.
	Name string
	// CreateTable creates the schema_migrations table unless it exists:
	// version (integer, the primary key), name (text, the file's name)
	// and applied_at (a 64-bit integer, ToDB of when it was applied).
	CreateTable string
	// Lock, unless empty, is executed first in each of the runner's
	// transactions. It must take a lock that every runner on the same
	// database takes and that holds until the transaction ends, so that
	// two processes starting at once apply each migration once (for
	// PostgreSQL, SELECT pg_advisory_xact_lock(n)).
	Lock string
	// Arg is how a statement writes its n-th argument, from 1.
	Arg func(n int) string
	// Busy, unless nil, reports an error that means another process held
	// the database's lock for longer than the engine waits: the runner
	// tries the transaction again (see InTxRetry).
	Busy func(error) bool
}

// SQLite is the dialect of a pool from Open. It needs no Lock statement:
// Open's _txlock=immediate makes every BEGIN take the database's one
// write lock, which is held until the transaction ends.
var SQLite = Dialect{
	Name: "sqlite",
	CreateTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL) STRICT`,
	Arg:  func(int) string { return "?" },
	Busy: IsBusy,
}

// Migrations is one store's schema: its numbered SQL files and how to
// apply them. README.md says how to write one.
type Migrations struct {
	// Files holds the migrations in its folder Dir (its root when Dir is
	// empty), each named NNNN_name.sql: four digits counting from 0001
	// with no gap, an underscore, a lower case name. Other files (a
	// README.md) are ignored.
	Files fs.FS
	Dir   string
	// Dialect is the database engine's.
	Dialect Dialect
	// Legacy, when not nil, reads the schema version an older scheme
	// recorded in the database (UserVersion, for a SQLite store that kept
	// PRAGMA user_version). It is asked when schema_migrations is first
	// found empty: a version N above 0 records migrations 1 to N as
	// applied, without running them.
	Legacy func(ctx context.Context, tx *sql.Tx) (int, error)
	// Now stamps applied_at; time.Now when nil.
	Now func() time.Time

	// beforeApply, when set (tests), runs between reading which
	// migrations are applied and applying the first missing one.
	beforeApply func(version int)
	// onBusy, when set (tests), runs after the try-th try of a
	// transaction found the database busy.
	onBusy func(try int)
}

func (m Migrations) dir() string {
	if m.Dir == "" {
		return "."
	}
	return m.Dir
}

// migration is one file of a set.
type migration struct {
	version int
	name    string // the file's name, as recorded
}

var migrationName = regexp.MustCompile(`^([0-9]{4})_[a-z0-9_]+\.sql$`)

// Apply brings the database up to date. It creates schema_migrations if
// needed, adopts a Legacy version once, then applies every migration not
// yet recorded, in order, each in its own transaction with its record, so
// a failure (or a power cut) leaves the database at the last migration
// that completed. Every transaction takes the Dialect's lock first and a
// migration is checked again under it, so a second process that starts
// at the same time waits and then finds it done. A database with a
// migration this program lacks fails with ErrNewerSchema.
func (m Migrations) Apply(ctx context.Context, db Beginner) error {
	files, err := m.files()
	if err != nil {
		return err
	}
	applied, err := m.start(ctx, db, files)
	if err != nil {
		return fmt.Errorf("%s migrations: %w", m.Dialect.Name, err)
	}
	for _, f := range files {
		if applied[f.version] {
			continue
		}
		if m.beforeApply != nil {
			m.beforeApply(f.version)
		}
		if err := m.inTx(ctx, db, func(tx *sql.Tx) error { return m.apply(ctx, tx, f) }); err != nil {
			return fmt.Errorf("migration %s: %w", f.name, err)
		}
	}
	return nil
}

// files lists and checks the migration files.
func (m Migrations) files() ([]migration, error) {
	names, err := fs.Glob(m.Files, path.Join(m.dir(), "*.sql"))
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	out := make([]migration, len(names))
	for i, name := range names {
		name = path.Base(name)
		match := migrationName.FindStringSubmatch(name)
		if match == nil {
			return nil, fmt.Errorf("%w: %s is not NNNN_name.sql", ErrMigrationFiles, name)
		}
		if v, _ := strconv.Atoi(match[1]); v != i+1 {
			return nil, fmt.Errorf("%w: %s where %04d was due", ErrMigrationFiles, name, i+1)
		}
		out[i] = migration{version: i + 1, name: name}
	}
	return out, nil
}

// inTx is InTxRetry with the dialect's Busy.
func (m Migrations) inTx(ctx context.Context, db Beginner, fn func(*sql.Tx) error) error {
	return inTxRetry(ctx, db, m.Dialect.Busy, m.onBusy, fn)
}

// start creates the table, adopts a legacy version and returns which
// migrations are applied, in one transaction under the lock.
func (m Migrations) start(ctx context.Context, db Beginner, files []migration) (map[int]bool, error) {
	var applied map[int]bool
	err := m.inTx(ctx, db, func(tx *sql.Tx) error {
		applied = map[int]bool{} // a try found busy may have filled it
		if err := m.lock(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, m.Dialect.CreateTable); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		if err := m.readApplied(ctx, tx, applied); err != nil {
			return err
		}
		if len(applied) == 0 && m.Legacy != nil {
			if err := m.adopt(ctx, tx, files, applied); err != nil {
				return err
			}
		}
		for v := range applied {
			if v > len(files) {
				return fmt.Errorf("%w: it has migration %04d, this program knows %d", ErrNewerSchema, v, len(files))
			}
		}
		return nil
	})
	return applied, err
}

func (m Migrations) lock(ctx context.Context, tx *sql.Tx) error {
	if m.Dialect.Lock == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.Dialect.Lock); err != nil {
		return fmt.Errorf("lock for migrations: %w", err)
	}
	return nil
}

func (m Migrations) readApplied(ctx context.Context, tx *sql.Tx, into map[int]bool) error {
	rows, err := tx.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		into[v] = true
	}
	return rows.Err()
}

// adopt records migrations 1 to the legacy version as applied.
func (m Migrations) adopt(ctx context.Context, tx *sql.Tx, files []migration, applied map[int]bool) error {
	n, err := m.Legacy(ctx, tx)
	if err != nil {
		return fmt.Errorf("read the older schema version: %w", err)
	}
	if n > len(files) {
		return fmt.Errorf("%w: its older schema version is %d, this program knows %d", ErrNewerSchema, n, len(files))
	}
	for _, f := range files[:max(n, 0)] {
		if err := m.record(ctx, tx, f); err != nil {
			return err
		}
		applied[f.version] = true
	}
	return nil
}

// apply runs one migration and records it, unless another runner did so
// since start read the table.
func (m Migrations) apply(ctx context.Context, tx *sql.Tx, f migration) error {
	if err := m.lock(ctx, tx); err != nil {
		return err
	}
	var n int
	q := "SELECT count(*) FROM schema_migrations WHERE version = " + m.Dialect.Arg(1)
	if err := tx.QueryRowContext(ctx, q, f.version).Scan(&n); err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	if n > 0 {
		return nil
	}
	body, err := fs.ReadFile(m.Files, path.Join(m.dir(), f.name))
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	return m.record(ctx, tx, f)
}

func (m Migrations) record(ctx context.Context, tx *sql.Tx, f migration) error {
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	a := m.Dialect.Arg
	q := fmt.Sprintf("INSERT INTO schema_migrations (version, name, applied_at) VALUES (%s, %s, %s)", a(1), a(2), a(3))
	if _, err := tx.ExecContext(ctx, q, f.version, f.name, ToDB(now())); err != nil {
		return fmt.Errorf("record migration %s: %w", f.name, err)
	}
	return nil
}

// UserVersion reads SQLite's PRAGMA user_version: the schema version of a
// store that kept it there before schema_migrations (a Migrations.Legacy).
func UserVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read user_version: %w", err)
	}
	return v, nil
}

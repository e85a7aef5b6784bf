package pgstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"

	"github.com/shcommunity/kiosk/codesvc/store/kek"
	"github.com/shcommunity/kiosk/codesvc/store/sqlstore"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Advisory lock keys: one for the migration runner, one for writers.
// Arbitrary constants, the same in every instance ("kiosk" in ASCII).
const (
	migrationLock = 0x6b696f736b01
	writeLock     = 0x6b696f736b02
)

// Dialect is PostgreSQL's dialect for internal/sqldb's migration runner
// (internal/sqldb/README.md, "PostgreSQL").
var Dialect = sqldb.Dialect{
	Name: "postgres",
	CreateTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text    NOT NULL,
		applied_at bigint  NOT NULL)`,
	Lock: "SELECT pg_advisory_xact_lock(" + strconv.Itoa(migrationLock) + ")",
	Arg:  func(n int) string { return "$" + strconv.Itoa(n) },
}

var migrations = sqldb.Migrations{Files: migrationFS, Dir: "migrations", Dialect: Dialect}

// Store is the PostgreSQL store.Store: the statements of package sqlstore
// in PostgreSQL's dialect.
type Store = sqlstore.Store

var dialect = sqlstore.Dialect{
	Name:      "postgres",
	Numbered:  true,
	WriteLock: "SELECT pg_advisory_xact_lock(" + strconv.Itoa(writeLock) + ")",
	EventsJSON: `coalesce(json_agg(json_build_object('s', e.seq, 'k', e.kind, 'a', e.at, 'r', e.recorded_at, 'o', e.source) ORDER BY e.seq),
		'[]'::json)`,
	IsUnique:    func(err error) bool { return code(err) == "23505" },
	Unavailable: unavailable,
}

// Options tune the pool. Zero fields take the defaults.
type Options struct {
	// MaxConns bounds the instance's connections; default 4 per CPU. The
	// database's max_connections must cover every instance's.
	MaxConns int
}

// Open connects to the database at dsn (a PostgreSQL connection string or
// URL, e.g. postgres://codes@db.internal/codes?sslmode=verify-full),
// migrates it and checks key (kek.Size bytes) against it: on a new
// database key becomes its key-encryption key; on another database's a
// different key fails with store.ErrWrongKEK.
func Open(ctx context.Context, dsn string, key []byte, opt Options) (*Store, error) {
	w, err := kek.New(key)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	n := opt.MaxConns
	if n <= 0 {
		n = 4 * runtime.GOMAXPROCS(0)
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	if err := migrations.Apply(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	err = sqldb.InTx(ctx, db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, dialect.WriteLock); err != nil {
			return err
		}
		_, err := kek.Check(ctx, tx, w, Dialect.Arg)
		return err
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return sqlstore.New(ctx, &dialect, db, db, w)
}

// code is the SQLSTATE of a PostgreSQL error, or "".
func code(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// unavailable reports an error of reaching the database rather than of
// the statement: no connection, a connection cut, a server shutting down
// or starting, or out of connections.
func unavailable(err error) bool {
	switch c := code(err); {
	case c == "":
	case len(c) == 5 && c[:2] == "08", c == "57P01", c == "57P02", c == "57P03", c == "53300":
		return true
	default:
		return false
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, sql.ErrConnDone) || pgconn.Timeout(err) || pgconn.SafeToRetry(err)
}

package localstore

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/internal/sqldb"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/sync/keystore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DefaultRetention is how long acknowledged outbox items are kept before
// PurgeAcked removes them: long enough to answer "did my enrolment go
// through?" at the counter for a week, short enough that the sealed
// payloads do not pile up.
const DefaultRetention = 7 * 24 * time.Hour

// Sentinel errors. Match them with errors.Is.
var (
	// ErrCorrupt: the database file is damaged. The store refuses to run
	// on it; an operator must restore or replace the file. The concrete
	// error is a *CorruptError.
	ErrCorrupt = errors.New("local store: database file damaged")
	// ErrDiskFull: a write did not fit. Nothing was written: the
	// transaction was rolled back, so the caller still holds its data.
	ErrDiskFull = errors.New("local store: disk full")
	// ErrNotFound: no such row.
	ErrNotFound = errors.New("local store: not found")
	// ErrState: the row is not in a state that allows the operation (for
	// example Retry on an item that is not quarantined).
	ErrState = errors.New("local store: wrong state")
)

// CorruptError reports a damaged database file. It matches ErrCorrupt.
type CorruptError struct {
	Path   string
	Detail string // what SQLite's check or driver said
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("local store %s: database file damaged: %s", e.Path, e.Detail)
}

// Is lets errors.Is(err, ErrCorrupt) match.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// Options configure Open. The zero value is usable.
type Options struct {
	// Now is the clock for row timestamps; time.Now when nil. The sync
	// engine passes its service-corrected clock.
	Now func() time.Time
	// Retention is how long acknowledged outbox items are kept;
	// DefaultRetention when zero.
	Retention time.Duration
	// MaxPageCount caps the file at this many pages (PRAGMA
	// max_page_count) when positive. Tests use it to make the disk "full".
	MaxPageCount int
	// KeyFile is the file of the secrets kept outside the database
	// (sync/keystore): the keyed-hash secret, the audit key and the
	// device's signing seed. Required; the kiosk's is
	// keystore.DefaultPath, away from the database's folder.
	KeyFile string
}

// Store is the kiosk's local database. It is safe for concurrent use.
type Store struct {
	db        *sql.DB
	path      string
	now       func() time.Time
	retention time.Duration

	keyFile          keystore.File
	secret, auditKey []byte // from the key file; fixed once open

	keysMu sync.Mutex
	keys   keystore.Keys // what the key file holds
}

// Setting keys the store itself uses.
const settingAuditHead = "audit_head"

// Open opens (creating if needed, with mode 0600; an existing file that
// others may read is set to 0600) the store at path, checks the file's
// integrity, applies pending migrations and loads its keys from
// Options.KeyFile: a new database gets new keys, a database of an earlier
// release has its secrets moved out into the key file (and the file
// vacuumed so that their bytes go), and a database whose key file is
// missing or another's is refused (ErrKeysMissing, ErrKeysMismatch). A
// damaged file gives a *CorruptError and no Store.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	// sqldb.Open's settings (WAL, foreign keys, a 5 s busy timeout,
	// immediate transactions), with _synchronous=FULL: fsync the WAL at
	// every commit. NORMAL would be faster, but in WAL mode it may lose
	// the last commits on power loss, and a kiosk is switched off at the
	// wall: an enrolment a resident was told is "saved" must survive that.
	kf, err := keyFileOf(opts)
	if err != nil {
		return nil, err
	}
	if err := sqldb.Private(path, sqldb.Tighten); err != nil {
		return nil, fmt.Errorf("open local store: %w", err)
	}
	// SecureDelete: what is deleted (an acknowledged outbox item, a
	// status, a moved secret) is overwritten, not left in a free page.
	db, err := sqldb.Open(path, sqldb.Options{Synchronous: sqldb.SyncFull, SecureDelete: true})
	if err != nil {
		return nil, fmt.Errorf("open local store: %w", err)
	}
	// One connection: the kiosk is one process whose writes SQLite would
	// serialise anyway, and per-connection pragmas (max_page_count) then
	// hold for every statement.
	db.SetMaxOpenConns(1)
	s := &Store{db: db, path: path, now: opts.Now, retention: opts.Retention, keyFile: kf}
	if s.now == nil {
		s.now = time.Now
	}
	if s.retention <= 0 {
		s.retention = DefaultRetention
	}
	if err := s.start(ctx, opts); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) start(ctx context.Context, opts Options) error {
	if err := s.checkIntegrity(ctx); err != nil {
		return err
	}
	if opts.MaxPageCount > 0 {
		if _, err := s.db.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", opts.MaxPageCount)); err != nil {
			return s.classify("set max page count", err)
		}
	}
	if err := s.migrate(ctx); err != nil {
		return err
	}
	moved, err := s.loadKeys(ctx)
	if err != nil {
		return err
	}
	return s.scrub(ctx, moved)
}

// checkIntegrity runs PRAGMA quick_check: it reads every page and checks
// the b-tree structure (integrity_check also cross-checks indexes, which
// costs much more on every start for little extra).
func (s *Store) checkIntegrity(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return s.classify("integrity check", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return s.classify("integrity check", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return s.classify("integrity check", err)
	}
	if len(problems) > 0 {
		if len(problems) > 3 {
			problems = append(problems[:3], fmt.Sprintf("and %d more", len(problems)-3))
		}
		return &CorruptError{Path: s.path, Detail: strings.Join(problems, "; ")}
	}
	return nil
}

func (s *Store) migrate(ctx context.Context) error {
	m := sqldb.Migrations{Files: migrationFS, Dir: "migrations", Dialect: sqldb.SQLite, Now: s.now}
	return s.classify("migrate", m.Apply(ctx, s.db))
}

// Close closes the database. In WAL mode the last connection's close
// checkpoints the -wal file into the main file.
func (s *Store) Close() error { return s.db.Close() }

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Now returns the store's clock reading.
func (s *Store) Now() time.Time { return s.now() }

// classify maps SQLite's result codes to the store's typed errors.
func (s *Store) classify(op string, err error) error {
	if err == nil {
		return nil
	}
	switch {
	case sqldb.IsDiskFull(err):
		return fmt.Errorf("%s: %w: %w", op, ErrDiskFull, err)
	case sqldb.IsCorrupt(err):
		return &CorruptError{Path: s.path, Detail: op + ": " + err.Error()}
	}
	if errors.Is(err, ErrCorrupt) || errors.Is(err, ErrDiskFull) {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}

// Tx is one transaction, handed to the function given to InTx. Its
// methods are the store's writes; it must not be used after that function
// returns.
type Tx struct {
	tx  *sql.Tx
	ctx context.Context
	s   *Store
	now time.Time
}

// InTx runs fn in one immediate transaction (sqldb.InTx): it commits if
// fn returns nil and rolls back if fn returns an error or panics (the
// panic is then re-raised). Every write to the store goes through here.
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	err := sqldb.InTx(ctx, s.db, func(sqlTx *sql.Tx) error {
		return fn(&Tx{tx: sqlTx, ctx: ctx, s: s, now: s.now()})
	})
	return s.classify("transaction", err)
}

// Now is the time the transaction started, by the store's clock.
func (tx *Tx) Now() time.Time { return tx.now }

// nowDB is the transaction's time as the store keeps times (sqldb.ToDB).
func (tx *Tx) nowDB() int64 { return sqldb.ToDB(tx.now) }

func (tx *Tx) exec(query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(tx.ctx, query, args...)
}

func (tx *Tx) queryRow(query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(tx.ctx, query, args...)
}

// Setting returns a setting's value; ok is false when it is not set.
func (tx *Tx) Setting(key string) (value []byte, ok bool, err error) {
	err = tx.queryRow("SELECT value FROM settings WHERE key = ?", key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read setting %s: %w", key, err)
	}
	return value, true, nil
}

// SetSetting writes a setting.
func (tx *Tx) SetSetting(key string, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	_, err := tx.exec("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
	if err != nil {
		return fmt.Errorf("write setting %s: %w", key, err)
	}
	return nil
}

// DeleteSetting removes a setting; removing one that is not set is a
// no-op.
func (tx *Tx) DeleteSetting(key string) error {
	if _, err := tx.exec("DELETE FROM settings WHERE key = ?", key); err != nil {
		return fmt.Errorf("delete setting %s: %w", key, err)
	}
	return nil
}

// Setting reads a setting outside a transaction.
func (s *Store) Setting(ctx context.Context, key string) (value []byte, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, s.classify("read setting "+key, err)
	}
	return value, true, nil
}

// ResidentKey is the keyed hash of a resident's ID number: HMAC-SHA256
// with this device's secret. The store looks residents up by it and never
// sees the number. Two kiosks give different keys for the same person, so
// a stolen file cannot be joined with another by ID number, and a key
// cannot be reversed by hashing all 10^17 possible numbers without the
// secret.
type ResidentKey [32]byte

// String returns the key in hex (it is not personal data without the
// secret).
func (k ResidentKey) String() string { return hex.EncodeToString(k[:]) }

// IsZero reports whether k is the zero key (no resident).
func (k ResidentKey) IsZero() bool { return k == ResidentKey{} }

// KeyOf returns the resident key of an ID number.
func (s *Store) KeyOf(id pii.IDNumber) ResidentKey {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("resident-key-v1\x00"))
	m.Write([]byte(id.Reveal()))
	var k ResidentKey
	copy(k[:], m.Sum(nil))
	return k
}

func keyArg(k ResidentKey) any {
	if k.IsZero() {
		return nil
	}
	return k[:]
}

func keyFrom(b []byte) ResidentKey {
	var k ResidentKey
	copy(k[:], b)
	return k
}

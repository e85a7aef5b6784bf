package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/kek"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

// Dialect is what differs between the engines the store runs on. The
// statements are written once, in the SQL both engines share, with ?
// placeholders.
type Dialect struct {
	// Name names the engine in errors.
	Name string
	// Numbered: the engine writes its placeholders $1, $2, …
	// (PostgreSQL) rather than ? (SQLite); statements are rewritten.
	Numbered bool
	// WriteLock, unless empty, is run first in every write transaction
	// and holds until it ends, so that writers take turns as they do on
	// SQLite's one writer connection. The feed needs it: a reader must
	// never see change n+1 committed before change n.
	WriteLock string
	// EventsJSON aggregates the events e of resident r (in scope as e and
	// r) into one JSON array of {"s","k","a","r","o"} in Seq order, '[]'
	// when there are none: the status lookup reads a resident in one row.
	EventsJSON string
	// DetachPointReads: point lookups on the read pool ignore the
	// context's cancellation (see pointCtx).
	DetachPointReads bool
	// IsUnique reports a unique-constraint violation.
	IsUnique func(error) bool
	// Unavailable reports an error of reaching the database (Store.Unavailable).
	Unavailable func(error) bool
}

// rebind rewrites q's ? placeholders for the engine. No statement of this
// package holds a ? inside a string literal.
func (d *Dialect) rebind(q string) string {
	if !d.Numbered || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// Store is the store.Store of both engines.
type Store struct {
	d    *Dialect
	w, r pool         // writer and reader: one pool, or two on one SQLite file
	kek  *kek.Wrapper // wraps secrets, private keys and session keys

	stmtDevice  *sql.Stmt // read pool: device by ID
	stmtToken   *sql.Stmt // read pool: token by ID
	stmtSession *sql.Stmt // read pool: session and device by session ID

	nonces        nonceBatcher    // UseNonce's queue and prepared inserts
	sessionNonces nonceBatcher    // UseSessionNonce's
	nonceCount    atomic.Int64    // nonces written, for the sweep of expired ones
	access        accessBatcher   // RecordAccess's queue
	residents     residentBatcher // ResidentByKey's queue and prepared reads
}

var _ store.Store = (*Store)(nil)

// New returns the store on w (writes) and r (reads), which may be the
// same pool, of a database that is migrated and whose KEK w has been
// checked (kek.Check). Close closes both pools.
func New(ctx context.Context, d *Dialect, w, r *sql.DB, wrapper *kek.Wrapper) (*Store, error) {
	s := &Store{d: d, w: pool{w, d}, r: pool{r, d}, kek: wrapper}
	s.nonces.init(s, deviceNonces, 1, false)
	s.sessionNonces.init(s, sessionNonces, 2, true)
	s.access.init(s)
	s.residents.init(s)
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// prepare readies the statements of the hot paths.
func (s *Store) prepare(ctx context.Context) error {
	var err error
	prep := func(p pool, q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = p.db.PrepareContext(ctx, s.d.rebind(q))
		return st
	}
	s.stmtDevice = prep(s.r, `SELECT `+deviceCols+` FROM devices WHERE id = ?`)
	s.stmtToken = prep(s.r, `SELECT `+tokenCols+` FROM tokens WHERE id = ?`)
	s.stmtSession = prep(s.r, `SELECT `+sessionCols+` FROM sessions s JOIN devices d ON d.id = s.device_id WHERE s.id = ?`)
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	return nil
}

// Close closes both pools.
func (s *Store) Close() error {
	for _, st := range []*sql.Stmt{s.stmtDevice, s.stmtToken, s.stmtSession} {
		if st != nil {
			st.Close()
		}
	}
	for _, c := range []*stmtCache{&s.nonces.stmts, &s.sessionNonces.stmts, &s.residents.stmts} {
		c.close()
	}
	if s.r.db == s.w.db {
		return s.w.db.Close()
	}
	return errors.Join(s.r.db.Close(), s.w.db.Close())
}

// Stats reports the writer pool's use (the one pool of a PostgreSQL
// store), for the service's metrics.
func (s *Store) Stats() sql.DBStats { return s.w.db.Stats() }

// Ping checks that the database answers, for the service's readiness.
func (s *Store) Ping(ctx context.Context) error { return s.r.db.PingContext(ctx) }

// Unavailable reports whether err, returned by one of the store's
// methods, means the database could not be reached or stopped answering
// (rather than a refusal or a fault of the statement): the request may be
// retried later, and the service answers 503.
func (s *Store) Unavailable(err error) bool {
	return err != nil && s.d.Unavailable != nil && s.d.Unavailable(err)
}

// pointCtx detaches a point lookup on the read pool from ctx's
// cancellation, which the caller has checked just before, where the
// dialect asks for it. go-sqlite3 starts a goroutine per query to watch a
// cancellable context, and that doubled the cost of the status lookup's
// query (BenchmarkReadPath, resident vs resident-cancellable-ctx); a
// point lookup by an indexed key takes microseconds, so there is nothing
// worth interrupting. A networked engine keeps the context, whose
// deadline bounds a lookup on a database that has gone away.
func (s *Store) pointCtx(ctx context.Context) context.Context {
	if s.d.DetachPointReads {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// inTx runs fn in one write transaction (sqldb.InTx) after the dialect's
// write lock.
func (s *Store) inTx(ctx context.Context, fn func(txn) error) error {
	return sqldb.InTx(ctx, s.w.db, func(tx *sql.Tx) error {
		t := txn{tx, s.d}
		if s.d.WriteLock != "" {
			if _, err := tx.ExecContext(ctx, s.d.WriteLock); err != nil {
				return fmt.Errorf("write lock: %w", err)
			}
		}
		return fn(t)
	})
}

// execTx runs one statement in a write transaction (inTx).
func (s *Store) execTx(ctx context.Context, q string, args ...any) error {
	return s.inTx(ctx, func(tx txn) error {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	})
}

// querier is a pool or a transaction: the reads that serve both.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// pool and txn rewrite the placeholders of the statements they run.
type (
	pool = rebound[*sql.DB]
	txn  = rebound[*sql.Tx]
)

// rebound runs statements on db, a pool or a transaction, with their
// placeholders rewritten for the engine.
type rebound[DB runner] struct {
	db DB
	d  *Dialect
}

// runner is what a pool and a transaction both run statements with.
type runner interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	querier
}

func (r rebound[DB]) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return r.db.ExecContext(ctx, r.d.rebind(q), args...)
}

func (r rebound[DB]) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return r.db.QueryContext(ctx, r.d.rebind(q), args...)
}

func (r rebound[DB]) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return r.db.QueryRowContext(ctx, r.d.rebind(q), args...)
}

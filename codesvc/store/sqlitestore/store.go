package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/kek"
)

// Store is the SQLite store.Store.
type Store struct {
	w, r *sql.DB
	kek  *kek.Wrapper // wraps secrets, private keys and session keys

	stmtResident *sql.Stmt // read pool: resident + events by key
	stmtDevice   *sql.Stmt // read pool: device by ID
	stmtToken    *sql.Stmt // read pool: token by ID
	stmtSession  *sql.Stmt // read pool: session and device by session ID
	stmtNonce    *sql.Stmt // writer: UseNonce

	nonceUses atomic.Int64 // UseNonce calls, for the sweep of expired nonces
}

var _ store.Store = (*Store)(nil)

// prepare readies the read pool's statements for the hot lookups.
func (s *Store) prepare(ctx context.Context) error {
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = s.r.PrepareContext(ctx, q)
		return st
	}
	// One row per lookup: the events come aggregated as a JSON array. With
	// go-sqlite3 every row stepped costs a round of cgo calls, and the
	// joined form (one row per event) measured about four times slower
	// (BenchmarkReadPath).
	s.stmtResident = prep(`SELECT r.id, r.ref, r.masked_name, r.masked_id, r.created_at,
		(SELECT json_group_array(json_object('s', e.seq, 'k', e.kind, 'a', e.at, 'r', e.recorded_at, 'o', e.source) ORDER BY e.seq)
		 FROM events e WHERE e.resident_id = r.id)
		FROM residents r WHERE r.key = ?`)
	s.stmtDevice = prep(`SELECT ` + deviceCols + ` FROM devices WHERE id = ?`)
	s.stmtToken = prep(`SELECT ` + tokenCols + ` FROM tokens WHERE id = ?`)
	s.stmtSession = prep(`SELECT ` + sessionCols + ` FROM sessions s JOIN devices d ON d.id = s.device_id WHERE s.id = ?`)
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if s.stmtNonce, err = s.w.PrepareContext(ctx, useNonceSQL); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	return nil
}

// Close closes both pools.
func (s *Store) Close() error {
	for _, st := range []*sql.Stmt{s.stmtResident, s.stmtDevice, s.stmtToken, s.stmtSession, s.stmtNonce} {
		if st != nil {
			st.Close()
		}
	}
	return errors.Join(s.r.Close(), s.w.Close())
}

// pointCtx detaches a point lookup on the read pool from ctx's
// cancellation, which the caller has checked just before. go-sqlite3
// starts a goroutine per query to watch a cancellable context, and that
// doubled the cost of the status lookup's query (BenchmarkReadPath,
// resident vs resident-cancellable-ctx); a point lookup by an indexed key
// takes microseconds, so there is nothing worth interrupting.
func pointCtx(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// querier is a pool or a transaction: the reads that serve both.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Beginner is a pool, or one of its connections when a transaction needs
// per-connection settings around it (*sql.DB, *sql.Conn).
type Beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// InTx runs fn in one transaction: it commits if fn returns nil, and rolls
// back if fn returns an error (which it returns as it is) or panics (the
// panic is then raised again). On a pool opened by Open the transaction
// holds the write lock from its start.
func InTx(ctx context.Context, db Beginner, fn func(*sql.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
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

// busyTries bounds how often InTxRetry begins a transaction that found
// the database busy, busyPause apart. With SQLite each try itself waits up
// to Open's busy timeout, 5 s: a second process starting while the first
// migrates (slowly, on a loaded machine, or losing the lock to a third
// process more than once) waits about a minute before it gives up, not
// 5 s.
const (
	busyTries = 12
	busyPause = 50 * time.Millisecond
)

// InTxRetry is InTx, tried again while busy(err) says that another
// process held the database's lock for longer than the engine waits
// (IsBusy for SQLite), busyTries times at most. fn must start afresh each
// time. It is for the transactions of a store's opening (migrations, the
// key check), which several processes may run at once and which check
// again, under the lock, what is left to do.
func InTxRetry(ctx context.Context, db Beginner, busy func(error) bool, fn func(*sql.Tx) error) error {
	return inTxRetry(ctx, db, busy, nil, fn)
}

// inTxRetry is InTxRetry; onBusy, when set (tests), runs after the
// try-th try found the database busy.
func inTxRetry(ctx context.Context, db Beginner, busy func(error) bool, onBusy func(try int), fn func(*sql.Tx) error) error {
	for try := 1; ; try++ {
		err := InTx(ctx, db, fn)
		if err == nil || busy == nil || !busy(err) || try == busyTries {
			return err
		}
		if onBusy != nil {
			onBusy(try)
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(busyPause):
		}
	}
}

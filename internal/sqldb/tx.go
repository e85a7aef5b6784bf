package sqldb

import (
	"context"
	"database/sql"
	"fmt"
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

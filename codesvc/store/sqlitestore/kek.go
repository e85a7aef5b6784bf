package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/shcommunity/kiosk/codesvc/store/kek"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

// sealAtRest checks the KEK against the database and wraps every value
// still in the clear (a database from before migration 0002), all in one
// transaction (kek.Check). Deleted content is zeroed (secure_delete) and
// the WAL is checkpointed and truncated afterwards, so the plain bytes do
// not linger in free pages or in the log.
func sealAtRest(ctx context.Context, db *sql.DB, w *kek.Wrapper) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var secureDelete int
	if err := conn.QueryRowContext(ctx, "PRAGMA secure_delete").Scan(&secureDelete); err != nil {
		return fmt.Errorf("read secure_delete: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA secure_delete = ON"); err != nil {
		return fmt.Errorf("secure_delete: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA secure_delete = %d", secureDelete))

	var wrapped int
	err = sqldb.InTxRetry(ctx, conn, sqldb.IsBusy, func(tx *sql.Tx) error {
		var err error
		wrapped, err = kek.Check(ctx, tx, w, sqldb.SQLite.Arg)
		return err
	})
	if err != nil {
		return err
	}
	if wrapped > 0 {
		if _, err := conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			return fmt.Errorf("checkpoint after wrapping: %w", err)
		}
	}
	return nil
}

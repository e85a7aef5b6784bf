package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

// PutWorker implements store.Store: it adds or replaces a worker.
func (s *Store) PutWorker(ctx context.Context, w store.Worker) error {
	return s.execTx(ctx, `INSERT INTO workers(id, display_name, password_hash, created_at, updated_at, disabled) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET display_name = excluded.display_name, password_hash = excluded.password_hash,
		updated_at = excluded.updated_at, disabled = excluded.disabled`,
		w.ID, w.DisplayName, w.PasswordHash, sqldb.ToDB(w.CreatedAt), sqldb.ToDB(w.UpdatedAt), w.Disabled)
}

const workerCols = `id, display_name, password_hash, created_at, updated_at, disabled`

func scanWorker(row sqldb.Scanner) (store.Worker, error) {
	var w store.Worker
	var c, u int64
	err := row.Scan(&w.ID, &w.DisplayName, &w.PasswordHash, &c, &u, &w.Disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return w, store.ErrNotFound
	}
	w.CreatedAt, w.UpdatedAt = sqldb.FromDB(c), sqldb.FromDB(u)
	return w, err
}

// Worker implements store.Store.
func (s *Store) Worker(ctx context.Context, id string) (store.Worker, error) {
	return scanWorker(s.r.QueryRowContext(ctx, `SELECT `+workerCols+` FROM workers WHERE id = ?`, id))
}

// Workers implements store.Store.
func (s *Store) Workers(ctx context.Context) ([]store.Worker, error) {
	return sqldb.All(ctx, s.r, scanWorker, `SELECT `+workerCols+` FROM workers ORDER BY id`)
}

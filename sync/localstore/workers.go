package localstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/shcommunity/kiosk/internal/sqldb"
)

// Worker is a community worker cached from the service, with the
// persisted login-failure state.
type Worker struct {
	ID           string
	DisplayName  string
	PasswordHash string // PHC string, as the service stores it
	Disabled     bool
	UpdatedAt    time.Time // the service's
	Failures     int       // consecutive failed logins
	LockedUntil  time.Time // zero: not locked
}

// PutWorker stores or refreshes a worker from the service. The failure
// count and lockout are kept: a sync must not unlock an account.
func (tx *Tx) PutWorker(w Worker) error {
	_, err := tx.exec(`INSERT INTO workers (worker_id, display_name, password_hash, disabled, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (worker_id) DO UPDATE SET display_name = excluded.display_name,
			password_hash = excluded.password_hash, disabled = excluded.disabled, updated_at = excluded.updated_at`,
		w.ID, w.DisplayName, w.PasswordHash, w.Disabled, sqldb.ToDB(w.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put worker: %w", err)
	}
	return nil
}

// Worker reads a worker in the transaction.
func (tx *Tx) Worker(id string) (Worker, error) {
	return scanWorker(tx.queryRow(workerQuery, id), id)
}

// Worker reads a worker.
func (s *Store) Worker(ctx context.Context, id string) (Worker, error) {
	w, err := scanWorker(s.db.QueryRowContext(ctx, workerQuery, id), id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return w, s.classify("read worker", err)
	}
	return w, err
}

const workerQuery = `SELECT worker_id, display_name, password_hash, disabled, updated_at, failures, locked_until
	FROM workers WHERE worker_id = ?`

func scanWorker(r sqldb.Scanner, id string) (Worker, error) {
	var w Worker
	var updated, locked int64
	err := r.Scan(&w.ID, &w.DisplayName, &w.PasswordHash, &w.Disabled, &updated, &w.Failures, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return Worker{}, fmt.Errorf("worker %s: %w", id, ErrNotFound)
	}
	w.UpdatedAt, w.LockedUntil = sqldb.FromDB(updated), sqldb.FromDB(locked)
	return w, err
}

// SetLoginState persists a worker's failure count and lockout.
func (tx *Tx) SetLoginState(id string, failures int, lockedUntil time.Time) error {
	_, err := tx.exec("UPDATE workers SET failures = ?, locked_until = ? WHERE worker_id = ?", failures, sqldb.ToDB(lockedUntil), id)
	if err != nil {
		return fmt.Errorf("set login state: %w", err)
	}
	return nil
}

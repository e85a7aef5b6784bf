package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

// IssueCredential implements store.Store.
func (s *Store) IssueCredential(ctx context.Context, c store.Credential, purgeBefore time.Time) error {
	return s.inTx(ctx, func(tx txn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM credentials WHERE expires_at < ?`, sqldb.ToDB(purgeBefore)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO credentials(id, resident_id, key_id, issued_at, expires_at, device_id, worker_id, sealed)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, c.ResidentID, c.KeyID, sqldb.ToDB(c.IssuedAt), sqldb.ToDB(c.ExpiresAt),
			c.DeviceID, c.WorkerID, c.Sealed)
		if err != nil && s.d.IsUnique(err) {
			return store.ErrExists
		}
		return err
	})
}

// Credential implements store.Store.
func (s *Store) Credential(ctx context.Context, id string) (store.Credential, error) {
	var c store.Credential
	var iss, exp int64
	err := s.r.QueryRowContext(ctx, `SELECT id, resident_id, key_id, issued_at, expires_at, device_id, worker_id, sealed
		FROM credentials WHERE id = ?`, id).Scan(&c.ID, &c.ResidentID, &c.KeyID, &iss, &exp, &c.DeviceID, &c.WorkerID, &c.Sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return c, store.ErrNotFound
	}
	c.IssuedAt, c.ExpiresAt = sqldb.FromDB(iss), sqldb.FromDB(exp)
	return c, err
}

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/kek"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

// CreateSession implements store.Store.
func (s *Store) CreateSession(ctx context.Context, ss store.Session, max int) error {
	return s.inTx(ctx, func(tx txn) error {
		now := sqldb.ToDB(ss.CreatedAt)
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions(id, device_id, key, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			ss.ID, ss.DeviceID, s.kek.Wrap(kek.SessionPurpose(ss.ID), ss.Key), now, sqldb.ToDB(ss.ExpiresAt)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE device_id = ? AND seq NOT IN
			(SELECT seq FROM sessions WHERE device_id = ? ORDER BY seq DESC LIMIT ?)`, ss.DeviceID, ss.DeviceID, max)
		return err
	})
}

// Session implements store.Store. It is on every session-authenticated
// request: a prepared statement on the read pool, one row.
func (s *Store) Session(ctx context.Context, id string) (store.Session, store.Device, error) {
	if err := ctx.Err(); err != nil {
		return store.Session{}, store.Device{}, err
	}
	return scanSession(s.kek, s.stmtSession.QueryRowContext(s.pointCtx(ctx), id))
}

// sessionCols are a session's columns and its device's, aliased s and d.
const sessionCols = `s.id, s.key, s.created_at, s.expires_at, d.id, d.name, d.public_key, d.registered_at, d.revoked_at, d.role`

func scanSession(w *kek.Wrapper, row sqldb.Scanner) (store.Session, store.Device, error) {
	var ss store.Session
	var d store.Device
	var wrapped, pub []byte
	var created, expires, reg int64
	var rev sql.NullInt64
	err := row.Scan(&ss.ID, &wrapped, &created, &expires, &d.ID, &d.Name, &pub, &reg, &rev, &d.Role)
	if errors.Is(err, sql.ErrNoRows) {
		return ss, d, store.ErrNotFound
	}
	if err != nil {
		return ss, d, err
	}
	key, err := w.Unwrap(kek.SessionPurpose(ss.ID), wrapped)
	if err != nil {
		return store.Session{}, store.Device{}, fmt.Errorf("session: %w", err)
	}
	ss.DeviceID, ss.Key, ss.CreatedAt, ss.ExpiresAt = d.ID, key, sqldb.FromDB(created), sqldb.FromDB(expires)
	d.PublicKey, d.RegisteredAt, d.RevokedAt = pub, sqldb.FromDB(reg), sqldb.FromDB(rev.Int64)
	return ss, d, nil
}

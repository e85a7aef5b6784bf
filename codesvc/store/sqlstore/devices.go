package sqlstore

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

// CreateProvisioningCode implements store.Store.
func (s *Store) CreateProvisioningCode(ctx context.Context, c store.ProvisioningCode) error {
	return s.execTx(ctx, `INSERT INTO provisioning_codes(code_hash, note, created_at, expires_at, role) VALUES (?, ?, ?, ?, ?)`,
		c.Hash, c.Note, sqldb.ToDB(c.CreatedAt), sqldb.ToDB(c.ExpiresAt), string(c.Role))
}

// RegisterDevice implements store.Store. The device takes its code's
// role, whatever d.Role says.
func (s *Store) RegisterDevice(ctx context.Context, codeHash []byte, d store.Device) error {
	return s.inTx(ctx, func(tx txn) error {
		var expires int64
		var used sql.NullInt64
		var role string
		err := tx.QueryRowContext(ctx, `SELECT expires_at, used_at, role FROM provisioning_codes WHERE code_hash = ?`, codeHash).
			Scan(&expires, &used, &role)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return store.ErrCodeInvalid
		case err != nil:
			return err
		case used.Valid:
			return store.ErrCodeUsed
		case !d.RegisteredAt.Before(sqldb.FromDB(expires)):
			return store.ErrCodeExpired
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM devices WHERE public_key = ? OR id = ?`, []byte(d.PublicKey), d.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return store.ErrKeyInUse
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO devices(id, name, public_key, registered_at, role) VALUES (?, ?, ?, ?, ?)`,
			d.ID, d.Name, []byte(d.PublicKey), sqldb.ToDB(d.RegisteredAt), role); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE provisioning_codes SET used_at = ?, device_id = ? WHERE code_hash = ?`,
			sqldb.ToDB(d.RegisteredAt), d.ID, codeHash)
		return err
	})
}

const deviceCols = `id, name, public_key, registered_at, revoked_at, role`

func scanDevice(row sqldb.Scanner) (store.Device, error) {
	var d store.Device
	var pub []byte
	var reg int64
	var rev sql.NullInt64
	if err := row.Scan(&d.ID, &d.Name, &pub, &reg, &rev, &d.Role); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return d, store.ErrNotFound
		}
		return d, err
	}
	d.PublicKey = ed25519.PublicKey(pub)
	d.RegisteredAt, d.RevokedAt = sqldb.FromDB(reg), sqldb.FromDB(rev.Int64)
	return d, nil
}

// Device implements store.Store. It is on every authenticated request.
func (s *Store) Device(ctx context.Context, id string) (store.Device, error) {
	if err := ctx.Err(); err != nil {
		return store.Device{}, err
	}
	return scanDevice(s.stmtDevice.QueryRowContext(s.pointCtx(ctx), id))
}

// Devices implements store.Store.
func (s *Store) Devices(ctx context.Context) ([]store.Device, error) {
	return sqldb.All(ctx, s.r, scanDevice, `SELECT `+deviceCols+` FROM devices ORDER BY registered_at`)
}

// RevokeDevice implements store.Store.
func (s *Store) RevokeDevice(ctx context.Context, id string, at time.Time) error {
	return s.inTx(ctx, func(tx txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE devices SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`, sqldb.ToDB(at), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
}

package sqlstore

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/kek"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

// Secret implements store.Store. The value is stored wrapped with the KEK
// and returned in the clear.
func (s *Store) Secret(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error) {
	const q = `SELECT value, wrapped FROM secrets WHERE name = ?`
	var v []byte
	var wrapped bool
	err := s.r.QueryRowContext(ctx, q, name).Scan(&v, &wrapped)
	if err == nil {
		return s.unwrapSecret(name, v, wrapped)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	var found bool
	err = s.inTx(ctx, func(tx txn) error {
		err := tx.QueryRowContext(ctx, q, name).Scan(&v, &wrapped)
		if err == nil {
			found = true
		}
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if v, err = gen(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO secrets(name, value, wrapped) VALUES (?, ?, 1)`, name, s.kek.Wrap(kek.SecretPurpose(name), v))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	if found {
		return s.unwrapSecret(name, v, wrapped)
	}
	return v, nil
}

func (s *Store) unwrapSecret(name string, v []byte, wrapped bool) ([]byte, error) {
	if !wrapped {
		// Only a writer that predates wrapping can have put it there.
		return nil, fmt.Errorf("secret %s is stored in the clear; restart the service to wrap it", name)
	}
	p, err := s.kek.Unwrap(kek.SecretPurpose(name), v)
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	return p, nil
}

// AddSigningKey implements store.Store: k becomes the key in use and every
// other unretired key is retired at retireOthersAt.
func (s *Store) AddSigningKey(ctx context.Context, k store.SigningKey, retireOthersAt time.Time) error {
	return s.inTx(ctx, func(tx txn) error {
		if _, err := tx.ExecContext(ctx, `UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL`, sqldb.ToDB(retireOthersAt)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO signing_keys(key_id, issuer, private_key, created_at, wrapped) VALUES (?, ?, ?, ?, 1)`,
			k.KeyID, k.Issuer, s.kek.Wrap(kek.SigningKeyPurpose(k.KeyID), k.PrivateKey), sqldb.ToDB(k.CreatedAt))
		if err != nil && s.d.IsUnique(err) {
			return store.ErrExists
		}
		return err
	})
}

// SigningKeys implements store.Store, oldest first, with the private keys
// unwrapped.
func (s *Store) SigningKeys(ctx context.Context) ([]store.SigningKey, error) {
	scan := func(row sqldb.Scanner) (store.SigningKey, error) {
		var k store.SigningKey
		var priv []byte
		var c int64
		var r, rv sql.NullInt64
		var wrapped bool
		if err := row.Scan(&k.KeyID, &k.Issuer, &priv, &c, &r, &wrapped, &rv); err != nil {
			return k, err
		}
		if !wrapped {
			return k, fmt.Errorf("signing key %s is stored in the clear; restart the service to wrap it", k.KeyID)
		}
		priv, err := s.kek.Unwrap(kek.SigningKeyPurpose(k.KeyID), priv)
		if err != nil {
			return k, fmt.Errorf("signing key %s: %w", k.KeyID, err)
		}
		k.PrivateKey, k.CreatedAt, k.RetiredAt = ed25519.PrivateKey(priv), sqldb.FromDB(c), sqldb.FromDB(r.Int64)
		k.RevokedAt = sqldb.FromDB(rv.Int64)
		return k, nil
	}
	return sqldb.All(ctx, s.r, scan, `SELECT key_id, issuer, private_key, created_at, retired_at, wrapped, revoked_at
		FROM signing_keys ORDER BY created_at, key_id`)
}

// RevokeSigningKey implements store.Store.
func (s *Store) RevokeSigningKey(ctx context.Context, keyID string, at time.Time) error {
	return s.inTx(ctx, func(tx txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE signing_keys SET revoked_at = coalesce(revoked_at, ?),
			retired_at = coalesce(retired_at, ?) WHERE key_id = ?`, sqldb.ToDB(at), sqldb.ToDB(at), keyID)
		if err != nil {
			return fmt.Errorf("revoke signing key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("signing key %s: %w", keyID, store.ErrNotFound)
		}
		return nil
	})
}

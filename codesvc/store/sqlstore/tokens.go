package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

const tokenCols = `id, resident_id, key_id, issued_at, expires_at, state, state_at, coalesce(superseded_by, ''), device_id, worker_id, revoked_device, revoked_worker`

func scanToken(row sqldb.Scanner) (store.Token, error) {
	var t store.Token
	var iss, exp, sat int64
	err := row.Scan(&t.ID, &t.ResidentID, &t.KeyID, &iss, &exp, &t.State, &sat, &t.SupersededBy, &t.DeviceID, &t.WorkerID, &t.RevokedDevice, &t.RevokedWorker)
	if errors.Is(err, sql.ErrNoRows) {
		return t, store.ErrNotFound
	}
	t.IssuedAt, t.ExpiresAt, t.StateAt = sqldb.FromDB(iss), sqldb.FromDB(exp), sqldb.FromDB(sat)
	return t, err
}

// scanID reads a token's ID.
func scanID(r sqldb.Scanner) (id string, err error) {
	err = r.Scan(&id)
	return id, err
}

// IssueToken implements store.Store.
func (s *Store) IssueToken(ctx context.Context, t store.Token, replace bool, supersede string) ([]string, error) {
	var out []string
	err := s.inTx(ctx, func(tx txn) error {
		out = nil
		if supersede != "" {
			old, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE id = ?`, supersede))
			if err != nil {
				return err
			}
			if old.State != "active" || !t.IssuedAt.Before(old.ExpiresAt) {
				return store.ErrTokenNotActive
			}
			t.ResidentID = old.ResidentID
		}
		active, err := sqldb.All(ctx, tx, scanID, `SELECT id FROM tokens WHERE resident_id = ? AND state = 'active' AND expires_at > ? ORDER BY id`,
			t.ResidentID, sqldb.ToDB(t.IssuedAt))
		if err != nil {
			return err
		}
		if len(active) > 0 && !replace && supersede == "" {
			return store.ErrActiveToken
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tokens(id, resident_id, key_id, issued_at, expires_at, state, state_at, device_id, worker_id) VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?)`,
			t.ID, t.ResidentID, t.KeyID, sqldb.ToDB(t.IssuedAt), sqldb.ToDB(t.ExpiresAt), sqldb.ToDB(t.IssuedAt), t.DeviceID, t.WorkerID); err != nil {
			return err
		}
		for _, id := range active {
			if _, err := tx.ExecContext(ctx, `UPDATE tokens SET state = 'superseded', state_at = ?, superseded_by = ? WHERE id = ?`, sqldb.ToDB(t.IssuedAt), t.ID, id); err != nil {
				return err
			}
		}
		out = active
		if err := logChange(ctx, tx, t.ResidentID, "token", t.IssuedAt); err != nil {
			return err
		}
		return serve(ctx, tx, t.DeviceID, t.ResidentID, t.IssuedAt)
	})
	return out, err
}

// Token implements store.Store.
func (s *Store) Token(ctx context.Context, id string) (store.Token, error) {
	return scanToken(s.stmtToken.QueryRowContext(ctx, id))
}

// RevokeTokens implements store.Store.
func (s *Store) RevokeTokens(ctx context.Context, residentID int64, at time.Time, deviceID, workerID string) ([]string, error) {
	var out []string
	err := s.inTx(ctx, func(tx txn) error {
		var err error
		out, err = sqldb.All(ctx, tx, scanID, `UPDATE tokens SET state = 'revoked', state_at = ?, revoked_device = ?, revoked_worker = ?
			WHERE resident_id = ? AND state = 'active' RETURNING id`, sqldb.ToDB(at), deviceID, workerID, residentID)
		if err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		return logChange(ctx, tx, residentID, "token", at)
	})
	return out, err
}

// RecordPrint implements store.Store.
func (s *Store) RecordPrint(ctx context.Context, p store.Print) (bool, error) {
	var dup bool
	err := s.inTx(ctx, func(tx txn) error {
		var tokenID string
		err := tx.QueryRowContext(ctx, `SELECT token_id FROM prints WHERE client_id = ?`, p.ClientID).Scan(&tokenID)
		if err == nil {
			if tokenID != p.TokenID {
				return store.ErrConflict
			}
			dup = true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var residentID int64
		if err := tx.QueryRowContext(ctx, `SELECT resident_id FROM tokens WHERE id = ?`, p.TokenID).Scan(&residentID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return store.ErrNotFound
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO prints(client_id, token_id, device_id, worker_id, printed_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?)`,
			p.ClientID, p.TokenID, p.DeviceID, p.WorkerID, sqldb.ToDB(p.PrintedAt), sqldb.ToDB(p.RecordedAt)); err != nil {
			return err
		}
		return serve(ctx, tx, p.DeviceID, residentID, p.RecordedAt)
	})
	return dup, err
}

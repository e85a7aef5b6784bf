package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

const correctionCols = `c.id, c.client_id, c.resident_id, r.ref, c.device_id, c.worker_id, c.reason, c.filed_at, c.state, c.resolved_at, c.note, c.event_kind`

func scanCorrection(row sqldb.Scanner) (store.Correction, error) {
	var c store.Correction
	var filed int64
	var resolved sql.NullInt64
	err := row.Scan(&c.ID, &c.ClientID, &c.ResidentID, &c.ResidentRef, &c.DeviceID, &c.WorkerID, &c.Reason, &filed, &c.State, &resolved, &c.Note, &c.EventKind)
	if errors.Is(err, sql.ErrNoRows) {
		return c, store.ErrNotFound
	}
	c.FiledAt, c.ResolvedAt = sqldb.FromDB(filed), sqldb.FromDB(resolved.Int64)
	return c, err
}

func correction(ctx context.Context, q querier, where string, arg any) (store.Correction, error) {
	return scanCorrection(q.QueryRowContext(ctx, `SELECT `+correctionCols+` FROM corrections c JOIN residents r ON r.id = c.resident_id WHERE `+where, arg))
}

// FileCorrection implements store.Store. A repeated client ID returns the
// stored correction and true.
func (s *Store) FileCorrection(ctx context.Context, c store.Correction) (store.Correction, bool, error) {
	var out store.Correction
	var dup bool
	err := s.inTx(ctx, func(tx txn) error {
		got, err := correction(ctx, tx, `c.client_id = ?`, c.ClientID)
		if err == nil {
			if got.ResidentID != c.ResidentID || got.Reason != c.Reason {
				return store.ErrConflict
			}
			out, dup = got, true
			return nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO corrections(client_id, resident_id, device_id, worker_id, reason, filed_at, state) VALUES (?, ?, ?, ?, ?, ?, 'open') RETURNING id`,
			c.ClientID, c.ResidentID, c.DeviceID, c.WorkerID, c.Reason, sqldb.ToDB(c.FiledAt)).Scan(&id)
		if err != nil {
			return err
		}
		out, err = correction(ctx, tx, `c.id = ?`, id)
		return err
	})
	return out, dup, err
}

// Correction implements store.Store.
func (s *Store) Correction(ctx context.Context, id int64) (store.Correction, error) {
	return correction(ctx, s.r, `c.id = ?`, id)
}

// Corrections implements store.Store; empty arguments match everything.
func (s *Store) Corrections(ctx context.Context, deviceID, state string) ([]store.Correction, error) {
	var where []string
	var args []any
	if deviceID != "" {
		where, args = append(where, "c.device_id = ?"), append(args, deviceID)
	}
	if state != "" {
		where, args = append(where, "c.state = ?"), append(args, state)
	}
	q := `SELECT ` + correctionCols + ` FROM corrections c JOIN residents r ON r.id = c.resident_id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	return sqldb.All(ctx, s.r, scanCorrection, q+" ORDER BY c.id", args...)
}

// ResolveCorrection implements store.Store.
func (s *Store) ResolveCorrection(ctx context.Context, id int64, state, note string, at time.Time, e *store.Event, schedule store.Scheduler) (store.Correction, error) {
	var out store.Correction
	err := s.inTx(ctx, func(tx txn) error {
		c, err := correction(ctx, tx, `c.id = ?`, id)
		if err != nil {
			return err
		}
		if c.State != "open" {
			return store.ErrNotOpen
		}
		var seq any
		kind := ""
		if e != nil && state == "accepted" {
			ev, err := addEvent(ctx, tx, c.ResidentID, *e, schedule)
			if err != nil {
				return err
			}
			seq, kind = ev.Seq, ev.Kind
		}
		if _, err := tx.ExecContext(ctx, `UPDATE corrections SET state = ?, resolved_at = ?, note = ?, event_kind = ?, event_seq = ? WHERE id = ?`,
			state, sqldb.ToDB(at), note, kind, seq, id); err != nil {
			return err
		}
		out, err = correction(ctx, tx, `c.id = ?`, id)
		return err
	})
	return out, err
}

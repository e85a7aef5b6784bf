package sqlstore

import (
	"context"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

// logChange appends a change of the resident to the log behind the feed.
func logChange(ctx context.Context, tx txn, residentID int64, kind string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO changes(resident_id, kind, at) VALUES (?, ?, ?)`, residentID, kind, sqldb.ToDB(at))
	return err
}

// serve records that the device serves the resident from at; the first
// time, it logs a change, so the feed sends the device that resident.
func serve(ctx context.Context, tx txn, deviceID string, residentID int64, at time.Time) error {
	if deviceID == "" {
		return nil
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO served(device_id, resident_id, since) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, deviceID, residentID, sqldb.ToDB(at))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return logChange(ctx, tx, residentID, "served", at)
	}
	return nil
}

// Changes implements store.Store.
func (s *Store) Changes(ctx context.Context, deviceID string, afterSeq int64, limit int) ([]store.Change, error) {
	scan := func(r sqldb.Scanner) (c store.Change, err error) {
		err = r.Scan(&c.Seq, &c.ResidentID)
		return c, err
	}
	return sqldb.All(ctx, s.r, scan, `SELECT c.seq, c.resident_id FROM changes c
		JOIN served s ON s.resident_id = c.resident_id AND s.device_id = ?
		WHERE c.seq > ? ORDER BY c.seq LIMIT ?`, deviceID, afterSeq, limit)
}

// Boundaries implements store.Store.
func (s *Store) Boundaries(ctx context.Context, deviceID string, after, through, posAt time.Time, posResident int64, limit int) ([]store.Boundary, error) {
	scan := func(r sqldb.Scanner) (b store.Boundary, err error) {
		var at int64
		err = r.Scan(&at, &b.ResidentID)
		b.At = sqldb.FromDB(at)
		return b, err
	}
	return sqldb.All(ctx, s.r, scan, `SELECT b.at, b.resident_id FROM boundaries b
		JOIN served s ON s.resident_id = b.resident_id AND s.device_id = ?
		WHERE b.at > ? AND b.at <= ? AND (b.at > ? OR (b.at = ? AND b.resident_id > ?))
		ORDER BY b.at, b.resident_id LIMIT ?`,
		deviceID, sqldb.ToDB(after), sqldb.ToDB(through), sqldb.ToDB(posAt), sqldb.ToDB(posAt), posResident, limit)
}

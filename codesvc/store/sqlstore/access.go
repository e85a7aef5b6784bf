package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

// accessChunk bounds the rows of one INSERT: a feed page's records go in
// a few statements rather than one per resident.
const accessChunk = 100

// RecordAccess implements store.Store.
func (s *Store) RecordAccess(ctx context.Context, recs []store.AccessRecord) error {
	if len(recs) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx txn) error {
		for len(recs) > 0 {
			n := min(len(recs), accessChunk)
			var q strings.Builder
			q.WriteString(`INSERT INTO access_records(resident_key, at, device_id, place, role, purpose, action, worker_id) VALUES `)
			args := make([]any, 0, 8*n)
			for i, r := range recs[:n] {
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
				args = append(args, r.ResidentKey, sqldb.ToDB(r.At), r.DeviceID, r.Place, r.Role, r.Purpose, r.Action, r.WorkerID)
			}
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				return err
			}
			recs = recs[n:]
		}
		return nil
	})
}

// AccessGroups implements store.Store.
func (s *Store) AccessGroups(ctx context.Context, residentKey []byte, since time.Time, limit int) ([]store.AccessGroup, error) {
	scan := func(r sqldb.Scanner) (g store.AccessGroup, err error) {
		var first, last int64
		err = r.Scan(&g.Place, &g.Purpose, &g.Count, &first, &last)
		g.First, g.Last = sqldb.FromDB(first), sqldb.FromDB(last)
		return g, err
	}
	return sqldb.All(ctx, s.r, scan, `SELECT place, purpose, count(*), min(at), max(at) FROM access_records
		WHERE resident_key = ? AND at >= ? GROUP BY place, purpose ORDER BY max(at) DESC, max(id) DESC LIMIT ?`,
		residentKey, sqldb.ToDB(since), limit)
}

// AccessRecords implements store.Store.
func (s *Store) AccessRecords(ctx context.Context, residentKey []byte, since time.Time) ([]store.AccessRecord, error) {
	scan := func(r sqldb.Scanner) (a store.AccessRecord, err error) {
		var at int64
		err = r.Scan(&a.ID, &a.ResidentKey, &at, &a.DeviceID, &a.Place, &a.Role, &a.Purpose, &a.Action, &a.WorkerID)
		a.At = sqldb.FromDB(at)
		return a, err
	}
	return sqldb.All(ctx, s.r, scan, `SELECT id, resident_key, at, device_id, place, role, purpose, action, worker_id FROM access_records
		WHERE resident_key = ? AND at >= ? ORDER BY at, id`, residentKey, sqldb.ToDB(since))
}

// PurgeAccess implements store.Store.
func (s *Store) PurgeAccess(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM access_records WHERE at < ?`, sqldb.ToDB(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

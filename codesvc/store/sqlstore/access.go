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

// Access records are written on every request about a resident, before
// its answer, so concurrent calls are grouped as nonces are (see group):
// one transaction, one commit, writes a batch's records. A batch that
// fails fails every call in it, and none of its records is kept.
const maxAccessBatch = 256 // records in one transaction

// accessReq is one RecordAccess call waiting in a batch.
type accessReq struct {
	recs []store.AccessRecord
	err  error
	done chan struct{} // closed when err is set
}

// accessBatcher is RecordAccess's queue.
type accessBatcher struct {
	group[*accessReq]
}

// init readies b to write its batches on s.
func (b *accessBatcher) init(s *Store) {
	b.done = func(r *accessReq) chan struct{} { return r.done }
	b.timeout = batchTimeout
	b.take = func(q []*accessReq) int {
		k, rows := 0, 0
		for k < len(q) && (k == 0 || rows+len(q[k].recs) <= maxAccessBatch) {
			rows += len(q[k].recs)
			k++
		}
		return k
	}
	b.run = func(ctx context.Context, batch []*accessReq) {
		err := s.inTx(ctx, func(tx txn) error {
			for _, r := range batch {
				if err := insertAccess(ctx, tx, r.recs); err != nil {
					return err
				}
			}
			return nil
		})
		for _, r := range batch {
			r.err = err
			close(r.done)
		}
	}
}

// RecordAccess implements store.Store.
func (s *Store) RecordAccess(ctx context.Context, recs []store.AccessRecord) error {
	if len(recs) == 0 {
		return nil
	}
	r := &accessReq{recs: recs, done: make(chan struct{})}
	if err := s.access.do(ctx, r); err != nil {
		return err
	}
	return r.err
}

// insertAccess writes records in statements of accessChunk rows.
func insertAccess(ctx context.Context, tx txn, recs []store.AccessRecord) error {
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

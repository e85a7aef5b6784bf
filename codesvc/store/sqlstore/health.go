package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

// SetHealthConsent implements store.Store.
func (s *Store) SetHealthConsent(ctx context.Context, c store.HealthConsent, export []store.ExportEntry, chain store.ExportChain) error {
	return s.inTx(ctx, func(tx txn) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO health_consents(resident_id, given, version, subject, at, device_id, worker_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.ResidentID, c.Given, c.Version, c.Subject, sqldb.ToDB(c.At), c.DeviceID, c.WorkerID); err != nil {
			return err
		}
		if !c.Given {
			if _, err := tx.ExecContext(ctx, `DELETE FROM export_marks WHERE resident_id = ?`, c.ResidentID); err != nil {
				return err
			}
			return appendExport(ctx, tx, export, chain)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO export_marks(resident_id, subject, colour) VALUES (?, ?, '')
			ON CONFLICT(resident_id) DO UPDATE SET subject = excluded.subject`, c.ResidentID, c.Subject); err != nil {
			return err
		}
		return appendExport(ctx, tx, export, chain)
	})
}

const consentCols = `id, resident_id, given, version, subject, at, device_id, worker_id`

// HealthConsent implements store.Store.
func (s *Store) HealthConsent(ctx context.Context, residentID int64) (store.HealthConsent, error) {
	var c store.HealthConsent
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT `+consentCols+` FROM health_consents WHERE resident_id = ? ORDER BY id DESC LIMIT 1`, residentID).
		Scan(&c.ID, &c.ResidentID, &c.Given, &c.Version, &c.Subject, &at, &c.DeviceID, &c.WorkerID)
	if errors.Is(err, sql.ErrNoRows) {
		return c, store.ErrNotFound
	}
	c.At = sqldb.FromDB(at)
	return c, err
}

// ExportMark implements store.Store.
func (s *Store) ExportMark(ctx context.Context, residentID int64) (store.ExportMark, error) {
	m := store.ExportMark{ResidentID: residentID}
	err := s.r.QueryRowContext(ctx, `SELECT subject, colour FROM export_marks WHERE resident_id = ?`, residentID).Scan(&m.Subject, &m.Colour)
	if errors.Is(err, sql.ErrNoRows) {
		return m, store.ErrNotFound
	}
	return m, err
}

func exportState(ctx context.Context, q querier) (store.ExportState, error) {
	var st store.ExportState
	var through int64
	err := q.QueryRowContext(ctx, `SELECT change_seq, through, through_resident FROM export_state WHERE id = 1`).
		Scan(&st.ChangeSeq, &through, &st.ThroughResident)
	st.Through = sqldb.FromDB(through)
	return st, err
}

// ExportState implements store.Store.
func (s *Store) ExportState(ctx context.Context) (store.ExportState, error) {
	return exportState(ctx, s.r)
}

// ExportChanges implements store.Store.
func (s *Store) ExportChanges(ctx context.Context, afterSeq int64, limit int) ([]store.ExportChange, error) {
	scan := func(r sqldb.Scanner) (c store.ExportChange, err error) {
		var at int64
		err = r.Scan(&c.Seq, &c.ResidentID, &c.Kind, &at)
		c.At = sqldb.FromDB(at)
		return c, err
	}
	return sqldb.All(ctx, s.r, scan, `SELECT c.seq, c.resident_id, c.kind, c.at FROM changes c
		JOIN export_marks m ON m.resident_id = c.resident_id
		WHERE c.seq > ? ORDER BY c.seq LIMIT ?`, afterSeq, limit)
}

// ExportBoundaries implements store.Store.
func (s *Store) ExportBoundaries(ctx context.Context, from store.ExportState, through time.Time, limit int) ([]store.Boundary, error) {
	scan := func(r sqldb.Scanner) (b store.Boundary, err error) {
		var at int64
		err = r.Scan(&at, &b.ResidentID)
		b.At = sqldb.FromDB(at)
		return b, err
	}
	after := sqldb.ToDB(from.Through)
	return sqldb.All(ctx, s.r, scan, `SELECT b.at, b.resident_id FROM boundaries b
		JOIN export_marks m ON m.resident_id = b.resident_id
		WHERE (b.at > ? OR (b.at = ? AND b.resident_id > ?)) AND b.at <= ?
		ORDER BY b.at, b.resident_id LIMIT ?`, after, after, from.ThroughResident, sqldb.ToDB(through), limit)
}

// AppendExport implements store.Store.
func (s *Store) AppendExport(ctx context.Context, from, to store.ExportState, entries []store.ExportEntry, chain store.ExportChain) error {
	return s.inTx(ctx, func(tx txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE export_state SET change_seq = ?, through = ?, through_resident = ?
			WHERE id = 1 AND change_seq = ? AND through = ? AND through_resident = ?`,
			to.ChangeSeq, sqldb.ToDB(to.Through), to.ThroughResident, from.ChangeSeq, sqldb.ToDB(from.Through), from.ThroughResident)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return store.ErrConflict
		}
		return appendExport(ctx, tx, entries, chain)
	})
}

// appendExport appends entries after the last one, each hashed with the
// one before, and keeps the marks' last colour. Writers take turns (the
// write lock), so the last entry read here stays the last.
func appendExport(ctx context.Context, tx txn, entries []store.ExportEntry, chain store.ExportChain) error {
	if len(entries) == 0 {
		return nil
	}
	var seq int64
	var prev []byte
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM exports ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	for _, e := range entries {
		seq++
		e.Seq = seq
		e.Hash = chain(prev, e)
		var exp any
		if !e.ExpiresAt.IsZero() {
			exp = sqldb.ToDB(e.ExpiresAt)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO exports(seq, resident_id, subject, kind, at, colour, expires_at, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Seq, e.ResidentID, e.Subject, e.Kind, sqldb.ToDB(e.At), e.Colour, exp, e.Hash); err != nil {
			return err
		}
		if e.Colour != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE export_marks SET colour = ? WHERE resident_id = ?`, e.Colour, e.ResidentID); err != nil {
				return err
			}
		}
		prev = e.Hash
	}
	return nil
}

// Exports implements store.Store.
func (s *Store) Exports(ctx context.Context, afterSeq int64, limit int) ([]store.ExportEntry, error) {
	scan := func(r sqldb.Scanner) (e store.ExportEntry, err error) {
		var at int64
		var exp sql.NullInt64
		err = r.Scan(&e.Seq, &e.ResidentID, &e.Subject, &e.Kind, &at, &e.Colour, &exp, &e.Hash)
		e.At, e.ExpiresAt = sqldb.FromDB(at), sqldb.FromDB(exp.Int64)
		return e, err
	}
	return sqldb.All(ctx, s.r, scan, `SELECT seq, resident_id, subject, kind, at, colour, expires_at, hash FROM exports
		WHERE seq > ? ORDER BY seq LIMIT ?`, afterSeq, limit)
}

package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

// ResidentByKey implements store.Store. It is the status lookup's one
// query: a prepared statement on the read pool, one row.
func (s *Store) ResidentByKey(ctx context.Context, key []byte) (store.Resident, []store.Event, error) {
	var r store.Resident
	var created int64
	var evJSON []byte
	if err := ctx.Err(); err != nil {
		return store.Resident{}, nil, err
	}
	err := s.stmtResident.QueryRowContext(s.pointCtx(ctx), key).Scan(&r.ID, &r.Ref, &r.MaskedName, &r.MaskedID, &created, &evJSON)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Resident{}, nil, store.ErrNotFound
	}
	if err != nil {
		return store.Resident{}, nil, err
	}
	r.CreatedAt = sqldb.FromDB(created)
	r.Key = key
	var rows []eventJSON
	if err := json.Unmarshal(evJSON, &rows); err != nil {
		return store.Resident{}, nil, fmt.Errorf("events of resident %d: %w", r.ID, err)
	}
	if len(rows) == 0 {
		return r, nil, nil
	}
	evs := make([]store.Event, len(rows))
	for i, e := range rows {
		evs[i] = store.Event{Seq: e.Seq, Kind: e.Kind, At: sqldb.FromDB(e.At), RecordedAt: sqldb.FromDB(e.RecordedAt), Source: e.Source}
	}
	// json_group_array keeps its ORDER BY; sorting again costs nothing
	// on sorted input and does not depend on it.
	slices.SortFunc(evs, func(a, b store.Event) int { return cmp.Compare(a.Seq, b.Seq) })
	return r, evs, nil
}

// eventJSON is one element of the aggregated events column.
type eventJSON struct {
	Seq        int64  `json:"s"`
	Kind       string `json:"k"`
	At         int64  `json:"a"`
	RecordedAt int64  `json:"r"`
	Source     string `json:"o"`
}

func residentByID(ctx context.Context, q querier, id int64) (store.Resident, []store.Event, error) {
	var r store.Resident
	var created int64
	err := q.QueryRowContext(ctx, `SELECT id, key, ref, masked_name, masked_id, contact_sealed, created_at FROM residents WHERE id = ?`, id).
		Scan(&r.ID, &r.Key, &r.Ref, &r.MaskedName, &r.MaskedID, &r.ContactSealed, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return r, nil, store.ErrNotFound
	}
	if err != nil {
		return r, nil, err
	}
	r.CreatedAt = sqldb.FromDB(created)
	evs, err := events(ctx, q, id)
	return r, evs, err
}

func events(ctx context.Context, q querier, residentID int64) ([]store.Event, error) {
	return sqldb.All(ctx, q, scanEvent, `SELECT seq, kind, at, recorded_at, source FROM events WHERE resident_id = ? ORDER BY seq`, residentID)
}

func scanEvent(r sqldb.Scanner) (store.Event, error) {
	var e store.Event
	var at, rec int64
	err := r.Scan(&e.Seq, &e.Kind, &at, &rec, &e.Source)
	e.At, e.RecordedAt = sqldb.FromDB(at), sqldb.FromDB(rec)
	return e, err
}

// ResidentByID implements store.Store.
func (s *Store) ResidentByID(ctx context.Context, id int64) (store.Resident, []store.Event, []store.Token, error) {
	r, evs, err := residentByID(ctx, s.r, id)
	if err != nil {
		return r, nil, nil, err
	}
	toks, err := sqldb.All(ctx, s.r, scanToken, `SELECT `+tokenCols+` FROM tokens WHERE resident_id = ? ORDER BY issued_at, id`, id)
	if err != nil {
		return r, nil, nil, err
	}
	return r, evs, toks, nil
}

func ensureResident(ctx context.Context, tx txn, r store.Resident) (store.Resident, bool, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM residents WHERE key = ?`, r.Key).Scan(&id)
	if err == nil {
		got, _, err := residentByID(ctx, tx, id)
		return got, false, err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return r, false, err
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO residents(key, ref, masked_name, masked_id, contact_sealed, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		r.Key, r.Ref, r.MaskedName, r.MaskedID, r.ContactSealed, sqldb.ToDB(r.CreatedAt)).Scan(&r.ID)
	return r, err == nil, err
}

// EnsureResident implements store.Store.
func (s *Store) EnsureResident(ctx context.Context, r store.Resident) (store.Resident, error) {
	var out store.Resident
	err := s.inTx(ctx, func(tx txn) error {
		var err error
		out, _, err = ensureResident(ctx, tx, r)
		return err
	})
	return out, err
}

func addEvent(ctx context.Context, tx txn, residentID int64, e store.Event, schedule store.Scheduler) (store.Event, error) {
	err := tx.QueryRowContext(ctx, `INSERT INTO events(resident_id, kind, at, recorded_at, source) VALUES (?, ?, ?, ?, ?) RETURNING seq`,
		residentID, e.Kind, sqldb.ToDB(e.At), sqldb.ToDB(e.RecordedAt), e.Source).Scan(&e.Seq)
	if err != nil {
		return e, err
	}
	if err := logChange(ctx, tx, residentID, "event", e.RecordedAt); err != nil {
		return e, err
	}
	if schedule == nil {
		return e, nil
	}
	evs, err := events(ctx, tx, residentID)
	if err != nil {
		return e, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM boundaries WHERE resident_id = ? AND at > ?`, residentID, sqldb.ToDB(e.RecordedAt)); err != nil {
		return e, err
	}
	for _, b := range schedule(evs) {
		if !b.After(e.RecordedAt) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO boundaries(resident_id, at) VALUES (?, ?) ON CONFLICT DO NOTHING`, residentID, sqldb.ToDB(b)); err != nil {
			return e, err
		}
	}
	return e, nil
}

// AddEvent implements store.Store.
func (s *Store) AddEvent(ctx context.Context, residentID int64, e store.Event, schedule store.Scheduler) (store.Event, error) {
	var out store.Event
	err := s.inTx(ctx, func(tx txn) error {
		var err error
		out, err = addEvent(ctx, tx, residentID, e, schedule)
		return err
	})
	return out, err
}

package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

// maxResidentBatch bounds the keys of one grouped read.
const maxResidentBatch = 64

// residentReq is one ResidentByKey call waiting in a batch.
type residentReq struct {
	key  []byte
	r    store.Resident
	evs  []store.Event
	err  error
	done chan struct{} // closed when r, evs and err are set
}

// residentBatcher is ResidentByKey's queue: the status lookup's read, the
// one statement of a lookup not otherwise grouped. On PostgreSQL most of
// a statement's cost is its round trip (docs/deploy.md, "Where a lookup's
// time goes"), so concurrent lookups read their residents in one.
type residentBatcher struct {
	group[*residentReq]
	stmts stmtCache // the read of n keys
}

// init readies b to read its batches on s.
func (b *residentBatcher) init(s *Store) {
	b.take = func(q []*residentReq) int { return maxResidentBatch }
	b.done = func(r *residentReq) chan struct{} { return r.done }
	if !s.d.DetachPointReads {
		b.timeout = batchTimeout
	}
	b.run = func(ctx context.Context, batch []*residentReq) {
		err := s.readResidents(s.pointCtx(ctx), b, batch)
		for _, r := range batch {
			if err != nil {
				r.r, r.evs, r.err = store.Resident{}, nil, err
			}
			close(r.done)
		}
	}
}

// residentsQuery reads the residents of n keys, each in one row with its
// events aggregated as a JSON array: with go-sqlite3 every row stepped
// costs a round of cgo calls, and the joined form (one row per event)
// measured about four times slower (BenchmarkReadPath).
func (s *Store) residentsQuery(n int) string {
	return `SELECT r.key, r.id, r.ref, r.masked_name, r.masked_id, r.created_at,
		(SELECT ` + s.d.EventsJSON + ` FROM events e WHERE e.resident_id = r.id)
		FROM residents r WHERE r.key IN (` + strings.Repeat("?, ", n-1) + `?)`
}

// ResidentByKey implements store.Store. It is the status lookup's one
// read: concurrent calls share one statement (see group).
func (s *Store) ResidentByKey(ctx context.Context, key []byte) (store.Resident, []store.Event, error) {
	r := &residentReq{key: key, err: store.ErrNotFound, done: make(chan struct{})}
	if err := s.residents.do(ctx, r); err != nil {
		return store.Resident{}, nil, err
	}
	return r.r, r.evs, r.err
}

// readResidents reads one batch's residents and sets each call's
// resident and events; a call whose key has no row keeps ErrNotFound. A
// key asked twice in the batch is read once. A resident whose events do
// not decode fails the calls for her key only; the error it returns
// (the statement's, or a row that does not scan) fails the whole batch.
func (s *Store) readResidents(ctx context.Context, b *residentBatcher, batch []*residentReq) error {
	byKey := make(map[string][]*residentReq, len(batch))
	args := make([]any, 0, len(batch))
	for _, r := range batch {
		if byKey[string(r.key)] == nil {
			args = append(args, r.key)
		}
		byKey[string(r.key)] = append(byKey[string(r.key)], r)
	}
	st, err := b.stmts.get(ctx, s.r, len(args), s.residentsQuery)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key, evJSON []byte
		res, err := scanResident(rows, &key, &evJSON)
		if err != nil {
			return err
		}
		evs, err := decodeEvents(res.ID, evJSON)
		if err != nil {
			res = store.Resident{}
		}
		for _, r := range byKey[string(key)] {
			r.r, r.evs, r.err = res, evs, err
			if err == nil {
				r.r.Key = r.key
			}
		}
	}
	return rows.Err()
}

// scanResident scans one row of residentsQuery: its key into key and its
// aggregated events into evJSON.
func scanResident(row sqldb.Scanner, key, evJSON *[]byte) (store.Resident, error) {
	var r store.Resident
	var created int64
	if err := row.Scan(key, &r.ID, &r.Ref, &r.MaskedName, &r.MaskedID, &created, evJSON); err != nil {
		return store.Resident{}, err
	}
	r.CreatedAt = sqldb.FromDB(created)
	return r, nil
}

// decodeEvents decodes the aggregated events column of resident id, in
// Seq order.
func decodeEvents(id int64, evJSON []byte) ([]store.Event, error) {
	var rows []eventJSON
	if err := json.Unmarshal(evJSON, &rows); err != nil {
		return nil, fmt.Errorf("events of resident %d: %w", id, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	evs := make([]store.Event, len(rows))
	for i, e := range rows {
		evs[i] = store.Event{Seq: e.Seq, Kind: e.Kind, At: sqldb.FromDB(e.At), RecordedAt: sqldb.FromDB(e.RecordedAt), Source: e.Source}
	}
	// json_group_array keeps its ORDER BY; sorting again costs nothing
	// on sorted input and does not depend on it.
	slices.SortFunc(evs, func(a, b store.Event) int { return cmp.Compare(a.Seq, b.Seq) })
	return evs, nil
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

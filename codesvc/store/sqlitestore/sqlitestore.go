package sqlitestore

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

// Store is the SQLite store.Store.
type Store struct {
	w, r *sql.DB
	kek  *wrapper // wraps secrets and private keys (kek.go)

	stmtResident *sql.Stmt // read pool: resident + events by key
	stmtDevice   *sql.Stmt // read pool: device by ID
	stmtToken    *sql.Stmt // read pool: token by ID
}

var _ store.Store = (*Store)(nil)

func (s *Store) prepare(ctx context.Context) error {
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = s.r.PrepareContext(ctx, q)
		return st
	}
	// One row per lookup: the events come aggregated as a JSON array. With
	// go-sqlite3 every row stepped costs a round of cgo calls, and the
	// joined form (one row per event) measured about four times slower
	// (BenchmarkReadPath).
	s.stmtResident = prep(`SELECT r.id, r.ref, r.masked_name, r.masked_id, r.created_at,
		(SELECT json_group_array(json_object('s', e.seq, 'k', e.kind, 'a', e.at, 'r', e.recorded_at, 'o', e.source) ORDER BY e.seq)
		 FROM events e WHERE e.resident_id = r.id)
		FROM residents r WHERE r.key = ?`)
	s.stmtDevice = prep(`SELECT id, name, public_key, registered_at, revoked_at FROM devices WHERE id = ?`)
	s.stmtToken = prep(`SELECT ` + tokenCols + ` FROM tokens WHERE id = ?`)
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	return nil
}

// Close closes both pools.
func (s *Store) Close() error {
	for _, st := range []*sql.Stmt{s.stmtResident, s.stmtDevice, s.stmtToken} {
		if st != nil {
			st.Close()
		}
	}
	return errors.Join(s.r.Close(), s.w.Close())
}

func ns(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

func tm(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

func t0(n int64) time.Time { return time.Unix(0, n).UTC() }

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
	err = sqldb.InTx(ctx, s.w, func(tx *sql.Tx) error {
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
		_, err = tx.ExecContext(ctx, `INSERT INTO secrets(name, value, wrapped) VALUES (?, ?, 1)`, name, s.kek.wrap(secretPurpose(name), v))
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
	p, err := s.kek.unwrap(secretPurpose(name), v)
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	return p, nil
}

// CreateProvisioningCode implements store.Store.
func (s *Store) CreateProvisioningCode(ctx context.Context, c store.ProvisioningCode) error {
	return sqldb.InTx(ctx, s.w, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO provisioning_codes(code_hash, note, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			c.Hash, c.Note, c.CreatedAt.UnixNano(), c.ExpiresAt.UnixNano())
		return err
	})
}

// RegisterDevice implements store.Store.
func (s *Store) RegisterDevice(ctx context.Context, codeHash []byte, d store.Device) error {
	return sqldb.InTx(ctx, s.w, func(tx *sql.Tx) error {
		var expires int64
		var used sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT expires_at, used_at FROM provisioning_codes WHERE code_hash = ?`, codeHash).Scan(&expires, &used)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return store.ErrCodeInvalid
		case err != nil:
			return err
		case used.Valid:
			return store.ErrCodeUsed
		case !d.RegisteredAt.Before(t0(expires)):
			return store.ErrCodeExpired
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM devices WHERE public_key = ? OR id = ?`, []byte(d.PublicKey), d.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return store.ErrKeyInUse
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO devices(id, name, public_key, registered_at) VALUES (?, ?, ?, ?)`,
			d.ID, d.Name, []byte(d.PublicKey), d.RegisteredAt.UnixNano()); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE provisioning_codes SET used_at = ?, device_id = ? WHERE code_hash = ?`,
			d.RegisteredAt.UnixNano(), d.ID, codeHash)
		return err
	})
}

func scanDevice(row interface{ Scan(...any) error }) (store.Device, error) {
	var d store.Device
	var pub []byte
	var reg int64
	var rev sql.NullInt64
	if err := row.Scan(&d.ID, &d.Name, &pub, &reg, &rev); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return d, store.ErrNotFound
		}
		return d, err
	}
	d.PublicKey = ed25519.PublicKey(pub)
	d.RegisteredAt, d.RevokedAt = t0(reg), tm(rev)
	return d, nil
}

// Device implements store.Store. It is on every authenticated request.
func (s *Store) Device(ctx context.Context, id string) (store.Device, error) {
	if err := ctx.Err(); err != nil {
		return store.Device{}, err
	}
	return scanDevice(s.stmtDevice.QueryRowContext(pointCtx(ctx), id))
}

// pointCtx detaches a point lookup on the read pool from ctx's
// cancellation, which the caller has checked just before. go-sqlite3
// starts a goroutine per query to watch a cancellable context, and that
// doubled the cost of the status lookup's query (BenchmarkReadPath,
// resident vs resident-cancellable-ctx); a point lookup by an indexed key
// takes microseconds, so there is nothing worth interrupting.
func pointCtx(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// Devices implements store.Store.
func (s *Store) Devices(ctx context.Context) ([]store.Device, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, name, public_key, registered_at, revoked_at FROM devices ORDER BY registered_at`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RevokeDevice implements store.Store.
func (s *Store) RevokeDevice(ctx context.Context, id string, at time.Time) error {
	return sqldb.InTx(ctx, s.w, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE devices SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`, at.UnixNano(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
}

// ResidentByKey implements store.Store. It is the status lookup's one
// query: a prepared statement on the read pool, one row.
func (s *Store) ResidentByKey(ctx context.Context, key []byte) (store.Resident, []store.Event, error) {
	var r store.Resident
	var created int64
	var evJSON []byte
	if err := ctx.Err(); err != nil {
		return store.Resident{}, nil, err
	}
	err := s.stmtResident.QueryRowContext(pointCtx(ctx), key).Scan(&r.ID, &r.Ref, &r.MaskedName, &r.MaskedID, &created, &evJSON)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Resident{}, nil, store.ErrNotFound
	}
	if err != nil {
		return store.Resident{}, nil, err
	}
	r.CreatedAt = t0(created)
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
		evs[i] = store.Event{Seq: e.Seq, Kind: e.Kind, At: t0(e.At), RecordedAt: t0(e.RecordedAt), Source: e.Source}
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

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
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
	r.CreatedAt = t0(created)
	evs, err := events(ctx, q, id)
	return r, evs, err
}

func events(ctx context.Context, q querier, residentID int64) ([]store.Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, kind, at, recorded_at, source FROM events WHERE resident_id = ? ORDER BY seq`, residentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var evs []store.Event
	for rows.Next() {
		var e store.Event
		var at, rec int64
		if err := rows.Scan(&e.Seq, &e.Kind, &at, &rec, &e.Source); err != nil {
			return nil, err
		}
		e.At, e.RecordedAt = t0(at), t0(rec)
		evs = append(evs, e)
	}
	return evs, rows.Err()
}

// ResidentByID implements store.Store.
func (s *Store) ResidentByID(ctx context.Context, id int64) (store.Resident, []store.Event, []store.Token, error) {
	r, evs, err := residentByID(ctx, s.r, id)
	if err != nil {
		return r, nil, nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE resident_id = ? ORDER BY issued_at, id`, id)
	if err != nil {
		return r, nil, nil, err
	}
	defer rows.Close()
	var toks []store.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return r, nil, nil, err
		}
		toks = append(toks, t)
	}
	return r, evs, toks, rows.Err()
}

func ensureResident(ctx context.Context, tx *sql.Tx, r store.Resident) (store.Resident, bool, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM residents WHERE key = ?`, r.Key).Scan(&id)
	if err == nil {
		got, _, err := residentByID(ctx, tx, id)
		return got, false, err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return r, false, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO residents(key, ref, masked_name, masked_id, contact_sealed, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		r.Key, r.Ref, r.MaskedName, r.MaskedID, r.ContactSealed, r.CreatedAt.UnixNano())
	if err != nil {
		return r, false, err
	}
	r.ID, err = res.LastInsertId()
	return r, true, err
}

// EnsureResident implements store.Store.
func (s *Store) EnsureResident(ctx context.Context, r store.Resident) (store.Resident, error) {
	var out store.Resident
	err := sqldb.InTx(ctx, s.w, func(tx *sql.Tx) error {
		var err error
		out, _, err = ensureResident(ctx, tx, r)
		return err
	})
	return out, err
}

func logChange(ctx context.Context, tx *sql.Tx, residentID int64, kind string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO changes(resident_id, kind, at) VALUES (?, ?, ?)`, residentID, kind, at.UnixNano())
	return err
}

func serve(ctx context.Context, tx *sql.Tx, deviceID string, residentID int64, at time.Time) error {
	if deviceID == "" {
		return nil
	}
	res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO served(device_id, resident_id, since) VALUES (?, ?, ?)`, deviceID, residentID, at.UnixNano())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return logChange(ctx, tx, residentID, "served", at)
	}
	return nil
}

func addEvent(ctx context.Context, tx *sql.Tx, residentID int64, e store.Event, schedule store.Scheduler) (store.Event, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO events(resident_id, kind, at, recorded_at, source) VALUES (?, ?, ?, ?, ?)`,
		residentID, e.Kind, e.At.UnixNano(), e.RecordedAt.UnixNano(), e.Source)
	if err != nil {
		return e, err
	}
	if e.Seq, err = res.LastInsertId(); err != nil {
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
	if _, err := tx.ExecContext(ctx, `DELETE FROM boundaries WHERE resident_id = ? AND at > ?`, residentID, e.RecordedAt.UnixNano()); err != nil {
		return e, err
	}
	for _, b := range schedule(evs) {
		if !b.After(e.RecordedAt) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO boundaries(resident_id, at) VALUES (?, ?)`, residentID, b.UnixNano()); err != nil {
			return e, err
		}
	}
	return e, nil
}

// AddEvent implements store.Store.
func (s *Store) AddEvent(ctx context.Context, residentID int64, e store.Event, schedule store.Scheduler) (store.Event, error) {
	var out store.Event
	err := sqldb.InTx(ctx, s.w, func(tx *sql.Tx) error {
		var err error
		out, err = addEvent(ctx, tx, residentID, e, schedule)
		return err
	})
	return out, err
}

// Intake implements store.Store.
func (s *Store) Intake(ctx context.Context, req store.IntakeRequest) (store.Enrolment, bool, error) {
	var out store.Enrolment
	var dup bool
	err := sqldb.InTx(ctx, s.w, func(tx *sql.Tx) error {
		e := req.Enrolment
		var digest []byte
		var created int64
		var resID sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT device_id, digest, outcome, reason, resident_id, created_at FROM enrolments WHERE client_id = ?`, e.ClientID).
			Scan(&out.DeviceID, &digest, &out.Outcome, &out.Reason, &resID, &created)
		if err == nil {
			if !bytes.Equal(digest, e.Digest) {
				return store.ErrConflict
			}
			out.ClientID, out.Digest, out.CreatedAt, dup = e.ClientID, digest, t0(created), true
			if resID.Valid {
				if err := tx.QueryRowContext(ctx, `SELECT ref FROM residents WHERE id = ?`, resID.Int64).Scan(&out.ResidentRef); err != nil {
					return err
				}
			}
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var rid any
		if e.Outcome != store.Rejected {
			r, _, err := ensureResident(ctx, tx, req.Resident)
			if err != nil {
				return err
			}
			reason, err := linkProxy(ctx, tx, req.ProxyKey, r.ID, req.Caps, e.CreatedAt)
			if err != nil {
				return err
			}
			if reason != "" {
				e.Outcome, e.Reason = store.Rejected, reason
			} else {
				if _, err := tx.ExecContext(ctx, `UPDATE residents SET masked_name = ?, contact_sealed = ? WHERE id = ?`,
					req.Resident.MaskedName, req.Resident.ContactSealed, r.ID); err != nil {
					return err
				}
				e.Outcome, e.ResidentRef, rid = store.Accepted, r.Ref, r.ID
				if err := serve(ctx, tx, e.DeviceID, r.ID, e.CreatedAt); err != nil {
					return err
				}
			}
		}
		if e.Outcome == store.Rejected {
			e.ResidentRef = ""
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO enrolments(client_id, device_id, digest, outcome, reason, resident_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			e.ClientID, e.DeviceID, e.Digest, e.Outcome, e.Reason, rid, e.CreatedAt.UnixNano())
		out = e
		return err
	})
	if err != nil {
		return store.Enrolment{}, false, err
	}
	return out, dup, nil
}

// linkProxy links a family proxy to a resident within the caps; it
// returns a rejection reason when a cap would be exceeded. Note that a
// rejected item leaves the resident row it may have created: that row has
// no events and no served device, and the next accepted enrolment uses it.
func linkProxy(ctx context.Context, tx *sql.Tx, proxyKey []byte, residentID int64, caps store.ProxyCaps, at time.Time) (string, error) {
	if proxyKey == nil {
		return "", nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM proxies WHERE proxy_key = ? AND resident_id = ?`, proxyKey, residentID).Scan(&n); err != nil {
		return "", err
	}
	if n > 0 {
		return "", nil
	}
	var perProxy, perResident int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM proxies WHERE proxy_key = ?`, proxyKey).Scan(&perProxy); err != nil {
		return "", err
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM proxies WHERE resident_id = ?`, residentID).Scan(&perResident); err != nil {
		return "", err
	}
	if perProxy >= caps.ResidentsPerProxy || perResident >= caps.ProxiesPerResident {
		return "proxy_cap_exceeded", nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO proxies(proxy_key, resident_id, since) VALUES (?, ?, ?)`, proxyKey, residentID, at.UnixNano())
	return "", err
}

const tokenCols = `id, resident_id, key_id, issued_at, expires_at, state, state_at, coalesce(superseded_by, ''), device_id, worker_id`

func scanToken(row interface{ Scan(...any) error }) (store.Token, error) {
	var t store.Token
	var iss, exp, sat int64
	err := row.Scan(&t.ID, &t.ResidentID, &t.KeyID, &iss, &exp, &t.State, &sat, &t.SupersededBy, &t.DeviceID, &t.WorkerID)
	if errors.Is(err, sql.ErrNoRows) {
		return t, store.ErrNotFound
	}
	t.IssuedAt, t.ExpiresAt, t.StateAt = t0(iss), t0(exp), t0(sat)
	return t, err
}

// IssueToken implements store.Store.
func (s *Store) IssueToken(ctx context.Context, t store.Token, replace bool, supersede string) ([]string, error) {
	var out []string
	err := sqldb.InTx(ctx, s.w, func(tx *sql.Tx) error {
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
		rows, err := tx.QueryContext(ctx, `SELECT id FROM tokens WHERE resident_id = ? AND state = 'active' AND expires_at > ? ORDER BY id`, t.ResidentID, t.IssuedAt.UnixNano())
		if err != nil {
			return err
		}
		var active []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			active = append(active, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(active) > 0 && !replace && supersede == "" {
			return store.ErrActiveToken
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tokens(id, resident_id, key_id, issued_at, expires_at, state, state_at, device_id, worker_id) VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?)`,
			t.ID, t.ResidentID, t.KeyID, t.IssuedAt.UnixNano(), t.ExpiresAt.UnixNano(), t.IssuedAt.UnixNano(), t.DeviceID, t.WorkerID); err != nil {
			return err
		}
		for _, id := range active {
			if _, err := tx.ExecContext(ctx, `UPDATE tokens SET state = 'superseded', state_at = ?, superseded_by = ? WHERE id = ?`, t.IssuedAt.UnixNano(), t.ID, id); err != nil {
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
func (s *Store) RevokeTokens(ctx context.Context, residentID int64, at time.Time) ([]string, error) {
	var out []string
	err := sqldb.InTx(ctx, s.w, func(tx *sql.Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `UPDATE tokens SET state = 'revoked', state_at = ? WHERE resident_id = ? AND state = 'active' RETURNING id`, at.UnixNano(), residentID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			out = append(out, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
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
	err := sqldb.InTx(ctx, s.w, func(tx *sql.Tx) error {
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
			p.ClientID, p.TokenID, p.DeviceID, p.WorkerID, p.PrintedAt.UnixNano(), p.RecordedAt.UnixNano()); err != nil {
			return err
		}
		return serve(ctx, tx, p.DeviceID, residentID, p.RecordedAt)
	})
	return dup, err
}

// Changes implements store.Store.
func (s *Store) Changes(ctx context.Context, deviceID string, afterSeq int64, limit int) ([]store.Change, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT c.seq, c.resident_id FROM changes c
		JOIN served s ON s.resident_id = c.resident_id AND s.device_id = ?
		WHERE c.seq > ? ORDER BY c.seq LIMIT ?`, deviceID, afterSeq, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Change
	for rows.Next() {
		var c store.Change
		if err := rows.Scan(&c.Seq, &c.ResidentID); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Boundaries implements store.Store.
func (s *Store) Boundaries(ctx context.Context, deviceID string, after, through, posAt time.Time, posResident int64, limit int) ([]store.Boundary, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT b.at, b.resident_id FROM boundaries b
		JOIN served s ON s.resident_id = b.resident_id AND s.device_id = ?
		WHERE b.at > ? AND b.at <= ? AND (b.at > ? OR (b.at = ? AND b.resident_id > ?))
		ORDER BY b.at, b.resident_id LIMIT ?`,
		deviceID, after.UnixNano(), through.UnixNano(), posAt.UnixNano(), posAt.UnixNano(), posResident, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Boundary
	for rows.Next() {
		var at int64
		var b store.Boundary
		if err := rows.Scan(&at, &b.ResidentID); err != nil {
			return nil, err
		}
		b.At = t0(at)
		out = append(out, b)
	}
	return out, rows.Err()
}

const correctionCols = `c.id, c.client_id, c.resident_id, r.ref, c.device_id, c.worker_id, c.reason, c.filed_at, c.state, c.resolved_at, c.note, c.event_kind`

func scanCorrection(row interface{ Scan(...any) error }) (store.Correction, error) {
	var c store.Correction
	var filed int64
	var resolved sql.NullInt64
	err := row.Scan(&c.ID, &c.ClientID, &c.ResidentID, &c.ResidentRef, &c.DeviceID, &c.WorkerID, &c.Reason, &filed, &c.State, &resolved, &c.Note, &c.EventKind)
	if errors.Is(err, sql.ErrNoRows) {
		return c, store.ErrNotFound
	}
	c.FiledAt, c.ResolvedAt = t0(filed), tm(resolved)
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
	err := sqldb.InTx(ctx, s.w, func(tx *sql.Tx) error {
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
		res, err := tx.ExecContext(ctx, `INSERT INTO corrections(client_id, resident_id, device_id, worker_id, reason, filed_at, state) VALUES (?, ?, ?, ?, ?, ?, 'open')`,
			c.ClientID, c.ResidentID, c.DeviceID, c.WorkerID, c.Reason, c.FiledAt.UnixNano())
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
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
	rows, err := s.r.QueryContext(ctx, q+" ORDER BY c.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Correction
	for rows.Next() {
		c, err := scanCorrection(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ResolveCorrection implements store.Store.
func (s *Store) ResolveCorrection(ctx context.Context, id int64, state, note string, at time.Time, e *store.Event, schedule store.Scheduler) (store.Correction, error) {
	var out store.Correction
	err := sqldb.InTx(ctx, s.w, func(tx *sql.Tx) error {
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
			state, at.UnixNano(), note, kind, seq, id); err != nil {
			return err
		}
		out, err = correction(ctx, tx, `c.id = ?`, id)
		return err
	})
	return out, err
}

// PutWorker implements store.Store: it adds or replaces a worker.
func (s *Store) PutWorker(ctx context.Context, w store.Worker) error {
	return sqldb.InTx(ctx, s.w, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO workers(id, display_name, password_hash, created_at, updated_at, disabled) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET display_name = excluded.display_name, password_hash = excluded.password_hash,
			updated_at = excluded.updated_at, disabled = excluded.disabled`,
			w.ID, w.DisplayName, w.PasswordHash, w.CreatedAt.UnixNano(), w.UpdatedAt.UnixNano(), w.Disabled)
		return err
	})
}

const workerCols = `id, display_name, password_hash, created_at, updated_at, disabled`

func scanWorker(row interface{ Scan(...any) error }) (store.Worker, error) {
	var w store.Worker
	var c, u int64
	err := row.Scan(&w.ID, &w.DisplayName, &w.PasswordHash, &c, &u, &w.Disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return w, store.ErrNotFound
	}
	w.CreatedAt, w.UpdatedAt = t0(c), t0(u)
	return w, err
}

// Worker implements store.Store.
func (s *Store) Worker(ctx context.Context, id string) (store.Worker, error) {
	return scanWorker(s.r.QueryRowContext(ctx, `SELECT `+workerCols+` FROM workers WHERE id = ?`, id))
}

// Workers implements store.Store.
func (s *Store) Workers(ctx context.Context) ([]store.Worker, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+workerCols+` FROM workers ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Worker
	for rows.Next() {
		w, err := scanWorker(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// AddSigningKey implements store.Store: k becomes the key in use and every
// other unretired key is retired at retireOthersAt.
func (s *Store) AddSigningKey(ctx context.Context, k store.SigningKey, retireOthersAt time.Time) error {
	return sqldb.InTx(ctx, s.w, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL`, retireOthersAt.UnixNano()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO signing_keys(key_id, issuer, private_key, created_at, wrapped) VALUES (?, ?, ?, ?, 1)`,
			k.KeyID, k.Issuer, s.kek.wrap(signingKeyPurpose(k.KeyID), k.PrivateKey), k.CreatedAt.UnixNano())
		if err != nil && strings.Contains(err.Error(), "UNIQUE") {
			return store.ErrExists
		}
		return err
	})
}

// SigningKeys implements store.Store, oldest first, with the private keys
// unwrapped.
func (s *Store) SigningKeys(ctx context.Context) ([]store.SigningKey, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT key_id, issuer, private_key, created_at, retired_at, wrapped FROM signing_keys ORDER BY created_at, key_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.SigningKey
	for rows.Next() {
		var k store.SigningKey
		var priv []byte
		var c int64
		var r sql.NullInt64
		var wrapped bool
		if err := rows.Scan(&k.KeyID, &k.Issuer, &priv, &c, &r, &wrapped); err != nil {
			return nil, err
		}
		if !wrapped {
			return nil, fmt.Errorf("signing key %s is stored in the clear; restart the service to wrap it", k.KeyID)
		}
		if priv, err = s.kek.unwrap(signingKeyPurpose(k.KeyID), priv); err != nil {
			return nil, fmt.Errorf("signing key %s: %w", k.KeyID, err)
		}
		k.PrivateKey, k.CreatedAt, k.RetiredAt = ed25519.PrivateKey(priv), t0(c), tm(r)
		out = append(out, k)
	}
	return out, rows.Err()
}

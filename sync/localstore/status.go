package localstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

// CachedStatus is the service's last answer about one resident, as far as
// the cache keeps it: the colour and its times, nothing that narrows a
// search for the ID number behind the resident key (migration 0004).
type CachedStatus struct {
	ResidentRef  string      // the service's reference
	Resident     ResidentKey // zero when only the feed has mentioned them
	Colour       healthcode.Colour
	AsOf         time.Time // when the service computed it (service time)
	ValidUntil   time.Time // zero: no change scheduled
	Version      uint64
	RulesVersion string
	UpdatedAt    time.Time
	// MaskedName and MaskedID go to the call list (ApplyFeedStatus) and
	// are never stored in the cache: a status read back has them empty.
	MaskedName string
	MaskedID   string
}

const statusCols = `resident_ref, resident_key, colour, as_of, valid_until, version, rules_version, updated_at`

func scanStatus(r sqldb.Scanner) (CachedStatus, error) {
	var c CachedStatus
	var key []byte
	var asOf, until, updated int64
	err := r.Scan(&c.ResidentRef, &key, &c.Colour, &asOf, &until, &c.Version, &c.RulesVersion, &updated)
	c.Resident = keyFrom(key)
	c.AsOf, c.ValidUntil, c.UpdatedAt = sqldb.FromDB(asOf), sqldb.FromDB(until), sqldb.FromDB(updated)
	return c, err
}

// PutStatus stores a status unless the cache already holds a newer one
// (a higher version, or the same version computed later): an answer that
// arrives late never overwrites a fresher one. Versions count under one
// set of rules only: new rules may count a resident's scheduled ends
// differently and give a later answer a lower version, so between
// answers under different rules the later as-of wins (the later received
// at the same as-of). It reports whether
// it stored c. A non-zero c.Resident links the reference to the resident
// key.
func (tx *Tx) PutStatus(c CachedStatus) (stored bool, err error) {
	if c.ResidentRef == "" {
		return false, errors.New("put status: empty resident ref")
	}
	if !c.Resident.IsZero() {
		// A key belongs to one reference: drop a stale link first.
		if _, err := tx.exec("UPDATE status_cache SET resident_key = NULL WHERE resident_key = ? AND resident_ref != ?",
			c.Resident[:], c.ResidentRef); err != nil {
			return false, fmt.Errorf("put status: %w", err)
		}
		if _, err := tx.exec("UPDATE status_cache SET resident_key = ? WHERE resident_ref = ?", c.Resident[:], c.ResidentRef); err != nil {
			return false, fmt.Errorf("put status: %w", err)
		}
	}
	res, err := tx.exec(`INSERT INTO status_cache (`+statusCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (resident_ref) DO UPDATE SET
			colour = excluded.colour, as_of = excluded.as_of,
			valid_until = excluded.valid_until, version = excluded.version,
			rules_version = excluded.rules_version, updated_at = excluded.updated_at
		WHERE CASE WHEN excluded.rules_version != status_cache.rules_version
			THEN excluded.as_of >= status_cache.as_of
			ELSE excluded.version > status_cache.version
			  OR (excluded.version = status_cache.version AND excluded.as_of >= status_cache.as_of) END`,
		c.ResidentRef, keyArg(c.Resident), c.Colour, sqldb.ToDB(c.AsOf), sqldb.ToDB(c.ValidUntil), c.Version,
		c.RulesVersion, tx.nowDB())
	if err != nil {
		return false, fmt.Errorf("put status: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// ApplyFeedStatus stores a status that came from the feed and maintains
// the call list: when the new colour differs from the colour on the
// newest paper this kiosk printed for the resident, and the status is
// newer than that paper, the resident goes on the call list (or their open
// entry is updated); when the colour is back to the printed one, an open
// entry is closed by "feed".
func (tx *Tx) ApplyFeedStatus(c CachedStatus) (stored bool, err error) {
	stored, err = tx.PutStatus(c)
	if err != nil || !stored {
		return stored, err
	}
	var printed healthcode.Colour
	var printedAsOf int64
	err = tx.queryRow(`SELECT colour, status_as_of FROM printed_codes WHERE resident_ref = ?
		ORDER BY printed_at DESC LIMIT 1`, c.ResidentRef).Scan(&printed, &printedAsOf)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return true, fmt.Errorf("call list: %w", err)
	}
	if printed == c.Colour {
		_, err = tx.exec("UPDATE call_list SET done_at = ?, done_by = 'feed' WHERE resident_ref = ? AND done_at IS NULL",
			tx.nowDB(), c.ResidentRef)
		return true, err
	}
	if sqldb.ToDB(c.AsOf) <= printedAsOf {
		return true, nil
	}
	_, err = tx.exec(`INSERT INTO call_list (resident_ref, masked_name, masked_id, printed, current, as_of, added_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (resident_ref) WHERE done_at IS NULL DO UPDATE SET
			current = excluded.current, as_of = excluded.as_of`,
		c.ResidentRef, c.MaskedName, c.MaskedID, printed, c.Colour, sqldb.ToDB(c.AsOf), tx.nowDB())
	if err != nil {
		return true, fmt.Errorf("call list: %w", err)
	}
	return true, nil
}

// StatusByKey returns the cached status of a resident.
func (s *Store) StatusByKey(ctx context.Context, k ResidentKey) (CachedStatus, bool, error) {
	c, err := scanStatus(s.db.QueryRowContext(ctx, "SELECT "+statusCols+" FROM status_cache WHERE resident_key = ?", k[:]))
	if errors.Is(err, sql.ErrNoRows) {
		return CachedStatus{}, false, nil
	}
	if err != nil {
		return CachedStatus{}, false, s.classify("read status cache", err)
	}
	return c, true, nil
}

// StatusByRef returns the cached status for a service reference.
func (s *Store) StatusByRef(ctx context.Context, ref string) (CachedStatus, bool, error) {
	c, err := scanStatus(s.db.QueryRowContext(ctx, "SELECT "+statusCols+" FROM status_cache WHERE resident_ref = ?", ref))
	if errors.Is(err, sql.ErrNoRows) {
		return CachedStatus{}, false, nil
	}
	if err != nil {
		return CachedStatus{}, false, s.classify("read status cache", err)
	}
	return c, true, nil
}

// PrintedCode is a paper code this kiosk printed.
type PrintedCode struct {
	TokenID     string
	Resident    ResidentKey
	ResidentRef string
	TokenText   string            // the QR content: a signed token without ID number
	Colour      healthcode.Colour // the colour at print time
	StatusAsOf  time.Time
	State       string // active, revoked, superseded, expired
	ExpiresAt   time.Time
	PrintedAt   time.Time
	WorkerID    string
}

const printedCols = `token_id, resident_key, resident_ref, token_text, colour, status_as_of, state,
	expires_at, printed_at, worker_id`

// RecordPrint stores a printed paper code. Call it in the same transaction
// as the outbox item that reports the print.
func (tx *Tx) RecordPrint(p PrintedCode) error {
	if p.TokenID == "" || p.Resident.IsZero() {
		return errors.New("record print: token id and resident are required")
	}
	if p.State == "" {
		p.State = "active"
	}
	if p.PrintedAt.IsZero() {
		p.PrintedAt = tx.now
	}
	_, err := tx.exec(`INSERT INTO printed_codes (`+printedCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (token_id) DO UPDATE SET printed_at = excluded.printed_at, worker_id = excluded.worker_id,
			colour = excluded.colour, status_as_of = excluded.status_as_of`,
		p.TokenID, p.Resident[:], p.ResidentRef, p.TokenText, p.Colour, sqldb.ToDB(p.StatusAsOf), p.State,
		sqldb.ToDB(p.ExpiresAt), sqldb.ToDB(p.PrintedAt), p.WorkerID)
	if err != nil {
		return fmt.Errorf("record print: %w", err)
	}
	return nil
}

// SetTokenState records a token's state from the feed (a revocation or a
// supersession) and reports whether this kiosk printed that token.
func (tx *Tx) SetTokenState(tokenID, state string) (bool, error) {
	res, err := tx.exec("UPDATE printed_codes SET state = ? WHERE token_id = ?", state, tokenID)
	if err != nil {
		return false, fmt.Errorf("set token state: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// PrintedFor returns the codes printed here for a resident, newest first.
func (s *Store) PrintedFor(ctx context.Context, k ResidentKey) ([]PrintedCode, error) {
	out, err := sqldb.All(ctx, s.db, scanPrinted, "SELECT "+printedCols+" FROM printed_codes WHERE resident_key = ? ORDER BY printed_at DESC", k[:])
	return out, s.classify("read printed codes", err)
}

func scanPrinted(r sqldb.Scanner) (PrintedCode, error) {
	var p PrintedCode
	var key []byte
	var asOf, exp, printed int64
	err := r.Scan(&p.TokenID, &key, &p.ResidentRef, &p.TokenText, &p.Colour, &asOf, &p.State, &exp, &printed, &p.WorkerID)
	p.Resident = keyFrom(key)
	p.StatusAsOf, p.ExpiresAt, p.PrintedAt = sqldb.FromDB(asOf), sqldb.FromDB(exp), sqldb.FromDB(printed)
	return p, err
}

// CallEntry is a resident on the call list.
type CallEntry struct {
	ID          int64
	ResidentRef string
	MaskedName  string
	MaskedID    string
	Printed     healthcode.Colour // colour on their paper
	Current     healthcode.Colour // colour now
	AsOf        time.Time
	AddedAt     time.Time
}

// CallList returns the open call-list entries, oldest first.
func (s *Store) CallList(ctx context.Context) ([]CallEntry, error) {
	scan := func(r sqldb.Scanner) (CallEntry, error) {
		var e CallEntry
		var asOf, added int64
		err := r.Scan(&e.ID, &e.ResidentRef, &e.MaskedName, &e.MaskedID, &e.Printed, &e.Current, &asOf, &added)
		e.AsOf, e.AddedAt = sqldb.FromDB(asOf), sqldb.FromDB(added)
		return e, err
	}
	out, err := sqldb.All(ctx, s.db, scan, `SELECT id, resident_ref, masked_name, masked_id, printed, current, as_of, added_at
		FROM call_list WHERE done_at IS NULL ORDER BY id`)
	return out, s.classify("read call list", err)
}

// ResolveCall closes a call-list entry: the worker re-printed the code or
// visited the resident.
func (tx *Tx) ResolveCall(id int64, workerID string) error {
	res, err := tx.exec("UPDATE call_list SET done_at = ?, done_by = ? WHERE id = ? AND done_at IS NULL", tx.nowDB(), workerID, id)
	if err != nil {
		return fmt.Errorf("resolve call: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("call list entry %d: %w", id, ErrNotFound)
	}
	return nil
}

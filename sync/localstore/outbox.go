package localstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/shcommunity/kiosk/internal/sqldb"
)

// AwaitedRetention is how long a resident enrolled here stays on the
// counter's list of codes ready to print when she never takes one: after
// a month she is no longer the kiosk's to call, and the service keeps her
// enrolment.
const AwaitedRetention = 30 * 24 * time.Hour

// Outbox item states.
const (
	StatePending     = "pending"     // waiting to be pushed (or being pushed)
	StateAcked       = "acked"       // the service gave a final answer
	StateQuarantined = "quarantined" // the service refused it; needs a person
)

// NewItem is a change to enqueue.
type NewItem struct {
	ClientID string // idempotency key, unique per item
	Kind     string // what the body is; the sync engine picks the endpoint by it
	// Body is sent as it is. For anything holding personal data it must
	// be a box sealed to the service (the kiosk cannot open it again).
	Body     []byte
	Resident ResidentKey // the resident concerned, or zero
	Receipt  string      // shown to the resident while the item is pending
}

// Item is an outbox row.
type Item struct {
	Seq         int64
	ClientID    string
	Kind        string
	Body        []byte
	Resident    ResidentKey
	Receipt     string
	State       string
	Attempts    int
	Reason      string // why it is quarantined
	Outcome     string // the service's outcome once acked
	ResidentRef string // the service's reference, once known
	CreatedAt   time.Time
	UpdatedAt   time.Time
	AckedAt     time.Time
}

const itemCols = `seq, client_id, kind, body, resident_key, receipt, state, attempts, reason,
	outcome, resident_ref, created_at, updated_at, coalesce(acked_at, 0)`

func scanItem(r sqldb.Scanner) (Item, error) {
	var it Item
	var key []byte
	var created, updated, acked int64
	err := r.Scan(&it.Seq, &it.ClientID, &it.Kind, &it.Body, &key, &it.Receipt, &it.State, &it.Attempts,
		&it.Reason, &it.Outcome, &it.ResidentRef, &created, &updated, &acked)
	it.Resident = keyFrom(key)
	it.CreatedAt, it.UpdatedAt, it.AckedAt = sqldb.FromDB(created), sqldb.FromDB(updated), sqldb.FromDB(acked)
	return it, err
}

// Enqueue adds an item at the end of the outbox. Call it in the same
// transaction as the local change it reports.
func (tx *Tx) Enqueue(n NewItem) (Item, error) {
	if n.ClientID == "" || n.Kind == "" || n.Receipt == "" {
		return Item{}, fmt.Errorf("enqueue: client id, kind and receipt are required")
	}
	if len(n.Body) == 0 {
		return Item{}, fmt.Errorf("enqueue %s: empty body", n.Kind)
	}
	row := tx.queryRow(`INSERT INTO outbox (client_id, kind, body, resident_key, receipt, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING `+itemCols,
		n.ClientID, n.Kind, n.Body, keyArg(n.Resident), n.Receipt, tx.nowDB(), tx.nowDB())
	it, err := scanItem(row)
	if err != nil {
		return Item{}, fmt.Errorf("enqueue %s: %w", n.Kind, err)
	}
	return it, nil
}

// Pending returns up to limit pending items in outbox order.
func (s *Store) Pending(ctx context.Context, limit int) ([]Item, error) {
	return s.items(ctx, "SELECT "+itemCols+" FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?", limit)
}

// Quarantined returns every quarantined item, oldest first.
func (s *Store) Quarantined(ctx context.Context) ([]Item, error) {
	return s.items(ctx, "SELECT "+itemCols+" FROM outbox WHERE state = 'quarantined' ORDER BY seq")
}

// Item returns the item with the given sequence number.
func (s *Store) Item(ctx context.Context, seq int64) (Item, error) {
	it, err := scanItem(s.db.QueryRowContext(ctx, "SELECT "+itemCols+" FROM outbox WHERE seq = ?", seq))
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, fmt.Errorf("outbox item %d: %w", seq, ErrNotFound)
	}
	if err != nil {
		return Item{}, s.classify("read outbox item", err)
	}
	return it, nil
}

// PendingFor returns the newest not-yet-acknowledged item of the given
// kind for a resident (pending or quarantined): what the kiosk answers
// with a receipt number instead of a colour.
func (s *Store) PendingFor(ctx context.Context, kind string, k ResidentKey) (Item, bool, error) {
	it, err := scanItem(s.db.QueryRowContext(ctx, "SELECT "+itemCols+
		" FROM outbox WHERE resident_key = ? AND kind = ? AND state != 'acked' ORDER BY seq DESC LIMIT 1", k[:], kind))
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, false, nil
	}
	if err != nil {
		return Item{}, false, s.classify("read outbox", err)
	}
	return it, true, nil
}

func (s *Store) items(ctx context.Context, query string, args ...any) ([]Item, error) {
	out, err := sqldb.All(ctx, s.db, scanItem, query, args...)
	return out, s.classify("read outbox", err)
}

// Unacked returns the items of one kind not yet acknowledged (pending or
// quarantined), in outbox order.
func (tx *Tx) Unacked(kind string) ([]Item, error) {
	out, err := sqldb.All(tx.ctx, tx.tx, scanItem, "SELECT "+itemCols+" FROM outbox WHERE kind = ? AND state != 'acked' ORDER BY seq", kind)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, nil
}

// ReplaceBody rewrites the body of an item not yet acknowledged, keeping
// its place, client ID and receipt: for re-sealing a queued body when its
// format changes. An acknowledged item fails with ErrState.
func (tx *Tx) ReplaceBody(clientID string, body []byte) error {
	if len(body) == 0 {
		return fmt.Errorf("replace body of %s: empty body", clientID)
	}
	res, err := tx.exec("UPDATE outbox SET body = ?, updated_at = ? WHERE client_id = ? AND state != 'acked'", body, tx.nowDB(), clientID)
	if err != nil {
		return fmt.Errorf("replace outbox body: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	if err := tx.mustExist(res, clientID); err != nil {
		return err
	}
	return fmt.Errorf("outbox item %s is acked: %w", clientID, ErrState)
}

// Counts is the outbox by state.
type Counts struct {
	Pending, Quarantined, Acked int
}

// Counts counts the outbox's items by state.
func (s *Store) Counts(ctx context.Context) (Counts, error) {
	var c Counts
	err := s.db.QueryRowContext(ctx, `SELECT
		coalesce(sum(state = 'pending'), 0), coalesce(sum(state = 'quarantined'), 0), coalesce(sum(state = 'acked'), 0)
		FROM outbox`).Scan(&c.Pending, &c.Quarantined, &c.Acked)
	return c, s.classify("count outbox", err)
}

// NoteAttempt counts one more push attempt for each item.
func (tx *Tx) NoteAttempt(clientIDs ...string) error {
	for _, id := range clientIDs {
		if _, err := tx.exec("UPDATE outbox SET attempts = attempts + 1, updated_at = ? WHERE client_id = ?", tx.nowDB(), id); err != nil {
			return fmt.Errorf("note attempt: %w", err)
		}
	}
	return nil
}

// Ack records the service's final answer for an item. Acknowledging an
// already acknowledged item is a no-op, so a result applied twice (a
// crash between the service's answer and the commit) does no harm.
func (tx *Tx) Ack(clientID, outcome, residentRef string) error {
	res, err := tx.exec(`UPDATE outbox SET state = 'acked', outcome = ?, resident_ref = ?, reason = '',
		updated_at = ?, acked_at = ? WHERE client_id = ? AND state = 'pending'`,
		outcome, residentRef, tx.nowDB(), tx.nowDB(), clientID)
	if err != nil {
		return fmt.Errorf("ack outbox item: %w", err)
	}
	return tx.mustExist(res, clientID)
}

// Quarantine sets an item aside with the service's reason. It stays in
// the outbox, shown to a worker, until Retry.
func (tx *Tx) Quarantine(clientID, reason string) error {
	res, err := tx.exec(`UPDATE outbox SET state = 'quarantined', reason = ?, updated_at = ?
		WHERE client_id = ? AND state = 'pending'`, reason, tx.nowDB(), clientID)
	if err != nil {
		return fmt.Errorf("quarantine outbox item: %w", err)
	}
	return tx.mustExist(res, clientID)
}

func (tx *Tx) mustExist(res sql.Result, clientID string) error {
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	var state string
	err := tx.queryRow("SELECT state FROM outbox WHERE client_id = ?", clientID).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("outbox item %s: %w", clientID, ErrNotFound)
	}
	if err != nil {
		return err
	}
	if state == StateAcked {
		return nil
	}
	return fmt.Errorf("outbox item %s is %s: %w", clientID, state, ErrState)
}

// Retry puts a quarantined item back in the queue, in its original place,
// after someone fixed what the service objected to. A non-empty
// newClientID replaces the item's client ID: a service that records its
// refusals answers the old ID with the old refusal forever.
func (s *Store) Retry(ctx context.Context, seq int64, newClientID string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		var state string
		err := tx.queryRow("SELECT state FROM outbox WHERE seq = ?", seq).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("outbox item %d: %w", seq, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if state != StateQuarantined {
			return fmt.Errorf("retry outbox item %d (%s): %w", seq, state, ErrState)
		}
		_, err = tx.exec(`UPDATE outbox SET state = 'pending', attempts = 0, updated_at = ?,
			client_id = coalesce(nullif(?, ''), client_id) WHERE seq = ?`, tx.nowDB(), newClientID, seq)
		return err
	})
}

// PurgeAcked deletes acknowledged items older than the retention period
// and returns how many it deleted. Pending and quarantined items are never
// purged.
func (s *Store) PurgeAcked(ctx context.Context) (int, error) {
	var n int64
	err := s.InTx(ctx, func(tx *Tx) error {
		res, err := tx.exec("DELETE FROM outbox WHERE state = 'acked' AND acked_at < ?", sqldb.ToDB(tx.now.Add(-s.retention)))
		if err != nil {
			return fmt.Errorf("purge outbox: %w", err)
		}
		n, _ = res.RowsAffected()
		// An awaited code leaves with its resident: once taken, after the
		// retention; never taken, after AwaitedRetention.
		if _, err := tx.exec("DELETE FROM awaiting_code WHERE done_at < ? OR ready_at < ? OR enrolled_at < ?",
			sqldb.ToDB(tx.now.Add(-s.retention)), sqldb.ToDB(tx.now.Add(-AwaitedRetention)), sqldb.ToDB(tx.now.Add(-AwaitedRetention))); err != nil {
			return fmt.Errorf("purge awaited codes: %w", err)
		}
		// An unchecked slip likewise: closed, after the retention; never
		// closed, after AwaitedRetention.
		if _, err := tx.exec("DELETE FROM unchecked_slips WHERE done_at < ? OR printed_at < ?",
			sqldb.ToDB(tx.now.Add(-s.retention)), sqldb.ToDB(tx.now.Add(-AwaitedRetention))); err != nil {
			return fmt.Errorf("purge unchecked slips: %w", err)
		}
		return nil
	})
	return int(n), err
}

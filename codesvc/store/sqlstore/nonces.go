package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shcommunity/kiosk/internal/sqldb"
)

// Nonces are written on every authenticated request, so their cost is
// the status lookup's largest after the HTTP exchange itself. Concurrent
// calls are grouped (see group): one multi-row insert writes a batch's
// nonces.
const (
	maxNonceBatch = 64
	// nonceSweepEvery is how many nonces one Store writes between two
	// removals of expired ones: often enough that the table holds about
	// a window's worth of requests, rarely enough to cost nothing per
	// request.
	nonceSweepEvery = 1024
)

// nonceReq is one call waiting in a batch. device is the device's ID, or
// for a session nonce the session's.
type nonceReq struct {
	device, nonce string
	expires, now  int64
	fresh         bool
	err           error
	done          chan struct{} // closed when fresh and err are set
}

// nonceBatcher queues the calls of one kind: UseNonce's, by device, or
// UseSessionNonce's, by session.
type nonceBatcher struct {
	group[*nonceReq]
	// insert is the statement of n rows: 3n arguments (device or
	// session, nonce, expiry), then the batch's clock as often as nows
	// says, returning the device and nonce of each row written.
	insert func(n int) string
	nows   int
	// bySession: the rows are queued by session and come back by device,
	// so they are told apart by nonce alone. Two rows of one batch with
	// the same nonce are then one too many for PostgreSQL's upsert, which
	// may not touch a row twice in one statement: the later is refused
	// as a replay. Nonces are random; only a replay makes two alike.
	bySession bool
	stmts     stmtCache // the insert of n rows
}

// init readies b to write its batches on s.
func (b *nonceBatcher) init(s *Store, insert func(int) string, nows int, bySession bool) {
	b.insert, b.nows, b.bySession = insert, nows, bySession
	b.take = func(q []*nonceReq) int { return maxNonceBatch }
	b.done = func(r *nonceReq) chan struct{} { return r.done }
	b.timeout = batchTimeout
	b.run = func(ctx context.Context, batch []*nonceReq) {
		s.insertNonces(ctx, b, batch)
		if k := int64(len(batch)); s.nonceCount.Add(k)%nonceSweepEvery < k {
			s.sweepNonces(ctx, batch[0].now)
		}
	}
}

// deviceNonces is UseNonce's insert: it takes a row that exists only if
// the row has expired.
func deviceNonces(n int) string {
	return `INSERT INTO nonces(device_id, nonce, expires_at) VALUES ` + strings.Repeat("(?, ?, ?), ", n-1) + `(?, ?, ?)
		ON CONFLICT(device_id, nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE nonces.expires_at <= ?
		RETURNING device_id, nonce`
}

// sessionNonces is UseSessionNonce's: UseNonce's for the session's
// device, joined to the session and its device so that nothing is
// written for a session ended or expired or a device revoked. The CTE's
// casts give PostgreSQL the placeholders' types.
func sessionNonces(n int) string {
	return `WITH v(sid, nonce, expires) AS (VALUES ` +
		strings.Repeat("(CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT)), ", n-1) + `(CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT)))
		INSERT INTO nonces(device_id, nonce, expires_at)
		SELECT s.device_id, v.nonce, v.expires FROM v JOIN sessions s ON s.id = v.sid JOIN devices d ON d.id = s.device_id
		WHERE d.revoked_at IS NULL AND s.expires_at > ?
		ON CONFLICT(device_id, nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE nonces.expires_at <= ?
		RETURNING device_id, nonce`
}

// UseNonce implements store.Store.
func (s *Store) UseNonce(ctx context.Context, deviceID, nonce string, expires, now time.Time) (bool, error) {
	return s.useNonce(ctx, &s.nonces, deviceID, nonce, expires, now)
}

// UseSessionNonce implements store.Store.
func (s *Store) UseSessionNonce(ctx context.Context, sessionID, nonce string, expires, now time.Time) (bool, error) {
	return s.useNonce(ctx, &s.sessionNonces, sessionID, nonce, expires, now)
}

func (s *Store) useNonce(ctx context.Context, b *nonceBatcher, key, nonce string, expires, now time.Time) (bool, error) {
	r := &nonceReq{device: key, nonce: nonce, expires: sqldb.ToDB(expires), now: sqldb.ToDB(now), done: make(chan struct{})}
	if err := b.do(ctx, r); err != nil {
		return false, err
	}
	return r.fresh, r.err
}

// insertNonces writes one batch and answers its callers. A pair that
// appears twice in the batch (a replay sent at the same moment) is
// written once; the later copy is not fresh.
func (s *Store) insertNonces(ctx context.Context, b *nonceBatcher, batch []*nonceReq) {
	type key struct{ device, nonce string }
	keyOf := func(device, nonce string) key {
		if b.bySession {
			return key{"", nonce}
		}
		return key{device, nonce}
	}
	first := make(map[key]*nonceReq, len(batch))
	rows := batch[:0:0]
	now := batch[0].now
	for _, r := range batch {
		k := keyOf(r.device, r.nonce)
		if _, dup := first[k]; dup {
			continue
		}
		first[k] = r
		rows = append(rows, r)
		now = min(now, r.now) // the earliest clock: expiry is judged the strictest way
	}
	err := s.insertRows(ctx, b, rows, now, func(device, nonce string) {
		if r := first[keyOf(device, nonce)]; r != nil {
			r.fresh = true
		}
	})
	for _, r := range batch {
		if err != nil {
			r.fresh, r.err = false, fmt.Errorf("use nonce: %w", err)
		}
		close(r.done)
	}
}

// insertRows runs the insert of rows and calls fresh for each row written.
func (s *Store) insertRows(ctx context.Context, b *nonceBatcher, rows []*nonceReq, now int64, fresh func(device, nonce string)) error {
	st, err := b.stmts.get(ctx, s.w, len(rows), b.insert)
	if err != nil {
		return err
	}
	args := make([]any, 0, 3*len(rows)+b.nows)
	for _, r := range rows {
		args = append(args, r.device, r.nonce, r.expires)
	}
	for range b.nows {
		args = append(args, now)
	}
	res, err := st.QueryContext(ctx, args...)
	if err != nil {
		return err
	}
	defer res.Close()
	for res.Next() {
		var device, nonce string
		if err := res.Scan(&device, &nonce); err != nil {
			return err
		}
		fresh(device, nonce)
	}
	return res.Err()
}

// sweepNonces removes the nonces expired by now. A failure only leaves
// them for the next sweep: they take no request's nonce.
func (s *Store) sweepNonces(ctx context.Context, now int64) {
	s.w.ExecContext(ctx, `DELETE FROM nonces WHERE expires_at <= ?`, now)
}

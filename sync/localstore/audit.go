package localstore

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"time"

	"github.com/shcommunity/kiosk/internal/sqldb"
)

// AuditEntry is one audit row: who did what to whom, when.
type AuditEntry struct {
	Seq      int64
	At       time.Time
	WorkerID string      // empty for a resident alone at the kiosk
	Action   string      // e.g. "enrol", "print", "login_failed"
	Resident ResidentKey // zero when no resident is concerned
	Detail   string      // free text without personal data
	PrevHash []byte
	Hash     []byte
}

// ErrAuditBroken: the audit chain does not verify. The concrete error is
// an *AuditError.
var ErrAuditBroken = errors.New("local store: audit chain broken")

// AuditError says where the chain breaks.
type AuditError struct {
	Seq     int64  // the first row that does not verify (0: the chain's end)
	Problem string // "edited", "missing", "reordered", "truncated"
}

func (e *AuditError) Error() string {
	return fmt.Sprintf("audit log: row %d: %s", e.Seq, e.Problem)
}

// Is lets errors.Is(err, ErrAuditBroken) match.
func (e *AuditError) Is(target error) bool { return target == ErrAuditBroken }

// auditHash is the hash of one row: over the previous row's hash and this
// row's content, each field length-prefixed so that no two rows encode
// alike. The sequence number is part of the content, so moving a row
// breaks the chain even if its neighbours' hashes were copied along.
//
// Rows from seq keyedFrom on (every row written since the chain was
// keyed, docs/sync.md) are HMAC-SHA256 under the audit key, which lives
// in the key file, not in the database: someone who can write the file
// cannot compute them. Older rows are plain SHA-256 ("kiosk-audit-v1"),
// as those releases wrote them; a keyed head covers them too, since
// changing one changes every hash after it.
//
// The time goes in as whole Unix milliseconds, as when the store kept
// milliseconds (the chains written then must still verify), although the
// column now holds nanoseconds like every other: Audit truncates the time
// to the millisecond before it stores and hashes it, and verifyChain
// takes a stored time with a finer part for an edit.
func auditHash(key []byte, keyed bool, prev []byte, e AuditEntry) []byte {
	var h hash.Hash
	if keyed {
		h = hmac.New(sha256.New, key)
		h.Write([]byte("kiosk-audit-v2"))
	} else {
		h = sha256.New()
		h.Write([]byte("kiosk-audit-v1"))
	}
	field := func(b []byte) {
		var n [binary.MaxVarintLen64]byte
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(b)))])
		h.Write(b)
	}
	var num [8]byte
	field(prev)
	binary.BigEndian.PutUint64(num[:], uint64(e.Seq))
	field(num[:])
	binary.BigEndian.PutUint64(num[:], uint64(e.At.UnixMilli()))
	field(num[:])
	field([]byte(e.WorkerID))
	field([]byte(e.Action))
	if e.Resident.IsZero() {
		field(nil)
	} else {
		field(e.Resident[:])
	}
	field([]byte(e.Detail))
	return h.Sum(nil)
}

// auditHead is the chain's head as kept in settings: the last sequence
// number, the first keyed one, whether the chain before the keyed part
// had already failed to verify when it was keyed, and an HMAC under the
// audit key over those and the last row's hash. Without the key nobody
// can write a head that verifies, so deleting the newest rows, or
// rebuilding the chain, shows.
type auditHead struct {
	seq, keyedFrom int64
	brokenBefore   bool
	mac            []byte
}

const headLen = 8 + 8 + 1 + sha256.Size

func (h auditHead) sum(key, last []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("kiosk-audit-head-v2"))
	m.Write(binary.BigEndian.AppendUint64(nil, uint64(h.seq)))
	m.Write(binary.BigEndian.AppendUint64(nil, uint64(h.keyedFrom)))
	if h.brokenBefore {
		m.Write([]byte{1})
	} else {
		m.Write([]byte{0})
	}
	m.Write(last)
	return m.Sum(nil)
}

func (h auditHead) bytes(key, last []byte) []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(h.seq))
	b = binary.BigEndian.AppendUint64(b, uint64(h.keyedFrom))
	if h.brokenBefore {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	return append(b, h.sum(key, last)...)
}

// parseHead reads a keyed head; ok is false for anything else (the
// unkeyed head of earlier releases, or none).
func parseHead(b []byte) (h auditHead, ok bool) {
	if len(b) != headLen || b[16] > 1 {
		return h, false
	}
	return auditHead{seq: int64(binary.BigEndian.Uint64(b)), keyedFrom: int64(binary.BigEndian.Uint64(b[8:])),
		brokenBefore: b[16] == 1, mac: b[17:]}, true
}

// lastRow returns the newest row's sequence number and hash.
func (tx *Tx) lastRow() (int64, []byte, error) {
	var seq int64
	last := []byte{}
	err := tx.queryRow("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").Scan(&seq, &last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, nil, fmt.Errorf("audit: %w", err)
	}
	return seq, last, nil
}

// Audit appends a row to the audit log, keyed and chained to the previous
// one, and moves the keyed head to it.
func (tx *Tx) Audit(workerID, action string, resident ResidentKey, detail string) (AuditEntry, error) {
	e := AuditEntry{At: tx.now.Truncate(time.Millisecond).UTC(), WorkerID: workerID, Action: action, Resident: resident, Detail: detail}
	seq, prev, err := tx.lastRow()
	if err != nil {
		return AuditEntry{}, err
	}
	e.Seq, e.PrevHash = seq+1, prev
	raw, _, err := tx.Setting(settingAuditHead)
	if err != nil {
		return AuditEntry{}, err
	}
	h, ok := parseHead(raw)
	if !ok {
		// Only a head someone replaced gets here (the store keys it at
		// start): say so for ever after, and go on recording.
		h = auditHead{keyedFrom: e.Seq, brokenBefore: true}
	}
	key := tx.s.auditKey
	e.Hash = auditHash(key, e.Seq >= h.keyedFrom, e.PrevHash, e)
	if _, err := tx.exec(`INSERT INTO audit (seq, at, worker_id, action, resident_key, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.Seq, sqldb.ToDB(e.At), e.WorkerID, e.Action, keyArg(e.Resident),
		e.Detail, e.PrevHash, e.Hash); err != nil {
		return AuditEntry{}, fmt.Errorf("audit: %w", err)
	}
	h.seq = e.Seq
	if err := tx.SetSetting(settingAuditHead, h.bytes(key, e.Hash)); err != nil {
		return AuditEntry{}, err
	}
	return e, nil
}

// keyAuditHead makes sure the chain has a keyed head, at start. A chain
// of an earlier release gets one over its last row, the keyed rows
// starting after it; whether that unkeyed part verified then is written
// into the keyed head. It is trusted to have verified only when trusted
// says this is the first start with an audit key (the key file had
// none): a keyed database whose head was put back to the unkeyed form
// since is someone's edit, and is marked so.
func (tx *Tx) keyAuditHead(trusted bool) error {
	raw, _, err := tx.Setting(settingAuditHead)
	if err != nil {
		return err
	}
	if _, ok := parseHead(raw); ok {
		return nil
	}
	log, err := tx.auditLog()
	if err != nil {
		return err
	}
	seq, last, err := tx.lastRow()
	if err != nil {
		return err
	}
	ok := len(log) == 0 && len(raw) == 0 || trusted && verifyChain(log, raw, nil, nil) == nil
	h := auditHead{seq: seq, keyedFrom: seq + 1, brokenBefore: !ok}
	return tx.SetSetting(settingAuditHead, h.bytes(tx.s.auditKey, last))
}

const auditCols = `seq, at, worker_id, action, resident_key, detail, prev_hash, hash`

func scanAudit(r sqldb.Scanner) (AuditEntry, error) {
	var e AuditEntry
	var at int64
	var key []byte
	err := r.Scan(&e.Seq, &at, &e.WorkerID, &e.Action, &key, &e.Detail, &e.PrevHash, &e.Hash)
	e.At, e.Resident = sqldb.FromDB(at), keyFrom(key)
	return e, err
}

// AuditLog returns every audit row in order.
func (s *Store) AuditLog(ctx context.Context) ([]AuditEntry, error) {
	out, err := sqldb.All(ctx, s.db, scanAudit, "SELECT "+auditCols+" FROM audit ORDER BY rowid")
	return out, s.classify("read audit log", err)
}

// auditLog is AuditLog in the transaction.
func (tx *Tx) auditLog() ([]AuditEntry, error) {
	rows, err := tx.tx.QueryContext(tx.ctx, "SELECT "+auditCols+" FROM audit ORDER BY rowid")
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// VerifyAudit checks the whole chain: every row's hash matches its
// content and its predecessor (keyed from the head's keyedFrom on), the
// sequence has no gaps and runs in storage order, and the last row is the
// one the keyed head names, under the audit key. It returns an
// *AuditError for the first problem found.
func (s *Store) VerifyAudit(ctx context.Context) error {
	log, err := s.AuditLog(ctx)
	if err != nil {
		return err
	}
	raw, _, err := s.Setting(ctx, settingAuditHead)
	if err != nil {
		return err
	}
	h, ok := parseHead(raw)
	if !ok {
		return &AuditError{Seq: 0, Problem: "the head is not keyed (rewritten without the key)"}
	}
	return verifyChain(log, raw, &h, s.auditKey)
}

// verifyChain checks log against its head: the keyed head h with key, or
// with h nil the unkeyed head of earlier releases (raw: the last sequence
// number).
func verifyChain(log []AuditEntry, raw []byte, h *auditHead, key []byte) error {
	prev := []byte{}
	var seq int64
	for _, e := range log {
		switch {
		case e.Seq < seq+1:
			return &AuditError{Seq: e.Seq, Problem: "reordered"}
		case e.Seq > seq+1:
			return &AuditError{Seq: seq + 1, Problem: "missing"}
		}
		if !bytes.Equal(e.PrevHash, prev) {
			return &AuditError{Seq: e.Seq, Problem: "chain link does not match the previous row"}
		}
		keyed := h != nil && e.Seq >= h.keyedFrom
		if !e.At.Equal(e.At.Truncate(time.Millisecond)) || !hmac.Equal(auditHash(key, keyed, prev, e), e.Hash) {
			return &AuditError{Seq: e.Seq, Problem: "edited"}
		}
		prev, seq = e.Hash, e.Seq
	}
	if h == nil {
		var want int64
		if len(raw) == 8 {
			want = int64(binary.BigEndian.Uint64(raw))
		}
		if seq != want {
			return &AuditError{Seq: seq + 1, Problem: "truncated"}
		}
		return nil
	}
	if seq != h.seq {
		return &AuditError{Seq: seq + 1, Problem: "truncated"}
	}
	if !hmac.Equal(h.sum(key, prev), h.mac) {
		return &AuditError{Seq: seq, Problem: "the head does not verify (rewritten without the key)"}
	}
	if h.brokenBefore {
		return &AuditError{Seq: h.keyedFrom - 1, Problem: "edited before the chain was keyed"}
	}
	return nil
}

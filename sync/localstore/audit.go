package localstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
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

// auditHash is SHA-256 over the previous row's hash and this row's
// content, each field length-prefixed so that no two rows encode alike.
// The sequence number is part of the content, so moving a row breaks the
// chain even if its neighbours' hashes were copied along.
//
// The time goes in as whole Unix milliseconds, as when the store kept
// milliseconds (the chains written then must still verify), although the
// column now holds nanoseconds like every other: Audit truncates the time
// to the millisecond before it stores and hashes it, and verifyChain
// takes a stored time with a finer part for an edit.
func auditHash(prev []byte, e AuditEntry) []byte {
	h := sha256.New()
	h.Write([]byte("kiosk-audit-v1"))
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

// Audit appends a row to the audit log, chained to the previous one. The
// chain's head (last sequence number and hash) is kept in settings too, so
// that deleting the newest rows is detected as well.
func (tx *Tx) Audit(workerID, action string, resident ResidentKey, detail string) (AuditEntry, error) {
	e := AuditEntry{At: tx.now.Truncate(time.Millisecond).UTC(), WorkerID: workerID, Action: action, Resident: resident, Detail: detail}
	e.PrevHash = []byte{}
	err := tx.queryRow("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").Scan(&e.Seq, &e.PrevHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return AuditEntry{}, fmt.Errorf("audit: %w", err)
	}
	e.Seq++
	e.Hash = auditHash(e.PrevHash, e)
	if _, err := tx.exec(`INSERT INTO audit (seq, at, worker_id, action, resident_key, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.Seq, sqldb.ToDB(e.At), e.WorkerID, e.Action, keyArg(e.Resident),
		e.Detail, e.PrevHash, e.Hash); err != nil {
		return AuditEntry{}, fmt.Errorf("audit: %w", err)
	}
	if err := tx.SetSetting(settingAuditHead, headBytes(e.Seq)); err != nil {
		return AuditEntry{}, err
	}
	return e, nil
}

func headBytes(seq int64) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(seq))
}

// AuditLog returns every audit row in order.
func (s *Store) AuditLog(ctx context.Context) ([]AuditEntry, error) {
	scan := func(r sqldb.Scanner) (AuditEntry, error) {
		var e AuditEntry
		var at int64
		var key []byte
		err := r.Scan(&e.Seq, &at, &e.WorkerID, &e.Action, &key, &e.Detail, &e.PrevHash, &e.Hash)
		e.At, e.Resident = sqldb.FromDB(at), keyFrom(key)
		return e, err
	}
	out, err := sqldb.All(ctx, s.db, scan, `SELECT seq, at, worker_id, action, resident_key, detail, prev_hash, hash
		FROM audit ORDER BY rowid`)
	return out, s.classify("read audit log", err)
}

// VerifyAudit checks the whole chain: every row's hash matches its
// content and its predecessor, the sequence has no gaps and runs in
// storage order, and the last row is the recorded head. It returns an
// *AuditError for the first problem found.
func (s *Store) VerifyAudit(ctx context.Context) error {
	log, err := s.AuditLog(ctx)
	if err != nil {
		return err
	}
	head, _, err := s.Setting(ctx, settingAuditHead)
	if err != nil {
		return err
	}
	return verifyChain(log, head)
}

func verifyChain(log []AuditEntry, head []byte) error {
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
		if !e.At.Equal(e.At.Truncate(time.Millisecond)) || !bytes.Equal(auditHash(prev, e), e.Hash) {
			return &AuditError{Seq: e.Seq, Problem: "edited"}
		}
		prev, seq = e.Hash, e.Seq
	}
	var want int64
	if len(head) == 8 {
		want = int64(binary.BigEndian.Uint64(head))
	}
	if seq != want {
		return &AuditError{Seq: seq + 1, Problem: "truncated"}
	}
	return nil
}

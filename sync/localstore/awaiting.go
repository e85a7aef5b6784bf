package localstore

import (
	"context"
	"fmt"
	"time"

	"github.com/shcommunity/kiosk/internal/sqldb"
)

// Why an awaited code is no longer awaited.
const (
	CodePrintedHere     = "printed_here"
	CodeIssuedElsewhere = "issued_elsewhere"
)

// ReadyCode is a resident enrolled here whose enrolment the service has
// accepted but who has not taken a paper code yet.
type ReadyCode struct {
	Seq         int64 // the enrolment's outbox seq
	Receipt     string
	MaskedName  string
	ResidentRef string
	EnrolledAt  time.Time
	ReadyAt     time.Time
}

// AwaitCode records that the enrolment queued as item seq is waiting for
// its resident's first code. Call it in the enrolment's transaction.
func (tx *Tx) AwaitCode(seq int64, k ResidentKey, receipt, maskedName string) error {
	_, err := tx.exec(`INSERT INTO awaiting_code (seq, resident_key, receipt, masked_name, enrolled_at) VALUES (?, ?, ?, ?, ?)`,
		seq, keyArg(k), receipt, maskedName, tx.nowDB())
	if err != nil {
		return fmt.Errorf("await code: %w", err)
	}
	return nil
}

// CodeReady marks the enrolment of item seq accepted by the service: the
// resident's code can now be printed anywhere.
func (tx *Tx) CodeReady(seq int64, residentRef string) error {
	if _, err := tx.exec(`UPDATE awaiting_code SET resident_ref = ?, ready_at = ? WHERE seq = ? AND ready_at IS NULL`,
		residentRef, tx.nowDB(), seq); err != nil {
		return fmt.Errorf("code ready: %w", err)
	}
	return nil
}

// CodePrinted closes the resident's awaited codes: one was printed here.
func (tx *Tx) CodePrinted(k ResidentKey) error {
	if _, err := tx.exec(`UPDATE awaiting_code SET done_at = ?, done_by = ? WHERE resident_key = ? AND done_at IS NULL`,
		tx.nowDB(), CodePrintedHere, keyArg(k)); err != nil {
		return fmt.Errorf("code printed: %w", err)
	}
	return nil
}

// CodeIssued closes the awaited codes of the resident with this service
// reference: the feed shows her an active code, printed elsewhere.
func (tx *Tx) CodeIssued(residentRef string) error {
	if residentRef == "" {
		return nil
	}
	if _, err := tx.exec(`UPDATE awaiting_code SET done_at = ?, done_by = ? WHERE resident_ref = ? AND ready_at IS NOT NULL
		AND done_at IS NULL`, tx.nowDB(), CodeIssuedElsewhere, residentRef); err != nil {
		return fmt.Errorf("code issued: %w", err)
	}
	return nil
}

// ReadyCodes lists the residents whose code is ready and not yet taken,
// oldest first.
func (s *Store) ReadyCodes(ctx context.Context) ([]ReadyCode, error) {
	out, err := sqldb.All(ctx, s.db, func(r sqldb.Scanner) (ReadyCode, error) {
		var c ReadyCode
		var enrolled, ready int64
		err := r.Scan(&c.Seq, &c.Receipt, &c.MaskedName, &c.ResidentRef, &enrolled, &ready)
		c.EnrolledAt, c.ReadyAt = sqldb.FromDB(enrolled), sqldb.FromDB(ready)
		return c, err
	}, `SELECT seq, receipt, masked_name, resident_ref, enrolled_at, ready_at FROM awaiting_code
		WHERE ready_at IS NOT NULL AND done_at IS NULL ORDER BY ready_at, seq`)
	return out, s.classify("read ready codes", err)
}

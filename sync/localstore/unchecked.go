package localstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shcommunity/kiosk/internal/sqldb"
)

// Why an unchecked slip is no longer listed.
const (
	UncheckedLiveAnswer  = "live_answer"  // the service answered for her here since
	UncheckedPrintedHere = "printed_here" // a code was printed for her here since
)

// UncheckedSlip is a slip printed offline for a resident whose status
// this kiosk could not check (its answer past valid_until or the
// freshness bound): the counter lists it until she has a live answer or a
// code here.
type UncheckedSlip struct {
	ID         int64
	Resident   ResidentKey
	MaskedName string
	Serial     string // the slip's serial number, printed on it
	Why        string // why no colour could be shown
	PrintedAt  time.Time
}

// RecordUnchecked records a printed unchecked slip. Call it in the
// transaction that audits the slip.
func (tx *Tx) RecordUnchecked(u UncheckedSlip) error {
	if u.Resident.IsZero() || u.Serial == "" {
		return errors.New("record unchecked slip: resident and serial are required")
	}
	if u.PrintedAt.IsZero() {
		u.PrintedAt = tx.now
	}
	_, err := tx.exec(`INSERT INTO unchecked_slips (resident_key, masked_name, serial, why, printed_at) VALUES (?, ?, ?, ?, ?)`,
		u.Resident[:], u.MaskedName, u.Serial, u.Why, sqldb.ToDB(u.PrintedAt))
	if err != nil {
		return fmt.Errorf("record unchecked slip: %w", err)
	}
	return nil
}

// UncheckedDone closes the resident's open unchecked slips: by says why
// (UncheckedLiveAnswer, UncheckedPrintedHere).
func (tx *Tx) UncheckedDone(k ResidentKey, by string) error {
	if k.IsZero() {
		return nil
	}
	if _, err := tx.exec(`UPDATE unchecked_slips SET done_at = ?, done_by = ? WHERE resident_key = ? AND done_at IS NULL`,
		tx.nowDB(), by, k[:]); err != nil {
		return fmt.Errorf("close unchecked slips: %w", err)
	}
	return nil
}

// UncheckedSlips lists the open unchecked slips, oldest first.
func (s *Store) UncheckedSlips(ctx context.Context) ([]UncheckedSlip, error) {
	out, err := sqldb.All(ctx, s.db, func(r sqldb.Scanner) (UncheckedSlip, error) {
		var u UncheckedSlip
		var key []byte
		var at int64
		err := r.Scan(&u.ID, &key, &u.MaskedName, &u.Serial, &u.Why, &at)
		u.Resident, u.PrintedAt = keyFrom(key), sqldb.FromDB(at)
		return u, err
	}, `SELECT id, resident_key, masked_name, serial, why, printed_at FROM unchecked_slips
		WHERE done_at IS NULL ORDER BY printed_at, id`)
	return out, s.classify("read unchecked slips", err)
}

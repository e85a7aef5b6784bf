package localstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestFinding9AuditKeyed: the audit chain was plain SHA-256 over public
// fields, so whoever could write kiosk.db could edit a row and rebuild
// every hash after it, and the head, and the chain verified. Now the rows
// and the head are HMACs under a key kept in the key file: an attacker
// who rebuilds the chain with the published algorithm, any key of their
// own, or the unkeyed form of earlier releases, is found out, also after
// the kiosk restarts on the edited file.
func TestFinding9AuditKeyed(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		rebuild func(log []AuditEntry) []byte // rewrites the rows' hashes, returns the head to write
	}{
		{"unkeyed, as earlier releases", func(log []AuditEntry) []byte {
			prev := []byte{}
			for i := range log {
				log[i].PrevHash, log[i].Hash = prev, auditHash(nil, false, prev, log[i])
				prev = log[i].Hash
			}
			return binary.BigEndian.AppendUint64(nil, uint64(len(log)))
		}},
		{"keyed with a key of the attacker's", func(log []AuditEntry) []byte {
			key := []byte("the attacker's guess at the key")
			prev := []byte{}
			for i := range log {
				log[i].PrevHash, log[i].Hash = prev, auditHash(key, true, prev, log[i])
				prev = log[i].Hash
			}
			return auditHead{seq: int64(len(log)), keyedFrom: 1}.bytes(key, prev)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "kiosk.db")
			opts := Options{KeyFile: filepath.Join(dir, "keys", "kiosk.key"), Now: func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }}
			s, err := Open(ctx, path, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range []string{"login", "enrol", "reprint_offline", "logout"} {
				if err := s.InTx(ctx, func(tx *Tx) error { _, err := tx.Audit("w-7", a, ResidentKey{}, "x"); return err }); err != nil {
					t.Fatal(err)
				}
			}
			log, err := s.AuditLog(ctx)
			if err != nil {
				t.Fatal(err)
			}
			s.Close()

			// The attacker: hide the offline re-print, make it a login.
			log[2].Action = "login"
			head := tc.rebuild(log)
			db, err := sql.Open("sqlite3", path)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range log {
				if _, err := db.Exec("UPDATE audit SET action = ?, prev_hash = ?, hash = ? WHERE seq = ?", e.Action, e.PrevHash, e.Hash, e.Seq); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Exec("UPDATE settings SET value = ? WHERE key = ?", head, settingAuditHead); err != nil {
				t.Fatal(err)
			}
			db.Close()

			for range 2 { // as found, and after the kiosk started on it again
				s, err := Open(ctx, path, opts)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.VerifyAudit(ctx); !errors.Is(err, ErrAuditBroken) {
					t.Errorf("VerifyAudit of a rebuilt chain = %v, want broken", err)
				}
				if err := s.InTx(ctx, func(tx *Tx) error { _, err := tx.Audit("w-7", "login", ResidentKey{}, ""); return err }); err != nil {
					t.Fatal(err)
				}
				s.Close()
			}
		})
	}
}

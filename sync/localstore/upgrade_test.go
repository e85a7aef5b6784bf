package localstore_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/internal/clocktest"
	"github.com/shcommunity/kiosk/internal/sqldb/sqldbtest"
	"github.com/shcommunity/kiosk/sync/keystore"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

// TestOpenOlderRelease: a kiosk database of the release before the shared
// runner keeps its migration record, has its times converted from
// milliseconds to nanoseconds (0002), reads back as that release wrote it,
// and its audit chain verifies and goes on.
func TestOpenOlderRelease(t *testing.T) {
	ctx := context.Background()
	path, err := sqldbtest.Unpack(filepath.Join("testdata", "kiosk-v1.db.gz"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 11, 27, 9, 0, 0, 123_000_000, time.UTC) // the fixture's clock
	c := clocktest.New(base.Add(time.Hour))
	s := open(t, path, localstore.Options{Now: c.Now})
	got, err := sqldbtest.Migrations(path)
	if err != nil || len(got) < 2 || got[0].Name != "0001_init.sql" || !got[0].At.Equal(base) ||
		got[1].Name != "0002_times_in_nanoseconds.sql" || !got[1].At.Equal(c.Now()) {
		t.Errorf("schema_migrations = %+v, %v; want the release's 0001 at %v (its time converted) and 0002 now", got, err, base)
	}
	for i, m := range got {
		if i >= 2 && !m.At.Equal(c.Now()) {
			t.Errorf("later migration %s applied at %v, want now", m.Name, m.At)
		}
	}
	k1 := s.KeyOf("310101194803140019")
	asOf := time.Date(2026, 11, 27, 8, 30, 0, 456_000_000, time.UTC)

	st, ok, err := s.StatusByKey(ctx, k1)
	if err != nil || !ok || st.ResidentRef != "ref-1" || st.Colour != "yellow" || st.Version != 4 ||
		!st.AsOf.Equal(asOf.Add(time.Hour)) || !st.ValidUntil.IsZero() || !st.UpdatedAt.Equal(base.Add(5*time.Second)) {
		t.Errorf("status of resident 1 = %+v, %v, %v", st, ok, err)
	}
	// Past what nanoseconds hold: the last instant they do, still later
	// than any clock.
	if st, ok, err := s.StatusByRef(ctx, "ref-2"); err != nil || !ok || st.ValidUntil.Year() != 2262 || !st.AsOf.Equal(asOf) {
		t.Errorf("status of resident 2 = %+v, %v, %v; want valid until 2262", st, ok, err)
	}
	it, err := s.Item(ctx, 1)
	if err != nil || it.State != localstore.StateAcked || !it.CreatedAt.Equal(base.Add(time.Second)) ||
		!it.AckedAt.Equal(base.Add(3*time.Second)) || it.Resident != k1 {
		t.Errorf("outbox item 1 = %+v, %v", it, err)
	}
	if q, err := s.Quarantined(ctx); err != nil || len(q) != 1 || q[0].ClientID != "enr-2" || q[0].Reason != "invalid_id" {
		t.Errorf("quarantined = %+v, %v", q, err)
	}
	if p, err := s.Pending(ctx, 10); err != nil || len(p) != 1 || p[0].ClientID != "prt-1" {
		t.Errorf("pending = %+v, %v", p, err)
	}
	printed, err := s.PrintedFor(ctx, k1)
	if err != nil || len(printed) != 1 || printed[0].TokenID != "tok-1" || !printed[0].StatusAsOf.Equal(asOf) ||
		!printed[0].PrintedAt.Equal(base.Add(4*time.Second)) || !printed[0].ExpiresAt.Equal(time.Date(2027, 5, 26, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("printed = %+v, %v", printed, err)
	}
	calls, err := s.CallList(ctx)
	if err != nil || len(calls) != 1 || calls[0].Printed != "green" || calls[0].Current != "yellow" ||
		!calls[0].AsOf.Equal(asOf.Add(time.Hour)) || !calls[0].AddedAt.Equal(base.Add(5*time.Second)) {
		t.Errorf("call list = %+v, %v", calls, err)
	}
	w, err := s.Worker(ctx, "w-7")
	if err != nil || w.Failures != 5 || !w.LockedUntil.Equal(base.Add(6*time.Second+15*time.Minute)) || !w.UpdatedAt.Equal(asOf) {
		t.Errorf("worker = %+v, %v", w, err)
	}
	if at, ok, err := syncer.LastSuccess(ctx, s); err != nil || !ok || !at.Equal(base.Add(6*time.Second)) {
		t.Errorf("syncer.LastSuccess = %v, %v, %v; want %v", at, ok, err, base.Add(6*time.Second))
	}

	// The chain the release wrote verifies, and goes on.
	log, err := s.AuditLog(ctx)
	if err != nil || len(log) != 4 || !log[0].At.Equal(base.Add(time.Second)) || !log[3].At.Equal(base.Add(6*time.Second)) {
		t.Fatalf("audit log = %+v, %v", log, err)
	}
	if err := s.VerifyAudit(ctx); err != nil {
		t.Fatalf("the release's audit chain: %v", err)
	}
	c.Add(123456789 * time.Nanosecond)
	if err := s.InTx(ctx, func(tx *localstore.Tx) error {
		_, err := tx.Audit("w-7", "login", localstore.ResidentKey{}, "offline check")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.VerifyAudit(ctx); err != nil {
		t.Errorf("after a new row: %v", err)
	}
}

// TestTimesKeepNanoseconds: a time goes into the store and comes out to
// the nanosecond, and an unset one stays unset.
func TestTimesKeepNanoseconds(t *testing.T) {
	s, c := newStore(t)
	ctx := context.Background()
	c.Add(123456789 * time.Nanosecond)
	asOf := t0.Add(-time.Hour + 987654321*time.Nanosecond)
	k := s.KeyOf("310101194803140019")
	err := s.InTx(ctx, func(tx *localstore.Tx) error {
		_, err := tx.PutStatus(localstore.CachedStatus{ResidentRef: "ref-1", Resident: k, Colour: "green", AsOf: asOf, Version: 1})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	st, ok, err := s.StatusByKey(ctx, k)
	if err != nil || !ok || !st.AsOf.Equal(asOf) || !st.UpdatedAt.Equal(c.Now()) || !st.ValidUntil.IsZero() {
		t.Errorf("status = %+v, %v, %v; want as of %v, updated %v, no valid_until", st, ok, err, asOf, c.Now())
	}
}

// TestFinding3SecretsLeaveLegacyDatabase: a kiosk of an earlier release
// kept its keyed-hash secret (and, once registered, its device seed) in
// kiosk.db. On its first start now they move to the key file, the rows
// are deleted and the file is vacuumed, so their bytes are in neither
// the database nor its -wal; the residents' keys stay the same. Another
// database's key file is refused.
func TestFinding3SecretsLeaveLegacyDatabase(t *testing.T) {
	ctx := context.Background()
	path, err := sqldbtest.Unpack(filepath.Join("testdata", "kiosk-v1.db.gz"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var secret []byte
	if err := db.QueryRow("SELECT value FROM settings WHERE key = 'resident_key_secret'").Scan(&secret); err != nil || len(secret) != 32 {
		t.Fatalf("the fixture's secret: %x, %v", secret, err)
	}
	db.Close()
	before := legacyKeyOf(secret, "310101194803140019")

	s := open(t, path, localstore.Options{})
	if got := s.KeyOf("310101194803140019"); !bytes.Equal(got[:], before) {
		t.Error("the residents' keys changed with the move")
	}
	s.Close()
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, secret) {
			t.Errorf("%s still holds the secret", filepath.Base(f))
		}
	}
	keys, ok, err := keystore.File{Path: keyFile(path)}.Load()
	if err != nil || !ok || !bytes.Equal(keys.ResidentSecret, secret) {
		t.Errorf("key file: %v, %v; want the secret moved there", ok, err)
	}

	other := filepath.Join(t.TempDir(), "other.db")
	open(t, other, localstore.Options{}).Close()
	if _, err := localstore.Open(ctx, path, localstore.Options{KeyFile: keyFile(other)}); !errors.Is(err, localstore.ErrKeysMismatch) {
		t.Errorf("another database's key file: %v, want ErrKeysMismatch", err)
	}
	if _, err := localstore.Open(ctx, path, localstore.Options{KeyFile: filepath.Join(t.TempDir(), "none.key")}); !errors.Is(err, localstore.ErrKeysMissing) {
		t.Errorf("no key file: %v, want ErrKeysMissing", err)
	}
}

// legacyKeyOf is localstore.KeyOf's algorithm under a given secret.
func legacyKeyOf(secret []byte, id string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("resident-key-v1\x00"))
	m.Write([]byte(id))
	return m.Sum(nil)
}

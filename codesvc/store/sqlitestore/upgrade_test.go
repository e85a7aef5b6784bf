package sqlitestore_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/kek"
	"github.com/shcommunity/kiosk/codesvc/store/sqlitestore"
	"github.com/shcommunity/kiosk/internal/sqldb/sqldbtest"
)

// userVersion reads PRAGMA user_version, where the releases before
// schema_migrations kept the schema version.
func userVersion(t *testing.T, file string) int {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+file+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestOpenOlderRelease: a database of the release before schema_migrations
// opens with its version adopted (nothing run again: 0001 would fail on
// its existing tables) and every entity reads back as that release wrote
// it.
func TestOpenOlderRelease(t *testing.T) {
	ctx := context.Background()
	file, err := sqldbtest.Unpack(filepath.Join("testdata", "codes-v2.db.gz"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	key := bytes.Repeat([]byte{0x4b}, kek.Size)
	for range 2 { // adopted once: the second open finds the records
		s, err := sqlitestore.OpenKEK(ctx, file, key)
		if err != nil {
			t.Fatal(err)
		}
		checkOlderRelease(t, s)
		s.Close()
		applied, err := sqldbtest.Migrations(file)
		if err != nil || len(applied) != 8 || applied[0].Name != "0001_init.sql" || applied[1].Name != "0002_wrapped_secrets.sql" ||
			applied[2].Name != "0003_enrolment_channel.sql" || applied[3].Name != "0004_sessions_nonces.sql" ||
			applied[4].Name != "0005_revoked_keys.sql" || applied[5].Name != "0006_device_roles.sql" ||
			applied[6].Name != "0007_access_records.sql" || applied[7].Name != "0008_credentials.sql" {
			t.Errorf("schema_migrations = %+v, %v; want 0001 and 0002 adopted, 0003 to 0008 applied", applied, err)
		}
		if uv := userVersion(t, file); uv != 2 {
			t.Errorf("user_version = %d, want it left at 2", uv)
		}
	}
}

func checkOlderRelease(t *testing.T, s *sqlitestore.Store) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.UTC)
	never := func() ([]byte, error) { t.Error("a secret was generated anew"); return nil, nil }
	if v, err := s.Secret(ctx, "resident_key", never); err != nil || !bytes.Equal(v, bytes.Repeat([]byte{0x52}, 32)) {
		t.Errorf("resident_key = %x, %v", v, err)
	}
	keys, err := s.SigningKeys(ctx)
	if err != nil || len(keys) != 1 || !keys[0].PrivateKey.Equal(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x53}, 32))) ||
		!keys[0].CreatedAt.Equal(now) || !keys[0].RetiredAt.IsZero() {
		t.Errorf("signing keys = %v, %v", keys, err)
	}
	d, err := s.Device(ctx, "D1")
	if err != nil || !d.RegisteredAt.Equal(now.Add(time.Minute)) || !d.RevokedAt.Equal(now.Add(9*time.Minute)) || d.Role != "" {
		t.Errorf("device = %+v, %v; a device of an older release has no role", d, err)
	}
	r, evs, err := s.ResidentByKey(ctx, []byte("resident-key-1"))
	if err != nil || r.Ref != "R1" || r.MaskedName != "张*三" || !r.CreatedAt.Equal(now.Add(2*time.Minute)) || len(evs) != 2 ||
		evs[0].Kind != "arrival_key_area" || !evs[0].At.Equal(now.Add(-time.Hour)) || evs[1].Source != "correction:1" {
		t.Errorf("resident = %+v, events %+v, %v", r, evs, err)
	}
	_, _, toks, err := s.ResidentByID(ctx, r.ID)
	if err != nil || len(toks) != 1 || toks[0].ID != "T1" || toks[0].State != "active" || !toks[0].ExpiresAt.Equal(now.Add(180*24*time.Hour)) {
		t.Errorf("tokens = %+v, %v", toks, err)
	}
	if dup, err := s.RecordPrint(ctx, store.Print{ClientID: "prt-1", TokenID: "T1"}); err != nil || !dup {
		t.Errorf("the recorded print again: dup %v, %v; want a duplicate", dup, err)
	}
	cs, err := s.Corrections(ctx, "D1", "")
	if err != nil || len(cs) != 1 || cs[0].State != "accepted" || !cs[0].ResolvedAt.Equal(now.Add(8*time.Minute)) || cs[0].EventKind != "medical_release" {
		t.Errorf("corrections = %+v, %v", cs, err)
	}
	w, err := s.Worker(ctx, "w-7")
	if err != nil || w.DisplayName != "王老师" || !w.UpdatedAt.Equal(now.Add(time.Minute)) {
		t.Errorf("worker = %+v, %v", w, err)
	}
	changes, err := s.Changes(ctx, "D1", 0, 100)
	if err != nil || len(changes) == 0 {
		t.Errorf("changes = %v, %v", changes, err)
	}
	bs, err := s.Boundaries(ctx, "D1", time.Unix(0, 0), now.Add(30*24*time.Hour), time.Unix(0, 0), 0, 10)
	if err != nil || len(bs) != 1 || !bs[0].At.Equal(now.Add(8*time.Minute+7*24*time.Hour)) {
		t.Errorf("boundaries = %+v, %v", bs, err)
	}
}

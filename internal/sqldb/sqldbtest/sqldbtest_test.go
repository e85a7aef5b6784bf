package sqldbtest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/shcommunity/kiosk/internal/sqldb"
	"github.com/shcommunity/kiosk/internal/sqldb/sqldbtest"
)

func TestUnpackAndMigrations(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	made := filepath.Join(dir, "made.db")
	db, err := sqldb.Open(made, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 27, 9, 0, 0, 1, time.UTC)
	m := sqldb.Migrations{Files: fstest.MapFS{"0001_init.sql": {Data: []byte("CREATE TABLE t (x INTEGER)")}},
		Dialect: sqldb.SQLite, Now: func() time.Time { return at }}
	if err := m.Apply(ctx, db); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := os.ReadFile(made)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	src := filepath.Join(dir, "old.db.gz")
	if err := os.WriteFile(src, gz.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	out := t.TempDir()
	path, err := sqldbtest.Unpack(src, out)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, raw) || path != filepath.Join(out, "old.db") {
		t.Fatalf("Unpack = %s (%d bytes, %v), want old.db with the packed bytes", path, len(got), err)
	}
	applied, err := sqldbtest.Migrations(path)
	if err != nil || len(applied) != 1 || applied[0].Version != 1 || applied[0].Name != "0001_init.sql" || !applied[0].At.Equal(at) {
		t.Errorf("Migrations = %+v, %v", applied, err)
	}
	if _, err := sqldbtest.Unpack(src, out); err == nil {
		t.Error("Unpack overwrote an existing file")
	}
	if _, err := sqldbtest.Unpack(made, out); err == nil {
		t.Error("Unpack took a plain file for gzip")
	}
}

package sqldb

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestOpenSettings(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "t.db")
	for _, tc := range []struct {
		name string
		opts Options
		sync string
	}{
		{"zero options", Options{}, "2"}, // FULL
		{"full", Options{Synchronous: SyncFull}, "2"},
		{"normal", Options{Synchronous: SyncNormal}, "1"},
		{"read-only", Options{Synchronous: SyncNormal, ReadOnly: true}, "1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := Open(file, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, p := range []struct{ pragma, want string }{
				{"journal_mode", "wal"},
				{"synchronous", tc.sync},
				{"foreign_keys", "1"},
				{"busy_timeout", "5000"},
			} {
				var got string
				if err := db.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != p.want {
					t.Errorf("PRAGMA %s = %q, want %q", p.pragma, got, p.want)
				}
			}
		})
	}
}

func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "t.db")
	w, err := Open(file, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.ExecContext(ctx, "CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	r, err := Open(file, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.ExecContext(ctx, "INSERT INTO t VALUES (1)"); err == nil {
		t.Error("the read-only pool wrote")
	}
	var n int
	if err := r.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil {
		t.Errorf("the read-only pool does not read: %v", err)
	}
}

func TestErrorKinds(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	t.Run("disk full", func(t *testing.T) {
		db, err := Open(filepath.Join(dir, "full.db"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1) // max_page_count holds per connection
		if _, err := db.ExecContext(ctx, "CREATE TABLE t (b BLOB); PRAGMA max_page_count = 8"); err != nil {
			t.Fatal(err)
		}
		var full error
		for i := 0; i < 100 && full == nil; i++ {
			_, full = db.ExecContext(ctx, "INSERT INTO t VALUES (zeroblob(4000))")
		}
		if !IsDiskFull(full) || IsCorrupt(full) {
			t.Errorf("filling the file: %v; IsDiskFull %v, IsCorrupt %v", full, IsDiskFull(full), IsCorrupt(full))
		}
	})
	t.Run("not a database", func(t *testing.T) {
		file := filepath.Join(dir, "junk.db")
		junk := []byte("this is not a SQLite file, only some text long enough ")
		b := make([]byte, 0, 8192)
		for len(b) < 8192 {
			b = append(b, junk...)
		}
		if err := os.WriteFile(file, b, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := Open(file, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		_, err = db.ExecContext(ctx, "SELECT count(*) FROM sqlite_master")
		if !IsCorrupt(err) || IsDiskFull(err) {
			t.Errorf("reading a text file: %v; IsCorrupt %v, IsDiskFull %v", err, IsCorrupt(err), IsDiskFull(err))
		}
	})
	if IsCorrupt(nil) || IsDiskFull(nil) {
		t.Error("a nil error is classified")
	}
}

package localstore

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"
)

func TestOpenSettings(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "kiosk.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tc := range []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
	} {
		t.Run(tc.pragma, func(t *testing.T) {
			var got string
			if err := s.db.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("PRAGMA %s = %q, want %q", tc.pragma, got, tc.want)
			}
		})
	}
	files, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(files) {
		t.Errorf("schema_migrations has %d rows, want one per migration (%d)", n, len(files))
	}
}

func TestVerifyChainHead(t *testing.T) {
	// An empty log with a head that says one row existed: truncated.
	err := verifyChain(nil, headBytes(1))
	if ae, ok := err.(*AuditError); !ok || ae.Problem != "truncated" {
		t.Errorf("verifyChain(empty, head 1) = %v, want truncated", err)
	}
	if err := verifyChain(nil, nil); err != nil {
		t.Errorf("verifyChain(empty, no head) = %v, want nil", err)
	}
}

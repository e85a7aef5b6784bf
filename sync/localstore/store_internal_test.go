package localstore

import (
	"context"
	"encoding/binary"
	"io/fs"
	"path/filepath"
	"testing"
)

func TestOpenSettings(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, filepath.Join(dir, "kiosk.db"), Options{KeyFile: filepath.Join(dir, "keys", "kiosk.key")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tc := range []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"secure_delete", "1"},
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
	// An empty log with an unkeyed head that says one row existed:
	// truncated.
	err := verifyChain(nil, binary.BigEndian.AppendUint64(nil, 1), nil, nil)
	if ae, ok := err.(*AuditError); !ok || ae.Problem != "truncated" {
		t.Errorf("verifyChain(empty, head 1) = %v, want truncated", err)
	}
	if err := verifyChain(nil, nil, nil, nil); err != nil {
		t.Errorf("verifyChain(empty, no head) = %v, want nil", err)
	}
	// A keyed head over an empty log, with the right key and another.
	key := []byte("audit key")
	h := auditHead{keyedFrom: 1}
	if p, ok := parseHead(h.bytes(key, []byte{})); !ok || verifyChain(nil, nil, &p, key) != nil {
		t.Errorf("keyed head of an empty log does not verify")
	}
	if p, _ := parseHead(h.bytes(key, []byte{})); verifyChain(nil, nil, &p, []byte("other")) == nil {
		t.Errorf("keyed head verifies under another key")
	}
}

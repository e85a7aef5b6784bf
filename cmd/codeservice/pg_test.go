package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/shcommunity/kiosk/codesvc/store/kek"
	"github.com/shcommunity/kiosk/codesvc/store/pgstore/pgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}

// TestPostgresDB: --db with a PostgreSQL URL takes the KEK from the
// environment (there is no place beside the database for a key file),
// and the admin commands work on it as on SQLite.
func TestPostgresDB(t *testing.T) {
	c, err := pgtest.Shared()
	if errors.Is(err, pgtest.ErrSkipped) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	url, err := c.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(kek.Env, "")
	var out bytes.Buffer
	if err := run(ctx, []string{"admin", "--db", url, "device", "list"}, nil, &out); err == nil || !strings.Contains(err.Error(), kek.Env) {
		t.Errorf("without a KEK: %v, want a request for %s", err, kek.Env)
	}
	t.Setenv(kek.Env, base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, kek.Size)))
	if err := run(ctx, []string{"admin", "--db", url, "device", "provision", "--note", "pg", "--role", "venue"}, nil, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "provisioning code:") {
		t.Errorf("output %q, want a provisioning code", out.String())
	}
	if got := redact("postgres://codes:s3cret@db.internal/codes"); strings.Contains(got, "s3cret") {
		t.Errorf("redact = %q: the password shows", got)
	}
}

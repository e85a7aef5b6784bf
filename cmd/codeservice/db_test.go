package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/kek"
	"github.com/shcommunity/kiosk/codesvc/store/pgstore/pgtest"
)

// TestKeySources: the KEK comes from --key-file or from CODESERVICE_KEK,
// the same key opens the database either way, and another key is refused
// with store.ErrWrongKEK instead of new keys.
func TestKeySources(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "codes.db")
	keyFile := filepath.Join(dir, "secret", "kek")
	os.Mkdir(filepath.Dir(keyFile), 0o700)
	quiet := quietLog()
	svc, closeDB, err := openService(ctx, db, keyFile, "", quiet)
	if err != nil {
		t.Fatal(err)
	}
	root := svc.RootPublicKey()
	closeDB()
	key, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatalf("--key-file was not created: %v", err)
	}
	if _, err := os.Stat(kek.DefaultFile(db)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a default key file was made beside --key-file: %v", err)
	}

	other := make([]byte, len(key))
	for _, tc := range []struct {
		name, env, keyFile string
		wantErr            error // nil: opens with the same root key
		wantAnyErr         bool
	}{
		{"env", base64.StdEncoding.EncodeToString(key), "", nil, false},
		{"key file", "", keyFile, nil, false},
		{"wrong env", base64.StdEncoding.EncodeToString(other), "", store.ErrWrongKEK, true},
		{"env and key file", base64.StdEncoding.EncodeToString(key), keyFile, nil, true},
		{"env not 32 bytes", "AAAA", "", kek.ErrSize, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(kek.Env, tc.env)
			svc, closeDB, err := openService(ctx, db, tc.keyFile, "", quiet)
			if tc.wantAnyErr {
				if err == nil {
					closeDB()
					t.Fatal("opened; want an error")
				}
				if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Errorf("got %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer closeDB()
			if !svc.RootPublicKey().Equal(root) {
				t.Error("the trust root changed: keys were regenerated")
			}
		})
	}
}

// TestPostgresDB: --db with a PostgreSQL URL takes the KEK from the
// environment (there is no place beside the database for a key file),
// and the admin commands work on it as on SQLite.
func TestPostgresDB(t *testing.T) {
	c := pgtest.SharedFor(t)
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

package sqlitestore_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/sqlitestore"
)

func TestReopenAndRegister(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "s.db")
	s, err := sqlitestore.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if err := s.CreateProvisioningCode(ctx, store.ProvisioningCode{Hash: []byte("h"), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	d := store.Device{ID: "D1", Name: "k", PublicKey: pub, RegisteredAt: now}
	if err := s.RegisterDevice(ctx, []byte("h"), d); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Migrations run once; the data survives a reopen.
	s, err = sqlitestore.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Device(ctx, "D1")
	if err != nil || !got.PublicKey.Equal(pub) || !got.RegisteredAt.Equal(now) {
		t.Errorf("device after reopen = %+v, %v", got, err)
	}
	if err := s.RegisterDevice(ctx, []byte("h"), d); !errors.Is(err, store.ErrCodeUsed) {
		t.Errorf("reuse: %v, want ErrCodeUsed", err)
	}
	if _, err := sqlitestore.Open(ctx, ":memory:"); err == nil {
		t.Error("Open(:memory:) succeeded; the read pool needs a file")
	}
}

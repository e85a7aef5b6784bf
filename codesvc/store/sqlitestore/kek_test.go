package sqlitestore_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/kek"
	"github.com/shcommunity/kiosk/codesvc/store/sqlitestore"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/pii"
)

var t0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

func newKEK(t testing.TB) []byte {
	t.Helper()
	k := make([]byte, kek.Size)
	rand.Read(k)
	return k
}

// newKEKStore opens a store in a new file under a new KEK and returns
// the file, the KEK and the store, which the test closes.
func newKEKStore(t testing.TB) (string, []byte, *sqlitestore.Store) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "codes.db")
	kek := newKEK(t)
	s, err := sqlitestore.OpenKEK(context.Background(), file, kek)
	if err != nil {
		t.Fatal(err)
	}
	return file, kek, s
}

// secrets is what a service keeps: three named secrets and two signing
// keys, with their plain bytes so a test can look for them on disk.
type secrets struct {
	named map[string][]byte
	keys  []store.SigningKey
}

func fill(t *testing.T, s *sqlitestore.Store) secrets {
	t.Helper()
	ctx := context.Background()
	out := secrets{named: map[string][]byte{}}
	for _, name := range []string{"resident_key", "sealing_key", "trust_root"} {
		want := make([]byte, 32)
		rand.Read(want)
		got, err := s.Secret(ctx, name, func() ([]byte, error) { return bytes.Clone(want), nil })
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("Secret(%s) = %x, want the generated %x", name, got, want)
		}
		out.named[name] = want
	}
	for i, id := range []string{"k-2025", "k-2026"} {
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		k := store.SigningKey{KeyID: id, Issuer: "SH", PrivateKey: priv, CreatedAt: t0.Add(time.Duration(i) * time.Hour)}
		if err := s.AddSigningKey(ctx, k, k.CreatedAt); err != nil {
			t.Fatal(err)
		}
		out.keys = append(out.keys, k)
	}
	return out
}

// check reads everything back through the store and compares.
func (w secrets) check(t *testing.T, s *sqlitestore.Store) {
	t.Helper()
	ctx := context.Background()
	for name, want := range w.named {
		got, err := s.Secret(ctx, name, func() ([]byte, error) { return nil, errors.New("regenerated") })
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Secret(%s) = %x, %v; want %x", name, got, err, want)
		}
	}
	keys, err := s.SigningKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != len(w.keys) {
		t.Fatalf("got %d signing keys, want %d", len(keys), len(w.keys))
	}
	for i := range keys {
		if keys[i].KeyID != w.keys[i].KeyID || !keys[i].PrivateKey.Equal(w.keys[i].PrivateKey) {
			t.Errorf("signing key %d = %s, want %s with the same private key", i, keys[i].KeyID, w.keys[i].KeyID)
		}
	}
}

// assertNotOnDisk fails if any secret's bytes (or an Ed25519 seed) appear
// in the database file or its WAL.
func (w secrets) assertNotOnDisk(t *testing.T, file string) {
	t.Helper()
	var needles [][]byte
	for _, v := range w.named {
		needles = append(needles, v)
	}
	for _, k := range w.keys {
		needles = append(needles, k.PrivateKey.Seed())
	}
	found := 0
	for _, f := range []string{file, file + "-wal"} {
		raw, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		found++
		for _, n := range needles {
			if bytes.Contains(raw, n) {
				t.Errorf("%s holds a secret in the clear (%x...)", filepath.Base(f), n[:4])
			}
		}
	}
	if found == 0 {
		t.Fatal("no database file to read")
	}
}

func TestNoSecretOnDisk(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "codes.db")
	s, err := sqlitestore.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	w := fill(t, s)
	w.assertNotOnDisk(t, file) // while running: the WAL holds the writes
	s.Close()
	w.assertNotOnDisk(t, file)

	s, err = sqlitestore.Open(ctx, file) // the same key file again
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w.check(t, s)
}

// TestMigratePlain: a database from before wrapping is wrapped on the
// first start with a KEK; its keys are the same (no regeneration), the
// bytes are gone from disk, and tokens and the trust list it signed
// before still verify.
func TestMigratePlain(t *testing.T) {
	ctx := context.Background()
	file, kek, s := newKEKStore(t)
	w := fill(t, s)
	s.Close()
	if err := sqlitestore.Downgrade(ctx, file, kek); err != nil {
		t.Fatal(err)
	}
	// Before: the old service signs a trust list and a token.
	root := ed25519.NewKeyFromSeed(w.named["trust_root"])
	k := w.keys[1]
	signer := token.NewSigner(k.Issuer, token.KeyIDFor(k.PrivateKey.Public().(ed25519.PublicKey)), k.PrivateKey)
	list, err := token.SignTrustList(token.TrustList{Issuer: "SH", Version: 1, IssuedAt: t0, NextUpdate: t0.Add(24 * time.Hour),
		Keys: []token.TrustedKey{signer.TrustedKey(t0, time.Time{})}}, root)
	if err != nil {
		t.Fatal(err)
	}
	claims := token.Claims{TokenID: [12]byte{1, 2, 3}, IssuedAt: t0.Add(time.Hour), MaskedName: pii.MaskName("张三丰")}
	text, err := signer.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(file)
	if !bytes.Contains(raw, k.PrivateKey.Seed()) {
		t.Fatal("downgraded database does not hold the key in the clear; the test proves nothing")
	}

	newKEK := make([]byte, len(kek)) // any KEK will do for a plain database
	rand.Read(newKEK)
	s, err = sqlitestore.OpenKEK(ctx, file, newKEK)
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	w.check(t, s)
	w.assertNotOnDisk(t, file)

	seed, err := s.Secret(ctx, "trust_root", func() ([]byte, error) { return nil, errors.New("regenerated") })
	if err != nil {
		t.Fatal(err)
	}
	tl, err := token.ParseTrustList(list, ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatalf("trust list signed before migration: %v", err)
	}
	if _, err := tl.Verify(text, token.VerifyOptions{Now: t0.Add(2 * time.Hour)}); err != nil {
		t.Errorf("token signed before migration: %v", err)
	}
	keys, _ := s.SigningKeys(ctx)
	after := token.NewSigner("SH", signer.KeyID(), keys[1].PrivateKey)
	text2, err := after.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tl.Verify(text2, token.VerifyOptions{Now: t0.Add(2 * time.Hour)}); err != nil {
		t.Errorf("token signed after migration with the old list: %v", err)
	}
	s.Close()

	// Migrated once: the old KEK no longer opens it.
	if _, err := sqlitestore.OpenKEK(ctx, file, kek); !errors.Is(err, store.ErrWrongKEK) {
		t.Errorf("reopen with another KEK: %v, want ErrWrongKEK", err)
	}
}

func TestWrongKEK(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "codes.db")
	s, err := sqlitestore.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	w := fill(t, s)
	s.Close()

	t.Run("other KEK", func(t *testing.T) {
		_, err := sqlitestore.OpenKEK(ctx, file, newKEK(t))
		if !errors.Is(err, store.ErrWrongKEK) {
			t.Fatalf("got %v, want ErrWrongKEK", err)
		}
		if got, want := err.Error(), "the key file does not match this database"; got != want {
			t.Errorf("message %q, want %q", got, want)
		}
	})
	t.Run("other key file", func(t *testing.T) {
		other := filepath.Join(dir, "other.key")
		if err := os.WriteFile(other, newKEK(t), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := sqlitestore.OpenKeyFile(ctx, file, other); !errors.Is(err, store.ErrWrongKEK) {
			t.Errorf("got %v, want ErrWrongKEK", err)
		}
	})
	t.Run("key file lost", func(t *testing.T) {
		lost := filepath.Join(dir, "lost.key")
		if _, err := sqlitestore.OpenKeyFile(ctx, file, lost); !errors.Is(err, store.ErrWrongKEK) {
			t.Errorf("got %v, want ErrWrongKEK", err)
		}
		if _, err := os.Stat(lost); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the key file made for a database it cannot open was left behind: %v", err)
		}
	})
	t.Run("short KEK", func(t *testing.T) {
		if _, err := sqlitestore.OpenKEK(ctx, file, make([]byte, 16)); !errors.Is(err, kek.ErrSize) {
			t.Errorf("got %v, want ErrKEKSize", err)
		}
	})
	// Nothing was regenerated by the refused starts.
	s, err = sqlitestore.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w.check(t, s)
}

// TestSwappedValue: a wrapped value copied into another row does not
// open there, for secrets and for signing keys alike.
func TestSwappedValue(t *testing.T) {
	for _, tc := range []struct {
		name, query string
	}{
		{"secret", `UPDATE secrets SET value = (SELECT value FROM secrets WHERE name = 'resident_key') WHERE name = 'trust_root'`},
		{"signing key", `UPDATE signing_keys SET private_key = (SELECT private_key FROM signing_keys WHERE key_id = 'k-2025') WHERE key_id = 'k-2026'`},
		{"check row into secret", `UPDATE secrets SET value = (SELECT value FROM kek_check) WHERE name = 'sealing_key'`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			file, kek, s := newKEKStore(t)
			fill(t, s)
			s.Close()
			db, err := sql.Open("sqlite3", "file:"+file+"?_busy_timeout=5000")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(tc.query); err != nil {
				t.Fatal(err)
			}
			db.Close()
			_, err = sqlitestore.OpenKEK(ctx, file, kek)
			if !errors.Is(err, store.ErrSecretMoved) {
				t.Errorf("open: %v, want ErrSecretMoved", err)
			}
		})
	}
}

func BenchmarkSigningKeys(b *testing.B) {
	ctx := context.Background()
	s, err := sqlitestore.OpenKEK(ctx, filepath.Join(b.TempDir(), "codes.db"), newKEK(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	if err := s.AddSigningKey(ctx, store.SigningKey{KeyID: "k", Issuer: "SH", PrivateKey: priv, CreatedAt: t0}, t0); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.SigningKeys(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenKEK(b *testing.B) {
	ctx := context.Background()
	file, kek, s := newKEKStore(b)
	s.Close()
	for b.Loop() {
		s, err := sqlitestore.OpenKEK(ctx, file, kek)
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// TestUnsafeKeyFile: a database next to a key file others may read does
// not open.
func TestUnsafeKeyFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no mode bits to check on Windows")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "codes.db.key")
	if err := os.WriteFile(file, newKEK(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlitestore.OpenKeyFile(context.Background(), filepath.Join(dir, "codes.db"), file); !errors.Is(err, kek.ErrFileMode) {
		t.Errorf("open with a world-readable key file: %v, want kek.ErrFileMode", err)
	}
}

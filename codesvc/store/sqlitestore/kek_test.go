package sqlitestore_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/sqlitestore"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/pii"
)

var t0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

func newKEK(t testing.TB) []byte {
	t.Helper()
	k := make([]byte, sqlitestore.KEKSize)
	rand.Read(k)
	return k
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
	file := filepath.Join(t.TempDir(), "codes.db")
	kek := newKEK(t)
	s, err := sqlitestore.OpenKEK(ctx, file, kek)
	if err != nil {
		t.Fatal(err)
	}
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
		if _, err := sqlitestore.OpenKEK(ctx, file, make([]byte, 16)); !errors.Is(err, sqlitestore.ErrKEKSize) {
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
			file := filepath.Join(t.TempDir(), "codes.db")
			kek := newKEK(t)
			s, err := sqlitestore.OpenKEK(ctx, file, kek)
			if err != nil {
				t.Fatal(err)
			}
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

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "codes.db.key")
	kek, created, err := sqlitestore.LoadKeyFile(file)
	if err != nil || !created || len(kek) != sqlitestore.KEKSize {
		t.Fatalf("first load = %d bytes, created %v, %v; want %d new bytes", len(kek), created, err, sqlitestore.KEKSize)
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if got := st.Mode().Perm(); got != 0o600 {
			t.Errorf("created with mode %04o, want 0600", got)
		}
	}
	again, created, err := sqlitestore.LoadKeyFile(file)
	if err != nil || created || !bytes.Equal(again, kek) {
		t.Errorf("second load = %x, created %v, %v; want the same key, not created", again, created, err)
	}
	if runtime.GOOS == "windows" {
		return // no mode bits to check there
	}
	for _, tc := range []struct {
		mode os.FileMode
		want error
	}{
		{0o600, nil},
		{0o400, nil},
		{0o640, sqlitestore.ErrKeyFileMode},
		{0o604, sqlitestore.ErrKeyFileMode},
		{0o644, sqlitestore.ErrKeyFileMode},
		{0o660, sqlitestore.ErrKeyFileMode},
	} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			if err := os.Chmod(file, tc.mode); err != nil {
				t.Fatal(err)
			}
			_, _, err := sqlitestore.LoadKeyFile(file)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("mode %04o: got %v, want %v", tc.mode, err, tc.want)
			}
		})
	}
	short := filepath.Join(dir, "short.key")
	os.WriteFile(short, []byte("0123456789"), 0o600)
	if _, _, err := sqlitestore.LoadKeyFile(short); !errors.Is(err, sqlitestore.ErrKEKSize) {
		t.Errorf("10-byte key file: %v, want ErrKEKSize", err)
	}
	// A database next to an unsafe key file does not open.
	os.Chmod(file, 0o644)
	if _, err := sqlitestore.OpenKeyFile(context.Background(), filepath.Join(dir, "codes.db"), file); !errors.Is(err, sqlitestore.ErrKeyFileMode) {
		t.Errorf("open with a world-readable key file: %v, want ErrKeyFileMode", err)
	}
}

func TestParseKEK(t *testing.T) {
	k := newKEK(t)
	for _, tc := range []struct {
		name, in string
		want     error
	}{
		{"padded", base64.StdEncoding.EncodeToString(k), nil},
		{"unpadded with newline", base64.RawStdEncoding.EncodeToString(k) + "\n", nil},
		{"16 bytes", base64.StdEncoding.EncodeToString(k[:16]), sqlitestore.ErrKEKSize},
		{"empty", "", sqlitestore.ErrKEKSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := sqlitestore.ParseKEK(tc.in)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if err == nil && !bytes.Equal(got, k) {
				t.Errorf("got %x, want %x", got, k)
			}
		})
	}
	if _, err := sqlitestore.ParseKEK("not*base64"); err == nil {
		t.Error("ParseKEK accepted text that is not base64")
	}
}

func FuzzParseKEK(f *testing.F) {
	f.Add(base64.StdEncoding.EncodeToString(make([]byte, 32)))
	f.Add("AAAA")
	f.Add("")
	f.Add("=== \n")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := sqlitestore.ParseKEK(s)
		if err == nil && len(k) != sqlitestore.KEKSize {
			t.Fatalf("accepted %d bytes", len(k))
		}
	})
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
	file := filepath.Join(b.TempDir(), "codes.db")
	kek := newKEK(b)
	s, err := sqlitestore.OpenKEK(ctx, file, kek)
	if err != nil {
		b.Fatal(err)
	}
	s.Close()
	for b.Loop() {
		s, err := sqlitestore.OpenKEK(ctx, file, kek)
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

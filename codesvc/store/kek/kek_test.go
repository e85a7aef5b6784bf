package kek_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/shcommunity/kiosk/codesvc/store/kek"
)

func newKEK(t testing.TB) []byte {
	t.Helper()
	k := make([]byte, kek.Size)
	rand.Read(k)
	return k
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "codes.db.key")
	key, created, err := kek.LoadFile(file)
	if err != nil || !created || len(key) != kek.Size {
		t.Fatalf("first load = %d bytes, created %v, %v; want %d new bytes", len(key), created, err, kek.Size)
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
	again, created, err := kek.LoadFile(file)
	if err != nil || created || !bytes.Equal(again, key) {
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
		{0o640, kek.ErrFileMode},
		{0o604, kek.ErrFileMode},
		{0o644, kek.ErrFileMode},
		{0o660, kek.ErrFileMode},
	} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			if err := os.Chmod(file, tc.mode); err != nil {
				t.Fatal(err)
			}
			_, _, err := kek.LoadFile(file)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("mode %04o: got %v, want %v", tc.mode, err, tc.want)
			}
		})
	}
	short := filepath.Join(dir, "short.key")
	os.WriteFile(short, []byte("0123456789"), 0o600)
	if _, _, err := kek.LoadFile(short); !errors.Is(err, kek.ErrSize) {
		t.Errorf("10-byte key file: %v, want ErrKEKSize", err)
	}
}

func TestParse(t *testing.T) {
	k := newKEK(t)
	for _, tc := range []struct {
		name, in string
		want     error
	}{
		{"padded", base64.StdEncoding.EncodeToString(k), nil},
		{"unpadded with newline", base64.RawStdEncoding.EncodeToString(k) + "\n", nil},
		{"16 bytes", base64.StdEncoding.EncodeToString(k[:16]), kek.ErrSize},
		{"empty", "", kek.ErrSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := kek.Parse(tc.in)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if err == nil && !bytes.Equal(got, k) {
				t.Errorf("got %x, want %x", got, k)
			}
		})
	}
	if _, err := kek.Parse("not*base64"); err == nil {
		t.Error("Parse accepted text that is not base64")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(base64.StdEncoding.EncodeToString(make([]byte, 32)))
	f.Add("AAAA")
	f.Add("")
	f.Add("=== \n")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := kek.Parse(s)
		if err == nil && len(k) != kek.Size {
			t.Fatalf("accepted %d bytes", len(k))
		}
	})
}

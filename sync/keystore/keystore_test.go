package keystore_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/shcommunity/kiosk/sync/keystore"
)

func TestSaveLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), keystore.DirName)
	f := keystore.File{Path: filepath.Join(dir, "kiosk.key")}
	if _, ok, err := f.Load(); ok || err != nil {
		t.Fatalf("missing file: ok %v, err %v", ok, err)
	}
	k := keystore.Keys{DeviceSeed: bytes.Repeat([]byte{1}, 32), ResidentSecret: bytes.Repeat([]byte{2}, 32), AuditKey: bytes.Repeat([]byte{3}, 32)}
	if err := f.Save(k); err != nil {
		t.Fatal(err)
	}
	got, ok, err := f.Load()
	if err != nil || !ok || !bytes.Equal(got.DeviceSeed, k.DeviceSeed) || !bytes.Equal(got.ResidentSecret, k.ResidentSecret) ||
		!bytes.Equal(got.AuditKey, k.AuditKey) {
		t.Fatalf("Load = %+v, %v, %v", got, ok, err)
	}
	k.DeviceSeed = nil
	if err := f.Save(k); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := f.Load(); got.DeviceSeed != nil {
		t.Error("a second Save did not replace the first")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the key directory holds %d files, want the key file alone", len(entries))
	}
	if runtime.GOOS == "windows" {
		return
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, f.Path: 0o600} {
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, %v; want %04o", path, st.Mode().Perm(), err, want)
		}
	}
	os.Chmod(f.Path, 0o644)
	if _, _, err := f.Load(); !errors.Is(err, keystore.ErrFileMode) {
		t.Errorf("a readable key file: %v, want ErrFileMode", err)
	}
	os.Chmod(f.Path, 0o600)
	os.WriteFile(f.Path, []byte("not json"), 0o600)
	if _, _, err := f.Load(); !errors.Is(err, keystore.ErrDamaged) {
		t.Errorf("a damaged key file: %v, want ErrDamaged", err)
	}
}

package golden_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/shcommunity/kiosk/internal/golden"
)

// TestWant: a missing file is an error that says how to make it; -update
// writes the file, and later reads see what was written.
func TestWant(t *testing.T) {
	dir := t.TempDir()
	if _, err := golden.Want(filepath.Join(dir, "missing.golden"), nil, false); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v, want not exist", err)
	}
	for _, step := range []struct {
		got    string
		update bool
		want   string
	}{{"a", true, "a"}, {"b", false, "a"}, {"b", true, "b"}} {
		want, err := golden.Want(filepath.Join(dir, "out.golden"), []byte(step.got), step.update)
		if err != nil || string(want) != step.want {
			t.Fatalf("Want(%q, update %v) = %q, %v; want %q", step.got, step.update, want, err, step.want)
		}
	}
}

package rig_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/shcommunity/kiosk/app/rig"
)

// TestStartFails: a rig that cannot start says why and leaves nothing
// running (it once panicked closing a rig it had already dropped).
func TestStartFails(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := rig.Start(context.Background(), rig.Options{Dir: notDir})
	if err == nil {
		r.Close()
		t.Fatal("Start in a file instead of a directory succeeded")
	}
	if r != nil {
		t.Errorf("Start failed (%v) but returned a rig", err)
	}
}

package sqlitestore_test

import (
	"context"
	"testing"

	"github.com/shcommunity/kiosk/codesvc/store/sqlitestore"
)

// What every store must do is tested on this store and PostgreSQL alike
// by the contract suite in package store; this package tests what is
// SQLite's own: its file, its key file and its older releases.

func TestOpenNeedsAFile(t *testing.T) {
	for _, file := range []string{"", ":memory:", "codes.db?mode=memory"} {
		if s, err := sqlitestore.Open(context.Background(), file); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded; the read pool needs a file", file)
		}
	}
}

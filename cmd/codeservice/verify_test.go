package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shcommunity/kiosk/codesvc/api"
)

// TestVerifyOnServiceDatabase: `verify --db` checks the signature offline
// and then asks the service's own data, so a re-issued (superseded) code
// is refused while the new one verifies live.
func TestVerifyOnServiceDatabase(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "codes.db")
	svc, closeDB := openQuiet(t, db)
	yellow := seededResident(t, svc, "resident-yellow")
	dev := registeredDevice(t, svc, "test", api.RoleVenue, "test kiosk")
	old, err := svc.IssueToken(ctx, dev.ID, "", yellow.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := svc.ReissueToken(ctx, dev.ID, "", old.TokenID)
	if err != nil {
		t.Fatal(err)
	}
	closeDB()

	var out bytes.Buffer
	if err := run(ctx, []string{"verify", "--db", db, fresh.Text}, strings.NewReader(""), &out); err != nil {
		t.Fatalf("verify the new code: %v", err)
	}
	if got := out.String(); !strings.Contains(got, `colour: "yellow" (source live)`) {
		t.Errorf("new code: %s; want the live yellow", got)
	}
	out.Reset()
	err = run(ctx, []string{"verify", "--db", db, old.Text}, strings.NewReader(""), &out)
	if err == nil || !strings.Contains(err.Error(), "superseded") {
		t.Errorf("old code after re-issue: %v (output %q); want a superseded refusal", err, out.String())
	}
}

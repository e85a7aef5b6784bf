package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/devseed"
)

// TestVerifyOnServiceDatabase: `verify --db` checks the signature offline
// and then asks the service's own data, so a re-issued (superseded) code
// is refused while the new one verifies live.
func TestVerifyOnServiceDatabase(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "codes.db")
	svc, closeDB, err := openService(ctx, db, "", "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	residents, err := devseed.Seed(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	code, _, err := svc.ProvisionDevice(ctx, "test", api.RoleVenue)
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	dev, err := svc.RegisterDevice(ctx, code, "test kiosk", pub)
	if err != nil {
		t.Fatal(err)
	}
	var yellow devseed.Resident
	for _, r := range residents {
		if r.Label == "resident-yellow" {
			yellow = r
		}
	}
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

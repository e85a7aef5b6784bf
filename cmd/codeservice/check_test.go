package main

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/pii"
)

// TestDeskChecksACredential: a hospital desk registered with `desk
// register` checks a medical-visit credential over HTTP and is shown what
// registration needs, in full; the service records the look-up with the
// desk's purpose. A paper code is refused at the desk, a device of another
// role is told it is not a desk, and the identity file is 0600 and never
// overwritten.
func TestDeskChecksACredential(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	svc, closeDB := openQuiet(t, filepath.Join(dir, "codes.db"))
	defer closeDB()
	yellow := seededResident(t, svc, "resident-yellow")
	srv := httptest.NewServer(server.NewHandler(svc))
	defer srv.Close()

	kiosk := registeredDevice(t, svc, "kiosk", api.RoleSelfService, "自助机")
	cred, err := svc.IssueCredential(ctx, kiosk.ID, "", yellow.ID, pii.IDNumber("D00000002"))
	if err != nil {
		t.Fatal(err)
	}
	paper, err := svc.IssueToken(ctx, kiosk.ID, "", yellow.ID, false)
	if err != nil {
		t.Fatal(err)
	}

	register := func(role api.Role, file string) {
		t.Helper()
		code, _, err := svc.ProvisionDevice(ctx, "desk", role)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := run(ctx, []string{"desk", "register", "--url", srv.URL, "--code", code, "--fingerprint", svc.Fingerprint(nil),
			"--file", file, "--name", "瑞金医院挂号处"}, strings.NewReader(""), &out); err != nil {
			t.Fatalf("desk register (%s): %v", role, err)
		}
	}
	file := filepath.Join(dir, "desk.json")
	register(api.RoleHospital, file)
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("identity file: %v, %v; want mode 0600", fi.Mode(), err)
	}
	code, _, _ := svc.ProvisionDevice(ctx, "desk", api.RoleHospital)
	if err := run(ctx, []string{"desk", "register", "--url", srv.URL, "--code", code, "--fingerprint", svc.Fingerprint(nil),
		"--file", file}, strings.NewReader(""), io.Discard); err == nil {
		t.Error("desk register over an existing identity file succeeded")
	}

	var out bytes.Buffer
	if err := run(ctx, []string{"desk", "check", "--file", file, cred.Text}, strings.NewReader(""), &out); err != nil {
		t.Fatalf("desk check: %v", err)
	}
	for _, want := range []string{"李秀英", "女 female", "1955-09-22", "D00000002", cred.TokenID} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("desk check output lacks %q:\n%s", want, out.String())
		}
	}
	recs, err := svc.Store.AccessRecords(ctx, svc.ResidentKey(yellow.ID), svc.Now().Add(-3600e9))
	if err != nil {
		t.Fatal(err)
	}
	looked := 0
	for _, r := range recs {
		if r.Purpose == string(api.PurposeHospital) && r.Role == string(api.RoleHospital) && r.Place == "瑞金医院挂号处" {
			looked++
		}
	}
	if looked != 1 {
		t.Errorf("%d access records of the desk's look-up, want 1: %+v", looked, recs)
	}

	if err := run(ctx, []string{"desk", "check", "--file", file, paper.Text}, strings.NewReader(""), io.Discard); err == nil ||
		!strings.Contains(err.Error(), "paper health code") {
		t.Errorf("desk check of a paper code: %v; want the paper code refused", err)
	}
	venue := filepath.Join(dir, "venue.json")
	register(api.RoleVenue, venue)
	if err := run(ctx, []string{"desk", "check", "--file", venue, cred.Text}, strings.NewReader(""), io.Discard); err == nil ||
		!strings.Contains(err.Error(), "not a hospital desk") {
		t.Errorf("a venue device's desk check: %v; want it told it is not a desk", err)
	}
}

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

package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/pii"
)

// TestHelp: --help and admin --help list the commands on stdout and end
// without an error (exit 0), as kioskctl's do.
func TestHelp(t *testing.T) {
	ctx := context.Background()
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"admin", "--help"}, {"admin", "-h"}, {"admin", "help"}} {
		var out bytes.Buffer
		if err := run(ctx, args, strings.NewReader(""), &out); err != nil {
			t.Errorf("%v: %v", args, err)
			continue
		}
		want := []string{"serve", "admin", "verify", "desk", "bench-status"}
		if args[0] == "admin" {
			want = []string{"enrol", "event", "device", "worker", "correction", "rotate-key", "revoke-key", "-db"}
		}
		for _, w := range want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%v does not list %q:\n%s", args, w, out.String())
			}
		}
	}
}

// TestAdminEnrolAndEvent: admin event refuses a number the service has
// never enrolled, and creates no resident; admin enrol enrols a named
// resident, after which the event is recorded and the resident is known
// with her masked name.
func TestAdminEnrolAndEvent(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "codes.db")
	const number = "310101194803140019"
	admin := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"admin", "--db", db}, args...), strings.NewReader(""), &out)
		return out.String(), err
	}
	known := func() (bool, string) {
		t.Helper()
		svc, closeDB := openQuiet(t, db)
		defer closeDB()
		id, err := pii.ParseIDNumber(number, svc.Now())
		if err != nil {
			t.Fatal(err)
		}
		st, err := svc.StatusFor(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return st.Known, st.MaskedName
	}
	if _, err := admin("event", "--id", number, "--kind", "arrival_key_area"); !errors.Is(err, errNotEnrolled) {
		t.Fatalf("event before enrol: %v, want errNotEnrolled", err)
	} else if strings.Contains(err.Error(), number) {
		t.Errorf("the error shows the number in full: %v", err)
	}
	if k, _ := known(); k {
		t.Fatal("a refused event created a resident")
	}
	if _, err := admin("enrol", "--id", number, "--name", "张3"); !errors.Is(err, errInvalidName) {
		t.Errorf("enrol with a bad name: %v, want errInvalidName", err)
	}
	if _, err := admin("enrol", "--id", number, "--name", "张三丰", "--phone", "12"); !errors.Is(err, errInvalidPhone) {
		t.Errorf("enrol with a bad phone: %v, want errInvalidPhone", err)
	}
	out, err := admin("enrol", "--id", number, "--name", "张三丰", "--phone", "13812345678")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "张三丰") || strings.Contains(out, number) || !strings.Contains(out, "张*丰") {
		t.Errorf("enrol says %q: want the masked name only", out)
	}
	if k, name := known(); !k || name != "张*丰" {
		t.Errorf("after enrol: known %v, name %q", k, name)
	}
	if out, err := admin("event", "--id", number, "--kind", "arrival_key_area"); err != nil || !strings.Contains(out, "event ") {
		t.Errorf("event after enrol: %q, %v", out, err)
	}
}

// TestFinding4RevokeKeyCommand: `admin revoke-key --id` takes a key out
// of the trust list at once (the key in use is replaced first), and an
// unknown key is an error.
func TestFinding4RevokeKeyCommand(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "codes.db")
	svc, closeDB := openQuiet(t, db)
	keys, err := svc.Store.SigningKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	leaked := keys[0].KeyID
	closeDB()
	var out bytes.Buffer
	if err := run(ctx, []string{"admin", "--db", db, "revoke-key", "--id", leaked}, strings.NewReader(""), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "revoked signing key "+leaked) {
		t.Errorf("output %q", out.String())
	}
	if err := run(ctx, []string{"admin", "--db", db, "revoke-key", "--id", "00000000"}, strings.NewReader(""), &out); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown key: %v, want ErrNotFound", err)
	}
	svc, closeDB = openQuiet(t, db)
	defer closeDB()
	tl, err := svc.TrustList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tl.Key(leaked); ok || len(tl.Keys) != 1 {
		t.Errorf("trust list after revoke-key: %+v", tl.Keys)
	}
}

package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"testing"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/devseed"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/pgstore/pgtest"
)

// TestMain stops the PostgreSQL cluster the tests shared, if one started.
func TestMain(m *testing.M) { pgtest.Main(m) }

// quietLog is the log of a service a test opens: it says nothing.
func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// openQuiet opens the service on the SQLite database db, with the key
// file beside it and a quiet log, and returns it with its closer.
func openQuiet(t *testing.T, db string) (*server.Service, func()) {
	t.Helper()
	svc, closeDB, err := openService(context.Background(), db, "", "", quietLog())
	if err != nil {
		t.Fatal(err)
	}
	return svc, closeDB
}

// seededResident seeds the sample residents into svc and returns the one
// with the label.
func seededResident(t *testing.T, svc *server.Service, label string) devseed.Resident {
	t.Helper()
	residents, err := devseed.Seed(context.Background(), svc)
	if err != nil {
		t.Fatal(err)
	}
	var found devseed.Resident
	for _, r := range residents {
		if r.Label == label {
			found = r
		}
	}
	return found
}

// registeredDevice provisions a device of the role with the note and
// registers it under the name with a new key.
func registeredDevice(t *testing.T, svc *server.Service, note string, role api.Role, name string) store.Device {
	t.Helper()
	ctx := context.Background()
	code, _, err := svc.ProvisionDevice(ctx, note, role)
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	dev, err := svc.RegisterDevice(ctx, code, name, pub)
	if err != nil {
		t.Fatal(err)
	}
	return dev
}

// Package servertest starts the reference code service for other
// packages' tests: on a new SQLite store of the test's own, with its logs
// discarded and the cheapest password-hash cost, and closed when the test
// ends. Only tests import it.
package servertest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/store/sqlitestore"
)

// T is the part of a test or benchmark (testing.TB) that New uses.
type T interface {
	Helper()
	TempDir() string
	Cleanup(func())
	Fatal(args ...any)
}

// Argon2 is the cheapest password-hash cost: what the tests use unless
// the hashing itself is what they measure.
var Argon2 = api.Argon2Params{Time: 1, Memory: 64, Threads: 1}

// New starts a service on a new store in t's temporary directory.
func New(t T, opt server.Options) *server.Service {
	t.Helper()
	return At(t, filepath.Join(t.TempDir(), "codes.db"), opt)
}

// At starts a service on a store at path, for a test that reads the
// file itself. A nil opt.Logger discards the logs and a zero opt.Argon2
// is Argon2; every other option is the caller's. The store closes when
// the test ends.
func At(t T, path string, opt server.Options) *server.Service {
	t.Helper()
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Argon2 == (api.Argon2Params{}) {
		opt.Argon2 = Argon2
	}
	svc, err := server.New(ctx, st, opt)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// Serve serves svc's HTTP API on a loopback port until the test ends.
func Serve(t T, svc *server.Service) *httptest.Server {
	srv := httptest.NewServer(server.NewHandler(svc))
	t.Cleanup(srv.Close)
	return srv
}

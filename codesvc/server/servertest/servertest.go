// Package servertest starts the reference code service for other
// packages' tests: on a new SQLite store of the test's own, with its logs
// discarded and the cheapest password-hash cost, and closed when the test
// ends; and a certificate of its own for a test served over TLS. Only
// tests import it.
package servertest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"log/slog"
	"math/big"
	"net"
	"net/http/httptest"
	"path/filepath"
	"time"

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

// LoopbackCert makes a new self-signed certificate for 127.0.0.1, valid
// for an hour either side of now, with its ECDSA P-256 key; its Leaf is
// set. httptest's own certificate is the same for every server, so a
// test of certificate pinning needs one of these.
func LoopbackCert() (tls.Certificate, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "codes.test"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv, Leaf: leaf}, nil
}

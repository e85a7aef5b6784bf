package client_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/server/servertest"
)

// service starts a real code service behind TLS with a certificate of
// its own, and returns it with its server.
func service(t *testing.T) (*server.Service, *httptest.Server) {
	t.Helper()
	svc := servertest.New(t, server.Options{})
	return svc, tlsServer(t, server.NewHandler(svc))
}

func newKey() ed25519.PrivateKey { _, k, _ := ed25519.GenerateKey(rand.Reader); return k }

// counting passes requests to next and counts the registrations it saw.
type counting struct {
	next      http.Handler
	registers atomic.Int32
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v1/devices/register" {
		c.registers.Add(1)
	}
	c.next.ServeHTTP(w, r)
}

// TestFinding2PlainHTTPRefused: the kiosk sent ID numbers over http:// to
// any host. Now a plain-http URL to anything but loopback is refused
// before a connection is made, for provisioning and for every call.
func TestFinding2PlainHTTPRefused(t *testing.T) {
	var dialled atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialled.Add(1)
		return nil, errors.New("no network in this test")
	}}
	httpc := &http.Client{Transport: tr}
	for _, base := range []string{"http://192.0.2.10:8443", "http://codes.example", "http://[2001:db8::1]:8443", "http://0.0.0.0:8443"} {
		c := &client.Client{BaseURL: base, HTTP: httpc, DeviceID: "D1", Key: newKey()}
		if _, err := c.Feed(context.Background(), "", 0); !errors.Is(err, client.ErrInsecureURL) {
			t.Errorf("%s: feed err = %v, want ErrInsecureURL", base, err)
		}
		_, err := client.Provision(context.Background(), client.Provisioning{BaseURL: base, Code: "AAAA-BBBB-CCCC-DDDD",
			Fingerprint: "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AA", Key: newKey()})
		if !errors.Is(err, client.ErrInsecureURL) {
			t.Errorf("%s: provision err = %v, want ErrInsecureURL", base, err)
		}
	}
	if n := dialled.Load(); n != 0 {
		t.Errorf("%d connections were attempted", n)
	}
	for _, base := range []string{"http://127.0.0.1:8443", "http://localhost:8443", "http://[::1]:8443", "https://codes.example"} {
		if err := client.CheckURL(base); err != nil {
			t.Errorf("CheckURL(%s) = %v, want nil", base, err)
		}
	}
}

// TestFinding2Pinning: the kiosk took the service's trust root and
// sealing key on first use from whoever answered, and trusted any
// certificate. Now provisioning checks the TLS key, the root and the
// sealing key against the fingerprint the administrator printed, before
// the code leaves the device; afterwards only the pinned TLS key is
// accepted.
func TestFinding2Pinning(t *testing.T) {
	ctx := context.Background()
	svc, real := service(t)
	fp := svc.Fingerprint(api.SPKIHash(real.Certificate()))

	t.Run("a man in the middle with its own certificate", func(t *testing.T) {
		mitm := &counting{next: server.NewHandler(svc)} // sees everything, serves the real answers
		front := tlsServer(t, mitm)
		code, _, err := svc.ProvisionDevice(ctx, "mitm", api.RoleSelfService)
		if err != nil {
			t.Fatal(err)
		}
		_, err = client.Provision(ctx, client.Provisioning{BaseURL: front.URL, Code: code, Fingerprint: fp, Name: "k", Key: newKey()})
		if !errors.Is(err, client.ErrFingerprint) {
			t.Fatalf("err = %v, want ErrFingerprint", err)
		}
		if n := mitm.registers.Load(); n != 0 {
			t.Fatalf("the provisioning code reached the man in the middle %d times", n)
		}
		// The code is still good at the real service.
		if _, err := client.Provision(ctx, client.Provisioning{BaseURL: real.URL, Code: code, Fingerprint: fp, Name: "k", Key: newKey()}); err != nil {
			t.Errorf("the right service after the refusal: %v", err)
		}
	})
	t.Run("an impostor service with its own keys", func(t *testing.T) {
		_, impostor := service(t)
		code, _, _ := svc.ProvisionDevice(ctx, "impostor", api.RoleSelfService)
		if _, err := client.Provision(ctx, client.Provisioning{BaseURL: impostor.URL, Code: code, Fingerprint: fp, Key: newKey()}); !errors.Is(err, client.ErrFingerprint) {
			t.Errorf("err = %v, want ErrFingerprint", err)
		}
	})
	t.Run("a wrong or malformed fingerprint", func(t *testing.T) {
		code, _, _ := svc.ProvisionDevice(ctx, "typo", api.RoleSelfService)
		for _, f := range []string{svc.Fingerprint(nil), "ABCD", ""} {
			if _, err := client.Provision(ctx, client.Provisioning{BaseURL: real.URL, Code: code, Fingerprint: f, Key: newKey()}); !errors.Is(err, client.ErrFingerprint) {
				t.Errorf("fingerprint %q: err = %v, want ErrFingerprint", f, err)
			}
		}
	})
	t.Run("pinned afterwards", func(t *testing.T) {
		code, _, _ := svc.ProvisionDevice(ctx, "pinned", api.RoleSelfService)
		got, err := client.Provision(ctx, client.Provisioning{BaseURL: real.URL, Code: code, Fingerprint: fp, Name: "k", Key: newKey()})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Pin) == 0 || got.Response.DeviceID == "" {
			t.Fatalf("provisioned %+v", got)
		}
		c := got.Client
		c.Purpose = api.PurposeSelfService
		if _, err := c.Feed(ctx, "", 0); err != nil {
			t.Fatalf("pinned client at the real service: %v", err)
		}
		other := tlsServer(t, server.NewHandler(svc)) // the same service behind another TLS key
		moved := &client.Client{BaseURL: other.URL, HTTP: client.HTTPClient(got.Pin, nil, 5*time.Second), DeviceID: c.DeviceID, Key: c.Key,
			Purpose: api.PurposeSelfService}
		if _, err := moved.Feed(ctx, "", 0); !errors.Is(err, client.ErrPin) {
			t.Errorf("another TLS key: err = %v, want ErrPin", err)
		}
	})
}

// TestFinding2ClockOffset: the client adopted X-Server-Time from any
// response, so anyone answering (a proxy's error page, an unsigned
// endpoint) could move the kiosk's idea of the service's time and make a
// stale cached status look fresh. Now only an answer to a signed request,
// from the service itself (success or its JSON error), and within
// client.MaxSkew, moves it.
func TestFinding2ClockOffset(t *testing.T) {
	var offset atomic.Int64 // seconds added to the real time in X-Server-Time
	var mode atomic.Value   // "ok", "proxy502"
	mode.Store("ok")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(api.HeaderServerTime, strconv.FormatInt(time.Now().Unix()+offset.Load(), 10))
		if mode.Load() == "proxy502" {
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"entries":[],"next_cursor":"","more":false,"server_time":"2026-03-01T09:00:00Z","trust_list_version":1}`)
	})
	srv := httptest.NewServer(h) // loopback
	defer srv.Close()
	c := &client.Client{BaseURL: srv.URL, DeviceID: "D1", Key: newKey(), NoSessions: true}
	ctx := context.Background()
	near := func(want time.Duration) bool { d := c.Skew() - want; return d > -3*time.Second && d < 3*time.Second }

	offset.Store(2 * 3600)
	c.TrustList(ctx) // unsigned
	if !near(0) {
		t.Errorf("an unsigned answer moved the skew to %v", c.Skew())
	}
	mode.Store("proxy502")
	c.Feed(ctx, "", 0)
	if !near(0) {
		t.Errorf("a proxy's 502 moved the skew to %v", c.Skew())
	}
	mode.Store("ok")
	offset.Store(10 * 24 * 3600)
	c.Feed(ctx, "", 0)
	if !near(0) {
		t.Errorf("an answer 10 days ahead moved the skew to %v (bound %v)", c.Skew(), client.MaxSkew)
	}
	offset.Store(2 * 3600)
	if _, err := c.Feed(ctx, "", 0); err != nil {
		t.Fatal(err)
	}
	if !near(2 * time.Hour) {
		t.Errorf("a signed answer 2 h ahead: skew %v, want 2h", c.Skew())
	}
}

// tlsServer serves h over TLS with a new self-signed certificate for
// 127.0.0.1 (httptest's own certificate is the same for every server).
func tlsServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	cert, err := servertest.LoopbackCert()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

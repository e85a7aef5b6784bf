package server_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/server"
)

// rawSession obtains a session for c by hand (an Ed25519-signed POST
// /v1/sessions with a fresh X25519 key) and returns its ID and key.
func rawSession(t *testing.T, e *env, c *client.Client) (string, []byte) {
	t.Helper()
	priv, _ := ecdh.X25519().GenerateKey(rand.Reader)
	pub := priv.PublicKey().Bytes()
	body, _ := json.Marshal(api.SessionRequest{ClientKey: base64.RawURLEncoding.EncodeToString(pub)})
	req, _ := http.NewRequest("POST", e.srv.URL+"/v1/sessions", bytes.NewReader(body))
	signer := &client.Client{DeviceID: c.DeviceID, Key: c.Key, Now: e.clk.Now}
	if err := signer.Sign(req, body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out api.SessionResponse
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /v1/sessions: status %d, want 201", resp.StatusCode)
	}
	if err := api.Decode(resp.Body, &out); err != nil {
		t.Fatal(err)
	}
	if want := e.clk.Now().Add(server.DefaultSessionTTL); !out.ExpiresAt.Equal(want) {
		t.Errorf("expires_at = %v, want %v", out.ExpiresAt, want)
	}
	spub, _ := base64.RawURLEncoding.DecodeString(out.ServerKey)
	peer, err := ecdh.X25519().NewPublicKey(spub)
	if err != nil {
		t.Fatal(err)
	}
	key, err := api.SessionKey(priv, peer, pub, spub, out.SessionID, c.DeviceID)
	if err != nil {
		t.Fatal(err)
	}
	return out.SessionID, key
}

// rawSessionDo sends a session-authenticated request whose MAC covers
// macBody under key while sent goes on the wire.
func rawSessionDo(t *testing.T, e *env, sid string, key []byte, method, path string, macBody, sent []byte, ts time.Time, nonce string) (int, api.Code) {
	t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(sent))
	mac := api.SessionMAC(api.NewSessionMAC(key), nil, method, req.URL.RequestURI(), ts.Unix(), nonce, macBody)
	stamp(req.Header, api.HeaderSessionID, sid, strconv.FormatInt(ts.Unix(), 10), nonce, api.HeaderSessionMAC, base64.RawURLEncoding.EncodeToString(mac))
	return answerCode(t, req)
}

func TestSessionAuth(t *testing.T) {
	e := newEnv(t, server.Options{})
	sid, key := rawSession(t, e, e.c)
	body := []byte(`{"id_number":"` + idNumber(t, "19480314", 1).Reveal() + `","purpose":"counter_service"}`)
	now := e.clk.Now()
	if st, code := rawSessionDo(t, e, sid, key, "POST", "/v1/status", body, body, now, "nonce-aaaaaaaaaaaaaaaa"); st != 200 {
		t.Fatalf("good request: %d %s", st, code)
	}
	_, otherKey := rawSession(t, e, e.c)
	tampered := []byte(strings.Replace(string(body), "3101", "3102", 1))
	tests := []struct {
		name       string
		sid        string
		key        []byte
		sent       []byte
		ts         time.Time
		nonce      string
		wantStatus int
		want       api.Code
	}{
		{"replay", sid, key, body, now, "nonce-aaaaaaaaaaaaaaaa", 401, api.CodeReplay},
		{"wrong key", sid, otherKey, body, now, "nonce-bbbbbbbbbbbbbbbb", 401, api.CodeBadMAC},
		{"tampered body", sid, key, tampered, now, "nonce-cccccccccccccccc", 401, api.CodeBadMAC},
		{"unknown session", "SNOSUCHSESSION", key, body, now, "nonce-dddddddddddddddd", 401, api.CodeUnknownSession},
		{"clock behind", sid, key, body, now.Add(-6 * time.Minute), "nonce-eeeeeeeeeeeeeeee", 401, api.CodeClockSkew},
		{"short nonce", sid, key, body, now, "short", 401, api.CodeAuthMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, code := rawSessionDo(t, e, tt.sid, tt.key, "POST", "/v1/status", body, tt.sent, tt.ts, tt.nonce)
			if st != tt.wantStatus || code != tt.want {
				t.Errorf("got %d %s, want %d %s", st, code, tt.wantStatus, tt.want)
			}
		})
	}
	t.Run("a rejected MAC does not use up the nonce", func(t *testing.T) {
		if st, code := rawSessionDo(t, e, sid, key, "POST", "/v1/status", body, body, now, "nonce-bbbbbbbbbbbbbbbb"); st != 200 {
			t.Errorf("got %d %s, want 200", st, code)
		}
	})
	t.Run("malformed MAC", func(t *testing.T) {
		req, _ := http.NewRequest("POST", e.srv.URL+"/v1/status", bytes.NewReader(body))
		stamp(req.Header, api.HeaderSessionID, sid, strconv.FormatInt(now.Unix(), 10), "nonce-ffffffffffffffff", api.HeaderSessionMAC, "!!!")
		st, ae, _ := exchange(t, req)
		if st != 401 || ae == nil || ae.Code != api.CodeAuthMalformed {
			t.Errorf("got %d %+v, want 401 auth_malformed", st, ae)
		}
	})
	t.Run("a session cannot open a session", func(t *testing.T) {
		b := []byte(`{"client_key":"` + base64.RawURLEncoding.EncodeToString(make([]byte, 32)) + `"}`)
		st, code := rawSessionDo(t, e, sid, key, "POST", "/v1/sessions", b, b, now, "nonce-gggggggggggggggg")
		if st != 401 || code != api.CodeAuthMalformed {
			t.Errorf("got %d %s, want 401 auth_malformed", st, code)
		}
	})
	t.Run("expiry", func(t *testing.T) {
		e.clk.Add(server.DefaultSessionTTL)
		st, code := rawSessionDo(t, e, sid, key, "POST", "/v1/status", body, body, e.clk.Now(), "nonce-hhhhhhhhhhhhhhhh")
		if st != 401 || code != api.CodeSessionExpired {
			t.Errorf("at expiry: got %d %s, want 401 session_expired", st, code)
		}
	})
}

func TestSessionRevocation(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	dev, _ := e.register("kiosk-to-revoke")
	sid, key := rawSession(t, e, dev)
	body := []byte(`{"id_number":"` + idNumber(t, "19480314", 1).Reveal() + `","purpose":"counter_service"}`)
	if st, code := rawSessionDo(t, e, sid, key, "POST", "/v1/status", body, body, e.clk.Now(), "nonce-aaaaaaaaaaaaaaaa"); st != 200 {
		t.Fatalf("before revocation: %d %s", st, code)
	}
	// Revoked in the store, as the admin command in another process does:
	// the very next request fails, and every one after it.
	if err := e.svc.Store.RevokeDevice(ctx, dev.DeviceID, e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		status int
		code   api.Code
	}{{403, api.CodeDeviceRevoked}, {403, api.CodeDeviceRevoked}} {
		st, code := rawSessionDo(t, e, sid, key, "POST", "/v1/status", body, body, e.clk.Now(), "nonce-bbbbbbbbbbbbbbb"+strconv.Itoa(i))
		if st != want.status || code != want.code {
			t.Errorf("request %d after revocation: got %d %s, want %d %s", i, st, code, want.status, want.code)
		}
	}
	if _, err := dev.Status(ctx, idNumber(t, "19480314", 1)); apiCode(err) != api.CodeDeviceRevoked {
		t.Errorf("client of a revoked device: %v, want device_revoked", err)
	}
}

func TestSessionCapPerDevice(t *testing.T) {
	e := newEnv(t, server.Options{MaxSessionsPerDevice: 2})
	first, key := rawSession(t, e, e.c)
	rawSession(t, e, e.c)
	rawSession(t, e, e.c) // evicts the first
	body := []byte(`{"id_number":"` + idNumber(t, "19480314", 1).Reveal() + `","purpose":"counter_service"}`)
	st, code := rawSessionDo(t, e, first, key, "POST", "/v1/status", body, body, e.clk.Now(), "nonce-aaaaaaaaaaaaaaaa")
	if st != 401 || code != api.CodeUnknownSession {
		t.Errorf("oldest session past the cap: got %d %s, want 401 unknown_session", st, code)
	}
}

// TestClientSessions checks what the client does on its own: it uses a
// session, renews it when it expires, keeps it across a restart of the
// service, gets a new one after the service ended it, and signs with
// Ed25519 where sessions are refused.
func TestClientSessions(t *testing.T) {
	ctx := context.Background()
	id := idNumber(t, "19480314", 1)
	t.Run("uses and renews a session", func(t *testing.T) {
		e := newEnv(t, server.Options{SessionTTL: time.Minute})
		if _, err := e.c.Status(ctx, id); err != nil {
			t.Fatal(err)
		}
		s1 := e.c.SessionID()
		if s1 == "" {
			t.Fatal("no session after a status lookup")
		}
		if _, err := e.c.Status(ctx, id); err != nil || e.c.SessionID() != s1 {
			t.Errorf("second lookup: %v, session %q, want the same %q", err, e.c.SessionID(), s1)
		}
		e.clk.Add(55 * time.Second) // past nine tenths of the lifetime
		if _, err := e.c.Status(ctx, id); err != nil {
			t.Fatal(err)
		}
		s2 := e.c.SessionID()
		if s2 == "" || s2 == s1 {
			t.Errorf("after 55 s of a 60 s session: session %q, want a new one", s2)
		}
		e.clk.Add(2 * time.Minute) // expired without renewal in between
		if _, err := e.c.Status(ctx, id); err != nil {
			t.Errorf("after expiry: %v", err)
		}
	})
	t.Run("keeps its session across a restart", func(t *testing.T) {
		e := newEnv(t, server.Options{})
		var cur atomic.Pointer[server.Handler]
		cur.Store(e.h)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { cur.Load().ServeHTTP(w, r) }))
		defer srv.Close()
		c := &client.Client{BaseURL: srv.URL, DeviceID: e.c.DeviceID, Key: e.c.Key, Now: e.clk.Now, Purpose: api.PurposeCounter}
		if _, err := c.Status(ctx, id); err != nil {
			t.Fatal(err)
		}
		old := c.SessionID()
		e.clk.Add(2 * time.Second)
		cur.Store(e.instance().h) // a restart: a new process on the same database
		if _, err := c.Status(ctx, id); err != nil {
			t.Fatalf("after a restart: %v", err)
		}
		if c.SessionID() != old {
			t.Errorf("session after restart %q, want the same %q", c.SessionID(), old)
		}
	})
	t.Run("recovers from a forgotten session", func(t *testing.T) {
		e := newEnv(t, server.Options{MaxSessionsPerDevice: 1})
		c := &client.Client{BaseURL: e.srv.URL, DeviceID: e.c.DeviceID, Key: e.c.Key, Now: e.clk.Now, Purpose: api.PurposeCounter}
		if _, err := c.Status(ctx, id); err != nil {
			t.Fatal(err)
		}
		old := c.SessionID()
		rawSession(t, e, e.c) // the same device's new session ends c's
		if _, err := c.Status(ctx, id); err != nil {
			t.Fatalf("after its session ended: %v", err)
		}
		if c.SessionID() == old || c.SessionID() == "" {
			t.Errorf("session %q, want a new one (old %q)", c.SessionID(), old)
		}
	})
	t.Run("falls back to Ed25519 when sessions are off", func(t *testing.T) {
		e := newEnv(t, server.Options{SessionTTL: -1})
		for range 2 {
			if _, err := e.c.Status(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		if got := e.c.SessionID(); got != "" {
			t.Errorf("SessionID = %q, want none", got)
		}
	})
	t.Run("falls back on a service without the route", func(t *testing.T) {
		e := newEnv(t, server.Options{})
		var sessionCalls int
		old := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v1/sessions" {
				sessionCalls++
				http.NotFound(w, r)
				return
			}
			e.h.ServeHTTP(w, r)
		}))
		defer old.Close()
		c := &client.Client{BaseURL: old.URL, DeviceID: e.c.DeviceID, Key: e.c.Key, Now: e.clk.Now, Purpose: api.PurposeCounter}
		for range 3 {
			if _, err := c.Status(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		if sessionCalls != 1 {
			t.Errorf("asked for a session %d times in 3 calls, want once (then back off)", sessionCalls)
		}
	})
	t.Run("NoSessions signs every request", func(t *testing.T) {
		e := newEnv(t, server.Options{})
		c := &client.Client{BaseURL: e.c.BaseURL, DeviceID: e.c.DeviceID, Key: e.c.Key, Now: e.clk.Now, NoSessions: true, Purpose: api.PurposeCounter}
		if _, err := c.Status(ctx, id); err != nil || c.SessionID() != "" {
			t.Errorf("got %v, session %q; want success without a session", err, c.SessionID())
		}
	})
}

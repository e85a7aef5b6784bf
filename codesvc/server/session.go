package server

import (
	"crypto/ecdh"
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"hash"
	"net/http"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/store"
)

// Session defaults (Options.SessionTTL, Options.MaxSessionsPerDevice).
// Sessions are rows of the store (store.Session), so every instance of
// the service on one database shares them and a restart ends none.
const (
	DefaultSessionTTL           = 10 * time.Minute
	DefaultMaxSessionsPerDevice = 16
)

// sessionHeaders are the parsed session-authenticated request headers.
type sessionHeaders struct {
	SessionID string
	Timestamp int64
	Nonce     string
	MAC       [32]byte
}

// parseSessionHeaders reads and checks the form of the four headers. It
// reads the header map directly with canonical keys (no per-call
// canonicalisation).
func parseSessionHeaders(h http.Header) (sessionHeaders, error) {
	var a sessionHeaders
	id, ts, nonce, mac := first(h, hkSessionID), first(h, hkTimestamp), first(h, hkNonce), first(h, hkSessionMAC)
	if id == "" || ts == "" || nonce == "" || mac == "" {
		return a, &authError{http.StatusUnauthorized, api.CodeAuthMissing, "session headers X-Session-ID, X-Timestamp, X-Nonce and X-Session-MAC are required"}
	}
	if len(id) > 64 {
		return a, &authError{http.StatusUnauthorized, api.CodeAuthMalformed, "X-Session-ID is too long"}
	}
	t, err := parseStamp(ts, nonce)
	if err != nil {
		return a, err
	}
	if base64.RawURLEncoding.DecodedLen(len(mac)) != len(a.MAC) {
		return a, &authError{http.StatusUnauthorized, api.CodeAuthMalformed, "X-Session-MAC must be a 32-byte HMAC-SHA256 in unpadded base64url"}
	}
	if n, err := base64.RawURLEncoding.Decode(a.MAC[:], []byte(mac)); err != nil || n != len(a.MAC) {
		return a, &authError{http.StatusUnauthorized, api.CodeAuthMalformed, "X-Session-MAC must be a 32-byte HMAC-SHA256 in unpadded base64url"}
	}
	a.SessionID, a.Timestamp, a.Nonce = id, t, nonce
	return a, nil
}

// authenticateSession checks a session-authenticated request: headers,
// clock window, session known and unexpired, MAC, device still registered
// and not revoked, then the nonce. The session and its device are one
// read of the store on every request, so a session opened on any
// instance is known here and a revocation, through any instance or the
// admin command, refuses the device at once.
func (h *Handler) authenticateSession(r *http.Request, body []byte) (string, error) {
	a, err := parseSessionHeaders(r.Header)
	if err != nil {
		return "", err
	}
	now := h.svc.Now()
	if err := h.checkWindow(now, a.Timestamp); err != nil {
		return "", err
	}
	s, d, err := h.svc.Store.Session(r.Context(), a.SessionID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", &authError{http.StatusUnauthorized, api.CodeUnknownSession, "unknown session; obtain a new one"}
	case err != nil:
		return "", err
	case !now.Before(s.ExpiresAt):
		return "", &authError{http.StatusUnauthorized, api.CodeSessionExpired, "session expired; obtain a new one"}
	}
	m := h.macs.get(s.Key)
	var buf [32]byte
	sum := api.SessionMAC(m, buf[:0], r.Method, r.URL.RequestURI(), a.Timestamp, a.Nonce, body)
	h.macs.put(s.Key, m)
	if !hmac.Equal(sum, a.MAC[:]) {
		return "", &authError{http.StatusUnauthorized, api.CodeBadMAC, "session MAC does not verify"}
	}
	if !d.RevokedAt.IsZero() {
		return "", &authError{http.StatusForbidden, api.CodeDeviceRevoked, "device revoked"}
	}
	if err := h.useNonce(r.Context(), d.ID, a.Nonce, a.Timestamp, now); err != nil {
		return "", err
	}
	return d.ID, nil
}

// createSession is POST /v1/sessions, which only an Ed25519-signed request
// may call: a session never extends itself.
func (h *Handler) createSession(w http.ResponseWriter, r *http.Request, c *call) {
	if c.viaSession {
		writeError(w, http.StatusUnauthorized, api.CodeAuthMalformed, "a session is obtained with an Ed25519-signed request")
		return
	}
	var req api.SessionRequest
	if err := decode(c.body, &req); err != nil {
		h.fail(w, err)
		return
	}
	raw, err := base64.RawURLEncoding.DecodeString(req.ClientKey)
	if err != nil {
		writeError(w, http.StatusBadRequest, api.CodeInvalidKey, "client_key must be a 32-byte X25519 key in unpadded base64url")
		return
	}
	clientPub, err := ecdh.X25519().NewPublicKey(raw)
	if err != nil {
		writeError(w, http.StatusBadRequest, api.CodeInvalidKey, "client_key must be a 32-byte X25519 key in unpadded base64url")
		return
	}
	priv, err := ecdh.X25519().GenerateKey(h.svc.opt.Rand)
	if err != nil {
		h.fail(w, err)
		return
	}
	id, err := h.svc.randomString("S", 16)
	if err != nil {
		h.fail(w, err)
		return
	}
	serverPub := priv.PublicKey().Bytes()
	key, err := api.SessionKey(priv, clientPub, raw, serverPub, id, c.deviceID)
	if err != nil {
		// A low-order client key gives an all-zero secret.
		writeError(w, http.StatusBadRequest, api.CodeInvalidKey, "client_key is not usable")
		return
	}
	now := h.svc.Now()
	exp := now.Add(h.svc.opt.SessionTTL).Truncate(time.Second)
	err = h.svc.Store.CreateSession(r.Context(), store.Session{ID: id, DeviceID: c.deviceID, Key: key, CreatedAt: now, ExpiresAt: exp},
		h.svc.opt.MaxSessionsPerDevice)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, api.SessionResponse{SessionID: id, ServerKey: base64.RawURLEncoding.EncodeToString(serverPub),
		ExpiresAt: exp, ServerTime: now.Truncate(time.Second)})
}

// macCache keeps HMAC-SHA256 states under recent session keys, so that a
// request does not pay for setting one up; an HMAC is keyed by the
// session key itself, so a state is only ever reused under the same key.
// It holds at most macCacheSize keys and starts afresh when full: memory
// is bounded whatever the number of sessions.
type macCache struct {
	mu sync.Mutex
	m  map[string][]hash.Hash
}

const (
	macCacheSize = 4096
	macsPerKey   = 8
)

// get returns an HMAC under key, reset.
func (c *macCache) get(key []byte) hash.Hash {
	c.mu.Lock()
	if l := c.m[string(key)]; len(l) > 0 {
		m := l[len(l)-1]
		c.m[string(key)] = l[:len(l)-1]
		c.mu.Unlock()
		return m
	}
	c.mu.Unlock()
	return api.NewSessionMAC(key)
}

// put gives m, an HMAC under key, back for reuse.
func (c *macCache) put(key []byte, m hash.Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= macCacheSize {
		c.m = make(map[string][]hash.Hash)
	}
	if l := c.m[string(key)]; len(l) < macsPerKey {
		c.m[string(key)] = append(l, m)
	}
}

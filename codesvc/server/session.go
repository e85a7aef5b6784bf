package server

import (
	"bytes"
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

// parseSessionHeaders reads and checks the form of the four headers.
func parseSessionHeaders(h http.Header) (sessionHeaders, error) {
	var a sessionHeaders
	st, err := readStamp(h, hkSessionID, api.HeaderSessionID, hkSessionMAC, "session headers X-Session-ID, X-Timestamp, X-Nonce and X-Session-MAC are required")
	if err != nil {
		return a, err
	}
	mac := st.proof
	if base64.RawURLEncoding.DecodedLen(len(mac)) != len(a.MAC) {
		return a, &authError{http.StatusUnauthorized, api.CodeAuthMalformed, "X-Session-MAC must be a 32-byte HMAC-SHA256 in unpadded base64url"}
	}
	if n, err := base64.RawURLEncoding.Decode(a.MAC[:], []byte(mac)); err != nil || n != len(a.MAC) {
		return a, &authError{http.StatusUnauthorized, api.CodeAuthMalformed, "X-Session-MAC must be a 32-byte HMAC-SHA256 in unpadded base64url"}
	}
	a.SessionID, a.Timestamp, a.Nonce = st.id, st.ts, st.nonce
	return a, nil
}

// authenticateSession checks a session-authenticated request: headers,
// clock window, session known and unexpired, MAC, device still registered
// and not revoked, then the nonce. A session opened on any instance is
// read from the store the first time this instance sees it and kept
// (sessions never change); from then on a request costs one statement,
// Store.UseSessionNonce, which writes the nonce only while the session
// exists and its device is not revoked, so a revocation or an ended
// session on any instance is refused here at once.
func (h *Handler) authenticateSession(r *http.Request, body []byte) (string, api.Role, error) {
	cs, err := h.checkSession(r, body)
	if err != nil {
		return "", "", err
	}
	return cs.deviceID, cs.role, nil
}

// checkSession is authenticateSession's work; it returns what the cache
// holds of the session.
func (h *Handler) checkSession(r *http.Request, body []byte) (*cachedSession, error) {
	a, err := parseSessionHeaders(r.Header)
	if err != nil {
		return nil, err
	}
	now := h.svc.Now()
	if err := h.checkWindow(now, a.Timestamp); err != nil {
		return nil, err
	}
	cs := h.sessions.get(a.SessionID)
	if cs == nil {
		s, d, err := h.svc.Store.Session(r.Context(), a.SessionID)
		if err := sessionRefusal(s, d, err, now); err != nil {
			return nil, err
		}
		cs = h.sessions.put(s, d.Role)
	}
	if !now.Before(cs.expires) {
		h.sessions.drop(a.SessionID)
		return nil, errSessionExpired
	}
	m := cs.mac()
	var buf [32]byte
	sum := api.SessionMAC(m, buf[:0], r.Method, r.URL.RequestURI(), a.Timestamp, a.Nonce, body)
	cs.macs.Put(m)
	if !hmac.Equal(sum, a.MAC[:]) {
		return nil, &authError{http.StatusUnauthorized, api.CodeBadMAC, "session MAC does not verify"}
	}
	exp := time.Unix(a.Timestamp, 0).Add(Window + time.Second)
	ok, err := h.svc.Store.UseSessionNonce(r.Context(), a.SessionID, a.Nonce, exp, now)
	if err != nil {
		return nil, err
	}
	if !ok {
		// Why: the session or its device, or else a replay.
		s, d, err := h.svc.Store.Session(r.Context(), a.SessionID)
		if err := sessionRefusal(s, d, err, now); err != nil {
			h.sessions.drop(a.SessionID)
			return nil, err
		}
		return nil, errReplay
	}
	return cs, nil
}

var (
	errUnknownSession = &authError{http.StatusUnauthorized, api.CodeUnknownSession, "unknown session; obtain a new one"}
	errSessionExpired = &authError{http.StatusUnauthorized, api.CodeSessionExpired, "session expired; obtain a new one"}
	errDeviceRevoked  = &authError{http.StatusForbidden, api.CodeDeviceRevoked, "device revoked"}
	errReplay         = &authError{http.StatusUnauthorized, api.CodeReplay, "nonce already used"}
)

// sessionRefusal is the refusal, if any, of a request under session s of
// device d as the store returned them (err) at now.
func sessionRefusal(s store.Session, d store.Device, err error, now time.Time) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errUnknownSession
	case err != nil:
		return err
	case !now.Before(s.ExpiresAt):
		return errSessionExpired
	case !d.RevokedAt.IsZero():
		return errDeviceRevoked
	}
	return nil
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

// sessionCache keeps what this instance has read of recent sessions:
// key, device and expiry, with HMAC-SHA256 states under the key ready for
// reuse. A session's row never changes, so nothing kept here goes stale;
// whether the session still exists and its device may still speak is the
// store's answer on every request. It holds at most sessionCacheSize
// sessions and starts afresh when full: memory is bounded whatever the
// number of sessions.
type sessionCache struct {
	mu sync.RWMutex
	m  capped[cachedSession]
}

const sessionCacheSize = 1 << 16

type cachedSession struct {
	deviceID string
	role     api.Role // the device's; fixed at provisioning, so never stale
	expires  time.Time
	macs     sync.Pool // of hash.Hash under the session key
}

// mac returns an HMAC under the session key; put it back in macs.
func (c *cachedSession) mac() hash.Hash { return c.macs.Get().(hash.Hash) }

func (c *sessionCache) get(id string) *cachedSession {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m.get(id)
}

func (c *sessionCache) put(s store.Session, role api.Role) *cachedSession {
	key := bytes.Clone(s.Key)
	cs := &cachedSession{deviceID: s.DeviceID, role: role, expires: s.ExpiresAt}
	cs.macs.New = func() any { return api.NewSessionMAC(key) }
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m.put(s.ID, cs, sessionCacheSize)
	return cs
}

func (c *sessionCache) drop(id string) {
	c.mu.Lock()
	c.m.drop(id)
	c.mu.Unlock()
}

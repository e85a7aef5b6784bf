package server

import (
	"crypto/ecdh"
	"crypto/hmac"
	"encoding/base64"
	"hash"
	"net/http"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
)

// Session defaults (Options.SessionTTL, Options.MaxSessionsPerDevice).
const (
	DefaultSessionTTL           = 10 * time.Minute
	DefaultMaxSessionsPerDevice = 16
)

// session is one device session: the key both sides derived and the
// device it speaks for. It lives in memory only; a restart ends every
// session, and clients obtain new ones.
type session struct {
	id       string
	deviceID string
	expires  int64 // unix nanoseconds, service clock
	macs     sync.Pool
}

// mac returns an HMAC-SHA256 under the session key from the session's
// pool; put it back with done.
func (s *session) mac() hash.Hash   { return s.macs.Get().(hash.Hash) }
func (s *session) done(m hash.Hash) { s.macs.Put(m) }
func newSession(id, deviceID string, key []byte, expires int64) *session {
	s := &session{id: id, deviceID: deviceID, expires: expires}
	k := append([]byte(nil), key...)
	s.macs.New = func() any { return api.NewSessionMAC(k) }
	return s
}

// sessionTable holds the live sessions, sharded by ID so that concurrent
// lookups do not meet on one lock. Creation (rare: one per device per
// TTL) takes the table-wide lock that keeps the per-device lists.
type sessionTable struct {
	shards [32]sessionShard

	mu       sync.Mutex
	byDevice map[string][]*session // oldest first
	adds     int
}

type sessionShard struct {
	mu sync.RWMutex
	m  map[string]*session
}

func (t *sessionTable) shard(id string) *sessionShard {
	return &t.shards[fnv(id)%uint32(len(t.shards))]
}

// get returns the session with this ID, or nil.
func (t *sessionTable) get(id string) *session {
	sh := t.shard(id)
	sh.mu.RLock()
	s := sh.m[id]
	sh.mu.RUnlock()
	return s
}

func (t *sessionTable) remove(s *session) {
	sh := t.shard(s.id)
	sh.mu.Lock()
	if sh.m[s.id] == s {
		delete(sh.m, s.id)
	}
	sh.mu.Unlock()
}

// add stores s. A device keeps at most max sessions (a kiosk needs one; a
// few cover several programs on one device): the oldest goes first. Every
// 256 additions the expired sessions of all devices are swept, so memory
// is bounded by the registered devices times max.
func (t *sessionTable) add(s *session, max int, now int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byDevice == nil {
		t.byDevice = make(map[string][]*session)
	}
	t.adds++
	if t.adds%256 == 0 {
		for dev, list := range t.byDevice {
			if list = t.prune(list, now); len(list) == 0 {
				delete(t.byDevice, dev)
			} else {
				t.byDevice[dev] = list
			}
		}
	}
	list := t.prune(t.byDevice[s.deviceID], now)
	for len(list) >= max {
		t.remove(list[0])
		list = list[1:]
	}
	t.byDevice[s.deviceID] = append(list, s)
	sh := t.shard(s.id)
	sh.mu.Lock()
	if sh.m == nil {
		sh.m = make(map[string]*session)
	}
	sh.m[s.id] = s
	sh.mu.Unlock()
}

// prune drops expired sessions from list (and the table). t.mu is held.
func (t *sessionTable) prune(list []*session, now int64) []*session {
	out := list[:0]
	for _, s := range list {
		if s.expires <= now {
			t.remove(s)
			continue
		}
		out = append(out, s)
	}
	return out
}

// dropDevice ends every session of a device (revoked or gone).
func (t *sessionTable) dropDevice(deviceID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, s := range t.byDevice[deviceID] {
		t.remove(s)
	}
	delete(t.byDevice, deviceID)
}

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
// and not revoked (read on every request, so a revocation, even by an
// admin command in another process, ends the device's sessions at once),
// then the nonce.
func (h *Handler) authenticateSession(r *http.Request, body []byte) (string, error) {
	a, err := parseSessionHeaders(r.Header)
	if err != nil {
		return "", err
	}
	now := h.svc.Now()
	if err := h.checkWindow(now, a.Timestamp); err != nil {
		return "", err
	}
	s := h.sessions.get(a.SessionID)
	if s == nil {
		return "", &authError{http.StatusUnauthorized, api.CodeUnknownSession, "unknown session; obtain a new one"}
	}
	if now.UnixNano() >= s.expires {
		h.sessions.remove(s)
		return "", &authError{http.StatusUnauthorized, api.CodeSessionExpired, "session expired; obtain a new one"}
	}
	m := s.mac()
	var buf [32]byte
	sum := api.SessionMAC(m, buf[:0], r.Method, r.URL.RequestURI(), a.Timestamp, a.Nonce, body)
	s.done(m)
	if !hmac.Equal(sum, a.MAC[:]) {
		return "", &authError{http.StatusUnauthorized, api.CodeBadMAC, "session MAC does not verify"}
	}
	if err := h.deviceActive(r, s.deviceID); err != nil {
		return "", err
	}
	if err := h.useNonce(s.deviceID, a.Nonce, a.Timestamp, now); err != nil {
		return "", err
	}
	return s.deviceID, nil
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
	h.sessions.add(newSession(id, c.deviceID, key, exp.UnixNano()), h.svc.opt.MaxSessionsPerDevice, now.UnixNano())
	writeJSON(w, http.StatusCreated, api.SessionResponse{SessionID: id, ServerKey: base64.RawURLEncoding.EncodeToString(serverPub),
		ExpiresAt: exp, ServerTime: now.Truncate(time.Second)})
}

package client

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"hash"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
)

// refusedBackoff is how long a client that was refused a session signs
// with Ed25519 before it asks again.
const refusedBackoff = 5 * time.Minute

// session is a session the service granted.
type session struct {
	id      string
	renewAt time.Time // service clock: nine tenths into the lifetime
	macs    sync.Pool // of hash.Hash under the session key
}

// errBadSessionAnswer is a 2xx answer to POST /v1/sessions that is not a
// usable session: treated like a refusal.
var errBadSessionAnswer = errors.New("code service: unusable session answer")

// SessionID is the ID of the session the client holds, or "" when it
// signs with Ed25519 (none obtained yet, refused, or NoSessions).
func (c *Client) SessionID() string {
	if s := c.sess.Load(); s != nil {
		return s.id
	}
	return ""
}

func (c *Client) serviceNow() time.Time { return c.now().Add(c.Skew()) }

// session returns the session to use, obtaining one if needed; nil means
// sign with Ed25519. An error (the service could not be reached) ends the
// call: the request itself would fail the same way.
func (c *Client) session(ctx context.Context) (*session, error) {
	if c.NoSessions || c.DeviceID == "" || len(c.Key) == 0 {
		return nil, nil
	}
	if s := c.sess.Load(); s != nil && c.serviceNow().Before(s.renewAt) {
		return s, nil
	}
	if c.now().UnixNano() < c.refusedTil.Load() {
		return nil, nil
	}
	c.sessMu.Lock()
	defer c.sessMu.Unlock()
	if s := c.sess.Load(); s != nil && c.serviceNow().Before(s.renewAt) {
		return s, nil // another goroutine renewed it
	}
	if c.now().UnixNano() < c.refusedTil.Load() {
		return nil, nil
	}
	s, err := c.newSession(ctx)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) || ctx.Err() != nil {
			return nil, err
		}
		// The service answered but gave no session. If it has no such
		// route, wait before asking again; otherwise (an auth failure, a
		// 5xx) the Ed25519-signed request says what is wrong.
		var ae *api.Error
		if errors.As(err, &ae) && (ae.Status == http.StatusNotFound || ae.Status == http.StatusMethodNotAllowed || ae.Status == http.StatusNotImplemented) ||
			errors.Is(err, errBadSessionAnswer) {
			c.refusedTil.Store(c.now().Add(refusedBackoff).UnixNano())
		}
		c.sess.Store(nil)
		return nil, nil
	}
	c.sess.Store(s)
	return s, nil
}

// newSession asks for a session with an Ed25519-signed request carrying a
// fresh X25519 key, and derives the session key.
func (c *Client) newSession(ctx context.Context) (*session, error) {
	priv, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	clientPub := priv.PublicKey().Bytes()
	body, err := json.Marshal(api.SessionRequest{ClientKey: base64.RawURLEncoding.EncodeToString(clientPub)})
	if err != nil {
		return nil, err
	}
	var out api.SessionResponse
	if err := c.send(ctx, http.MethodPost, "/v1/sessions", body, &out, authSigned); err != nil {
		return nil, err
	}
	serverPub, err := base64.RawURLEncoding.DecodeString(out.ServerKey)
	if err != nil || out.SessionID == "" || len(out.SessionID) > 64 || !out.ExpiresAt.After(out.ServerTime) {
		return nil, errBadSessionAnswer
	}
	peer, err := ecdh.X25519().NewPublicKey(serverPub)
	if err != nil {
		return nil, errBadSessionAnswer
	}
	key, err := api.SessionKey(priv, peer, clientPub, serverPub, out.SessionID, c.DeviceID)
	if err != nil {
		return nil, errBadSessionAnswer
	}
	life := out.ExpiresAt.Sub(out.ServerTime)
	s := &session{id: out.SessionID, renewAt: out.ServerTime.Add(life * 9 / 10)}
	s.macs.New = func() any { return api.NewSessionMAC(key) }
	return s, nil
}

// Canonical header keys for the session headers (set without
// canonicalising on every request).
var (
	hkSessionID  = http.CanonicalHeaderKey(api.HeaderSessionID)
	hkTimestamp  = http.CanonicalHeaderKey(api.HeaderTimestamp)
	hkNonce      = http.CanonicalHeaderKey(api.HeaderNonce)
	hkSessionMAC = http.CanonicalHeaderKey(api.HeaderSessionMAC)
)

// signSession sets the four session headers on r for body.
func (c *Client) signSession(r *http.Request, body []byte, s *session) error {
	var nb [18]byte
	if _, err := rand.Read(nb[:]); err != nil {
		return err
	}
	nonce := base64.RawURLEncoding.EncodeToString(nb[:])
	ts := c.serviceNow().Unix()
	m := s.macs.Get().(hash.Hash)
	var buf [32]byte
	sum := api.SessionMAC(m, buf[:0], r.Method, r.URL.RequestURI(), ts, nonce, body)
	s.macs.Put(m)
	r.Header[hkSessionID] = []string{s.id}
	r.Header[hkTimestamp] = []string{strconv.FormatInt(ts, 10)}
	r.Header[hkNonce] = []string{nonce}
	r.Header[hkSessionMAC] = []string{base64.RawURLEncoding.EncodeToString(sum)}
	return nil
}

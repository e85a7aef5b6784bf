package server

import (
	"crypto/ed25519"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
)

// Window is how far a request's X-Timestamp may be from the service's
// clock, either way.
const Window = 5 * time.Minute

// AuthHeaders are the parsed signed-request headers.
type AuthHeaders struct {
	DeviceID  string
	Timestamp int64
	Nonce     string
	Signature []byte
}

// authError is an auth failure with its HTTP status and code.
type authError struct {
	status int
	code   api.Code
	msg    string
}

func (e *authError) Error() string { return e.msg }

// parseStamp checks the timestamp and nonce headers that signed and
// session requests share.
func parseStamp(ts, nonce string) (int64, error) {
	t, ok := parseUnix(ts)
	if !ok {
		return 0, &authError{http.StatusUnauthorized, api.CodeAuthMalformed, "X-Timestamp must be unix seconds"}
	}
	if !api.ValidNonce(nonce) {
		return 0, &authError{http.StatusUnauthorized, api.CodeAuthMalformed, "X-Nonce must be 16 to 64 characters of [A-Za-z0-9_-]"}
	}
	return t, nil
}

// ParseAuthHeaders reads and checks the form of the four headers.
func ParseAuthHeaders(h http.Header) (AuthHeaders, error) {
	var a AuthHeaders
	id, ts, nonce, sig := first(h, hkDeviceID), first(h, hkTimestamp), first(h, hkNonce), first(h, hkSignature)
	if id == "" || ts == "" || nonce == "" || sig == "" {
		return a, &authError{http.StatusUnauthorized, api.CodeAuthMissing, "signed-request headers X-Device-ID, X-Timestamp, X-Nonce and X-Signature are required"}
	}
	if len(id) > 64 {
		return a, &authError{http.StatusUnauthorized, api.CodeAuthMalformed, "X-Device-ID is too long"}
	}
	t, err := parseStamp(ts, nonce)
	if err != nil {
		return a, err
	}
	s, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || len(s) != ed25519.SignatureSize {
		return a, &authError{http.StatusUnauthorized, api.CodeAuthMalformed, "X-Signature must be a 64-byte Ed25519 signature in unpadded base64url"}
	}
	return AuthHeaders{DeviceID: id, Timestamp: t, Nonce: nonce, Signature: s}, nil
}

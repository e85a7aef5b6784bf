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

// stamp is what signed and session requests both carry in four headers:
// who calls (a device or a session), when, a nonce, and the proof (a
// signature or a MAC), still in its text form.
type stamp struct {
	id, nonce, proof string
	ts               int64
}

// readStamp reads the four headers of a stamp from the header map with
// canonical keys (no per-call canonicalisation) and checks the form of
// all but the proof. idKey and proofKey are the first and the last
// header's keys, idName the first's name in a refusal; missing is the
// refusal when any of the four is absent.
func readStamp(h http.Header, idKey, idName, proofKey, missing string) (stamp, error) {
	s := stamp{id: first(h, idKey), nonce: first(h, hkNonce), proof: first(h, proofKey)}
	ts := first(h, hkTimestamp)
	if s.id == "" || ts == "" || s.nonce == "" || s.proof == "" {
		return stamp{}, &authError{http.StatusUnauthorized, api.CodeAuthMissing, missing}
	}
	if len(s.id) > 64 {
		return stamp{}, &authError{http.StatusUnauthorized, api.CodeAuthMalformed, idName + " is too long"}
	}
	var err error
	s.ts, err = parseStamp(ts, s.nonce)
	return s, err
}

// ParseAuthHeaders reads and checks the form of the four headers.
func ParseAuthHeaders(h http.Header) (AuthHeaders, error) {
	st, err := readStamp(h, hkDeviceID, api.HeaderDeviceID, hkSignature, "signed-request headers X-Device-ID, X-Timestamp, X-Nonce and X-Signature are required")
	if err != nil {
		return AuthHeaders{}, err
	}
	s, err := base64.RawURLEncoding.DecodeString(st.proof)
	if err != nil || len(s) != ed25519.SignatureSize {
		return AuthHeaders{}, &authError{http.StatusUnauthorized, api.CodeAuthMalformed, "X-Signature must be a 64-byte Ed25519 signature in unpadded base64url"}
	}
	return AuthHeaders{DeviceID: st.id, Timestamp: st.ts, Nonce: st.nonce, Signature: s}, nil
}

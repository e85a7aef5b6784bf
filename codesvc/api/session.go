package api

import (
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strconv"
	"time"
)

// Session-authenticated request headers. A request carries either the
// four signed-request headers (X-Device-ID, X-Timestamp, X-Nonce,
// X-Signature) or these four (X-Session-ID, X-Timestamp, X-Nonce,
// X-Session-MAC); X-Session-ID decides which.
const (
	HeaderSessionID  = "X-Session-ID"
	HeaderSessionMAC = "X-Session-MAC" // HMAC-SHA256, 32 bytes, unpadded base64url
)

// Session error codes (401): the client drops the session and obtains a
// new one.
const (
	CodeUnknownSession Code = "unknown_session" // not issued, or ended by a newer one past the cap
	CodeSessionExpired Code = "session_expired"
	CodeBadMAC         Code = "bad_mac" // the MAC does not verify under the session key
)

// SessionKeySize is the size of a session key: 256 bits.
const SessionKeySize = 32

// SessionRequest is POST /v1/sessions, sent as an Ed25519-signed request
// (never under a session). ClientKey is a fresh X25519 public key.
type SessionRequest struct {
	ClientKey string `json:"client_key"` // X25519, 32 bytes, base64url
}

// SessionResponse answers it: the service's fresh X25519 public key, from
// which both sides derive the session key (SessionKey); the key itself
// never travels.
type SessionResponse struct {
	SessionID  string    `json:"session_id"`
	ServerKey  string    `json:"server_key"` // X25519, 32 bytes, base64url
	ExpiresAt  time.Time `json:"expires_at"` // service clock
	ServerTime time.Time `json:"server_time"`
}

// sessionKeyInfo labels the HKDF output so the key is bound to this use,
// this session and this device.
const sessionKeyInfo = "KSV1 session key"

// SessionKey derives the 256-bit session key from the X25519 shared
// secret of priv and peer with HKDF-SHA256, bound to the session ID, the
// device ID and both public keys (client first). The device's public key
// is covered by its Ed25519 signature of the request; the service's is
// not signed, but substituting it gives a man in the middle a key the
// service does not hold, so it can forge no request (docs/api.md,
// "Sessions").
func SessionKey(priv *ecdh.PrivateKey, peer *ecdh.PublicKey, clientPub, serverPub []byte, sessionID, deviceID string) ([]byte, error) {
	shared, err := priv.ECDH(peer)
	if err != nil {
		return nil, err
	}
	info := make([]byte, 0, len(sessionKeyInfo)+len(sessionID)+len(deviceID)+3+len(clientPub)+len(serverPub))
	info = append(info, sessionKeyInfo...)
	info = append(info, 0)
	info = append(info, sessionID...)
	info = append(info, 0)
	info = append(info, deviceID...)
	info = append(info, 0)
	info = append(info, clientPub...)
	info = append(info, serverPub...)
	return hkdf.Key(sha256.New, shared, nil, string(info), SessionKeySize)
}

// SessionMAC is HMAC-SHA256 under the session key of CanonicalString's
// text, written straight into the MAC (no string is built). mac must come
// from NewSessionMAC with the same key; it is reset first. The result is
// appended to out.
func SessionMAC(mac hash.Hash, out []byte, method, pathQuery string, ts int64, nonce string, body []byte) []byte {
	var buf [2*sha256.Size + 24]byte
	mac.Reset()
	mac.Write([]byte(SignatureScheme + "\n"))
	mac.Write([]byte(method))
	mac.Write([]byte{'\n'})
	mac.Write([]byte(pathQuery))
	mac.Write(strconv.AppendInt(append(buf[:0], '\n'), ts, 10))
	mac.Write([]byte{'\n'})
	mac.Write([]byte(nonce))
	sum := sha256.Sum256(body)
	b := append(buf[:0], '\n')
	b = hex.AppendEncode(b, sum[:])
	mac.Write(b)
	return mac.Sum(out)
}

// NewSessionMAC returns the HMAC-SHA256 for key.
func NewSessionMAC(key []byte) hash.Hash { return hmac.New(sha256.New, key) }

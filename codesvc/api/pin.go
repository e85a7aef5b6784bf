package api

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base32"
	"strings"
)

// ServiceKeys is GET /v1/service-keys (not signed): the public keys a
// device registering must check against the service fingerprint it was
// given out of band, before it sends its provisioning code.
type ServiceKeys struct {
	TrustRootKey string `json:"trust_root_key"` // Ed25519, unpadded base64url
	SealingKey   string `json:"sealing_key"`    // sealbox text form
}

// SPKIHash is the SHA-256 of a certificate's SubjectPublicKeyInfo: what a
// kiosk pins. It survives a renewal that keeps the key.
func SPKIHash(cert *x509.Certificate) []byte {
	h := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return h[:]
}

// FingerprintLen is the length of a service fingerprint without its
// dashes: 26 base32 characters, 130 bits.
const FingerprintLen = 26

var fingerprintEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// Fingerprint is the service fingerprint an administrator hands an
// installer with a provisioning code (docs/security.md, "Deploying the
// service with TLS"): SHA-256 over the service's TLS key (spki, the
// SPKIHash of its certificate, or nil when the certificate is one the
// system's roots vouch for, or for loopback without TLS), its trust-list
// root key and its sealing key, cut to 130 bits and written in groups of
// four base32 characters. A kiosk that computes the same value from what
// it sees on the connection knows it speaks to that service.
func Fingerprint(spki []byte, root ed25519.PublicKey, sealingKey string) string {
	h := sha256.New()
	h.Write([]byte("KSV1 service fingerprint\x00"))
	field := func(b []byte) {
		h.Write([]byte{byte(len(b) >> 8), byte(len(b))})
		h.Write(b)
	}
	field(spki)
	field(root)
	field([]byte(sealingKey))
	s := fingerprintEncoding.EncodeToString(h.Sum(nil))[:FingerprintLen]
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// NormalFingerprint returns a typed fingerprint without dashes and spaces,
// in upper case, and whether it has the right form.
func NormalFingerprint(s string) (string, bool) {
	s = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(s)))
	if len(s) != FingerprintLen {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7') {
			return "", false
		}
	}
	return s, true
}

// SameFingerprint compares two fingerprints in any written form, in
// constant time.
func SameFingerprint(a, b string) bool {
	na, okA := NormalFingerprint(a)
	nb, okB := NormalFingerprint(b)
	return okA && okB && subtle.ConstantTimeCompare([]byte(na), []byte(nb)) == 1
}

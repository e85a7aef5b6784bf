package token

import (
	"crypto/ed25519"
	"fmt"
	"io"
	"time"
)

// Signer signs tokens with one Ed25519 key of one issuer (region).
type Signer struct {
	issuer string
	keyID  string
	priv   ed25519.PrivateKey
}

// NewSigner wraps a private key. keyID should be KeyIDFor(the public key):
// Sign refuses any key ID that is not KeyIDLen bytes of lower-case hex, and
// a trust list refuses a key whose ID is not derived from it.
func NewSigner(issuer, keyID string, priv ed25519.PrivateKey) *Signer {
	return &Signer{issuer: issuer, keyID: keyID, priv: priv}
}

// GenerateSigner makes a new key from rand (crypto/rand.Reader in
// production) and derives its key ID from the public key.
func GenerateSigner(issuer string, rand io.Reader) (*Signer, error) {
	pub, priv, err := ed25519.GenerateKey(rand)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	return NewSigner(issuer, KeyIDFor(pub), priv), nil
}

// KeyID is the signer's key ID, as written in every token it signs.
func (s *Signer) KeyID() string { return s.keyID }

// Issuer is the region the signer signs for (for example "SH").
func (s *Signer) Issuer() string { return s.issuer }

// PublicKey is the signer's public key, for the trust list.
func (s *Signer) PublicKey() ed25519.PublicKey {
	return s.priv.Public().(ed25519.PublicKey)
}

// TrustedKey describes the signer's key for a trust list, valid for tokens
// issued in [notBefore, notAfter) (zero: unbounded).
func (s *Signer) TrustedKey(notBefore, notAfter time.Time) TrustedKey {
	return TrustedKey{KeyID: s.keyID, Issuer: s.issuer, PublicKey: s.PublicKey(), NotBefore: notBefore, NotAfter: notAfter}
}

// Sign encodes the claims and signs them, returning the QR text: Prefix
// and the base45 of the binary token, all in the QR alphanumeric set and at
// most MaxTextLen characters. Times are truncated to the second; a zero
// ExpiresAt means IssuedAt + DefaultValidity. KeyID, Issuer and
// StatusStale are ignored. Errors match ErrInvalidClaims or ErrTooLarge.
func (s *Signer) Sign(c Claims) (string, error) {
	return signText(s, Prefix, "", encode, c)
}

// signText lays out c's signed part with encode under the signer's key
// ID, signs it with Ed25519 (Ed25519ctx under context when that is not
// empty) and returns prefix and the base45 of the whole. ErrInvalidClaims
// when the signer has no private key or a key ID that is not lower-case
// hex of KeyIDLen bytes, and encode's errors.
func signText[C any](s *Signer, prefix, context string, encode func([KeyIDLen]byte, C) ([]byte, error), c C) (string, error) {
	if len(s.priv) != ed25519.PrivateKeySize {
		return "", fmt.Errorf("%w: signer has no private key", ErrInvalidClaims)
	}
	kid, err := parseKeyID(s.keyID)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidClaims, err)
	}
	b, err := encode(kid, c)
	if err != nil {
		return "", err
	}
	sig, err := s.priv.Sign(nil, b, &ed25519.Options{Context: context})
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	return prefix + EncodeBase45(append(b, sig...)), nil
}

package sealbox

import (
	"crypto/ecdh"
	"crypto/hpke"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Version is the first byte of every box this package writes.
const Version byte = 1

// Overhead is how many bytes Seal adds to a plaintext.
const Overhead = 1 + encLen + 16

const (
	encLen    = 32 // X25519 encapsulated key
	keyPrefix = "sbx1:"
)

// Sentinel errors; match them with errors.Is.
var (
	// ErrMalformed: the box or key is not in the expected format.
	ErrMalformed = errors.New("sealbox: malformed")
	// ErrOpen: the box does not open with this key and info (wrong key,
	// wrong purpose, or tampered bytes).
	ErrOpen = errors.New("sealbox: cannot open")
)

func kem() hpke.KEM   { return hpke.DHKEM(ecdh.X25519()) }
func kdf() hpke.KDF   { return hpke.HKDFSHA256() }
func aead() hpke.AEAD { return hpke.ChaCha20Poly1305() }

// PublicKey is a recipient's sealing key.
type PublicKey struct{ k hpke.PublicKey }

// PrivateKey is the recipient's opening key.
type PrivateKey struct{ k hpke.PrivateKey }

// GenerateKey returns a new key pair from the system's random source.
func GenerateKey() (*PrivateKey, error) {
	k, err := kem().GenerateKey()
	if err != nil {
		return nil, fmt.Errorf("sealbox: generate key: %w", err)
	}
	return &PrivateKey{k: k}, nil
}

// Public returns the matching public key.
func (p *PrivateKey) Public() *PublicKey { return &PublicKey{k: p.k.PublicKey()} }

// Bytes returns the 32-byte private key (RFC 9180 SerializePrivateKey).
func (p *PrivateKey) Bytes() []byte {
	b, err := p.k.Bytes()
	if err != nil {
		// Only keys that cannot be exported fail, and X25519 keys always can.
		panic("sealbox: private key not exportable: " + err.Error())
	}
	return b
}

// Bytes returns the 32-byte public key.
func (p *PublicKey) Bytes() []byte { return p.k.Bytes() }

// String returns the key as text: "sbx1:" and unpadded base64url.
func (p *PublicKey) String() string {
	return keyPrefix + base64.RawURLEncoding.EncodeToString(p.Bytes())
}

// Equal reports whether p and q are the same key.
func (p *PublicKey) Equal(q *PublicKey) bool {
	return p != nil && q != nil && string(p.Bytes()) == string(q.Bytes())
}

// ParsePrivateKey reads a key written by PrivateKey.Bytes.
func ParsePrivateKey(b []byte) (*PrivateKey, error) {
	if len(b) != 32 {
		return nil, fmt.Errorf("private key of %d bytes: %w", len(b), ErrMalformed)
	}
	k, err := kem().NewPrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("private key: %w", ErrMalformed)
	}
	return &PrivateKey{k: k}, nil
}

// ParsePublicKey reads a key written by PublicKey.Bytes.
func ParsePublicKey(b []byte) (*PublicKey, error) {
	if len(b) != 32 {
		return nil, fmt.Errorf("public key of %d bytes: %w", len(b), ErrMalformed)
	}
	k, err := kem().NewPublicKey(b)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", ErrMalformed)
	}
	return &PublicKey{k: k}, nil
}

// DecodePublicKey reads a key written by PublicKey.String.
func DecodePublicKey(s string) (*PublicKey, error) {
	rest, ok := strings.CutPrefix(s, keyPrefix)
	if !ok {
		return nil, fmt.Errorf("public key text without %q prefix: %w", keyPrefix, ErrMalformed)
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(rest)
	// The decoder skips newlines; insist on the one canonical text.
	if err != nil || base64.RawURLEncoding.EncodeToString(b) != rest {
		return nil, fmt.Errorf("public key text: %w", ErrMalformed)
	}
	return ParsePublicKey(b)
}

// Seal encrypts plaintext to pub. Each call uses a fresh ephemeral key, so
// sealing the same plaintext twice gives different boxes.
func Seal(pub *PublicKey, plaintext, info []byte) ([]byte, error) {
	if pub == nil {
		return nil, fmt.Errorf("seal: nil key: %w", ErrMalformed)
	}
	ct, err := hpke.Seal(pub.k, kdf(), aead(), info, plaintext)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return append([]byte{Version}, ct...), nil
}

// Open decrypts a box made by Seal with the same info.
func Open(priv *PrivateKey, box, info []byte) ([]byte, error) {
	if priv == nil {
		return nil, fmt.Errorf("open: nil key: %w", ErrMalformed)
	}
	if len(box) < Overhead {
		return nil, fmt.Errorf("box of %d bytes: %w", len(box), ErrMalformed)
	}
	if box[0] != Version {
		return nil, fmt.Errorf("box version %d: %w", box[0], ErrMalformed)
	}
	pt, err := hpke.Open(priv.k, kdf(), aead(), info, box[1:])
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

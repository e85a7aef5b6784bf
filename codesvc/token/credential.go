package token

import (
	"crypto/ed25519"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The medical-visit credential (就医凭证), format 1: a token of its own
// kind, signed by the same keys and checked against the same trust list
// as the paper code, that a hospital's registration desk accepts and a
// venue checker refuses. docs/token.md, "The medical-visit credential",
// describes every byte.
const (
	// CredentialPrefix starts every credential text. `SSJ` (随申就医)
	// names the kind, the digit its format version.
	CredentialPrefix = "SSJ1:"
	// CredentialKind is the first byte of a binary credential: its kind
	// and format. A paper code's first byte (its format version) is
	// below 0x80; a credential's has the high bit set, so neither binary
	// form parses as the other.
	CredentialKind = 0x81
	// CredentialValidity is a credential's lifetime when
	// Credential.ExpiresAt is zero: one day, for one visit.
	CredentialValidity = 24 * time.Hour
	// MaxCredentialValidity is the longest lifetime its one-byte hour
	// count can carry.
	MaxCredentialValidity = 255 * time.Hour

	// credentialContext is the Ed25519ctx context (RFC 8032 §5.1) every
	// credential is signed under. A paper code is signed with pure
	// Ed25519, and a signature under one scheme never verifies under the
	// other, so no credential's signature can stand for a paper code's,
	// nor the reverse, whatever is done to the bytes.
	credentialContext = "SSJ1 medical-visit credential"
	credHeadLen       = 1 + KeyIDLen + 12 + 4 + 1 + 1 // kind, key ID, token ID, issued, hours, name byte
	credFixedLen      = credHeadLen + sigLen
	// MaxCredentialNameBytes caps a credential's masked name; with the
	// fixed fields it fills MaxTokenBytes exactly.
	MaxCredentialNameBytes = MaxTokenBytes - credFixedLen
)

// ErrWrongKind: a token of this system, but of the other kind — a
// medical-visit credential where a paper code is expected (a venue), or a
// paper code where a credential is expected (a hospital desk). Verify's
// callers and VerifyCredential return it before any other check.
var ErrWrongKind = errors.New("token of the other kind")

// Kind is what a scanned text says it is, by its prefix alone.
type Kind int

// The kinds of text KindOf tells apart.
const (
	KindUnknown    Kind = iota // neither prefix: not this system's
	KindPaperCode              // SSM<digit>:, a paper code (any format)
	KindCredential             // SSJ<digit>:, a medical-visit credential (any format)
)

// KindOf says, from its prefix alone, which kind of token text is: a
// paper code, a medical-visit credential or neither. It checks nothing
// else; a checker uses it to refuse the other kind with ErrWrongKind
// before verifying.
func KindOf(text string) Kind {
	if len(text) < len(Prefix) || text[4] != ':' || text[3] < '0' || text[3] > '9' {
		return KindUnknown
	}
	switch text[:3] {
	case Prefix[:3]:
		return KindPaperCode
	case CredentialPrefix[:3]:
		return KindCredential
	}
	return KindUnknown
}

// Credential is what a medical-visit credential says: which credential
// (its token ID, the service's handle for what the desk may see), when,
// for how long, and the masked name to match the face. No ID number, no
// card number, no health status: the desk asks the service by token ID
// for the few fields registration needs.
type Credential struct {
	TokenID    [12]byte
	IssuedAt   time.Time // second precision
	ExpiresAt  time.Time // zero when signing: IssuedAt + CredentialValidity
	MaskedName string    // as in a paper code (CheckMaskedName), at most MaxCredentialNameBytes

	// Set by VerifyCredential and DecodeCredentialUnverified; ignored by
	// SignCredential.

	KeyID  string // the signing key's ID
	Issuer string // the region owning the key, from the trust list (VerifyCredential only)
}

// TokenIDString is the text form of the token ID (FormatTokenID).
func (c Credential) TokenIDString() string { return FormatTokenID(c.TokenID) }

// SignCredential encodes a credential and signs it with Ed25519ctx under
// the credential context, returning its QR text: CredentialPrefix and the
// base45 of the binary credential. Times are truncated to the second; a
// zero ExpiresAt means IssuedAt + CredentialValidity. Errors match
// ErrInvalidClaims or ErrTooLarge.
func (s *Signer) SignCredential(c Credential) (string, error) {
	return signText(s, CredentialPrefix, credentialContext, encodeCredential, c)
}

// encodeCredential lays out the signed part of a credential.
func encodeCredential(keyID [KeyIDLen]byte, c Credential) ([]byte, error) {
	if c.TokenID == ([12]byte{}) {
		return nil, fmt.Errorf("%w: zero token ID", ErrInvalidClaims)
	}
	iat := c.IssuedAt.Truncate(time.Second)
	if iat.Before(Epoch) || iat.Sub(Epoch) > (1<<32-1)*time.Second {
		return nil, fmt.Errorf("%w: issued-at %v outside the token clock", ErrInvalidClaims, c.IssuedAt)
	}
	validity := CredentialValidity
	if !c.ExpiresAt.IsZero() {
		validity = c.ExpiresAt.Truncate(time.Second).Sub(iat)
	}
	if validity <= 0 || validity > MaxCredentialValidity || validity%time.Hour != 0 {
		return nil, fmt.Errorf("%w: validity %v is not 1 to 255 whole hours", ErrInvalidClaims, validity)
	}
	if err := CheckMaskedName(c.MaskedName); err != nil {
		return nil, err
	}
	if len(c.MaskedName) > MaxCredentialNameBytes {
		return nil, fmt.Errorf("%w: masked name has %d bytes, at most %d fit (CompactName)",
			ErrTooLarge, len(c.MaskedName), MaxCredentialNameBytes)
	}
	b := make([]byte, 0, MaxTokenBytes)
	b = append(b, CredentialKind)
	b = append(b, keyID[:]...)
	b = append(b, c.TokenID[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(iat.Sub(Epoch)/time.Second))
	b = append(b, byte(validity/time.Hour))
	b = append(b, byte(len(c.MaskedName)))
	return append(b, c.MaskedName...), nil
}

// decodeCredentialText parses a credential text into its fields; the
// signature and times are the caller's business. A paper code is
// ErrWrongKind, a credential of another format ErrUnsupportedVersion,
// anything else ErrMalformed.
func decodeCredentialText(text string) (*decodedCredential, error) {
	body, ok := strings.CutPrefix(text, CredentialPrefix)
	if !ok {
		switch KindOf(text) {
		case KindPaperCode:
			return nil, fmt.Errorf("%w: a paper code, not a medical-visit credential", ErrWrongKind)
		case KindCredential:
			return nil, fmt.Errorf("%w: credential format %c", ErrUnsupportedVersion, text[3])
		}
		return nil, fmt.Errorf("%w: no %s prefix", ErrMalformed, CredentialPrefix)
	}
	if len(body) > Base45Len(MaxTokenBytes) {
		return nil, fmt.Errorf("%w: %d characters, at most %d", ErrMalformed, len(text), MaxTextLen)
	}
	b, err := DecodeBase45(body)
	if err != nil {
		return nil, err
	}
	return decodeCredential(b)
}

// decodedCredential is a parsed binary credential before its signature
// is checked.
type decodedCredential struct {
	cred   Credential
	signed []byte
	sig    []byte
}

func decodeCredential(b []byte) (*decodedCredential, error) {
	switch {
	case len(b) == 0:
		return nil, fmt.Errorf("%w: empty", ErrMalformed)
	case b[0] != CredentialKind:
		return nil, fmt.Errorf("%w: kind byte %#02x", ErrUnsupportedVersion, b[0])
	case len(b) < credFixedLen:
		return nil, fmt.Errorf("%w: %d bytes, at least %d", ErrMalformed, len(b), credFixedLen)
	}
	d := &decodedCredential{signed: b[:len(b)-sigLen], sig: b[len(b)-sigLen:]}
	p := d.signed[1:]
	d.cred.KeyID = hex.EncodeToString(p[:KeyIDLen])
	p = p[KeyIDLen:]
	copy(d.cred.TokenID[:], p)
	p = p[12:]
	d.cred.IssuedAt = Epoch.Add(time.Duration(binary.BigEndian.Uint32(p)) * time.Second)
	hours, nameLen := p[4], int(p[5])
	if hours == 0 {
		return nil, fmt.Errorf("%w: zero validity", ErrMalformed)
	}
	d.cred.ExpiresAt = d.cred.IssuedAt.Add(time.Duration(hours) * time.Hour)
	p = p[6:]
	if nameLen != len(p) {
		return nil, fmt.Errorf("%w: name length %d, %d bytes before the signature", ErrMalformed, nameLen, len(p))
	}
	d.cred.MaskedName = string(p)
	if err := CheckMaskedName(d.cred.MaskedName); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return d, nil
}

// DecodeCredentialUnverified parses a credential text without checking
// its signature or times: for diagnostics, never for a decision. Errors
// match ErrMalformed, ErrUnsupportedVersion or ErrWrongKind.
func DecodeCredentialUnverified(text string) (*Credential, error) {
	d, err := decodeCredentialText(text)
	if err != nil {
		return nil, err
	}
	return &d.cred, nil
}

// VerifyCredential checks a medical-visit credential against the list in
// the order Verify checks a paper code — format (ErrWrongKind for a paper
// code, ErrMalformed, ErrUnsupportedVersion), key (ErrUnknownKey),
// signature under the credential context (ErrBadSignature), the key's
// window at IssuedAt (ErrKeyNotValidAt), then the credential's own window
// at opt.Now (ErrNotYetValid, ErrExpired). opt.StatusFreshness does not
// apply: a credential has no status.
func (tl *TrustList) VerifyCredential(text string, opt VerifyOptions) (*Credential, error) {
	if tl == nil {
		return nil, fmt.Errorf("%w: no trust list", ErrUnknownKey)
	}
	d, err := decodeCredentialText(text)
	if err != nil {
		return nil, err
	}
	key, err := tl.checkSigned(d.cred.KeyID, d.signed, d.sig, &ed25519.Options{Context: credentialContext},
		d.cred.IssuedAt, d.cred.ExpiresAt, opt)
	if err != nil {
		return nil, err
	}
	c := d.cred
	c.Issuer = key.Issuer
	return &c, nil
}

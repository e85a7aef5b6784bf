package token

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shcommunity/kiosk/healthcode"
)

// The format, version 2. docs/token.md describes every byte.
const (
	// Prefix starts every token text Sign writes. The digit is the format
	// version.
	Prefix = "SSM2:"
	// FormatVersion is the first byte of the binary token Sign writes.
	FormatVersion = 2
	// PrefixV1 and FormatVersion1 are format 1, which Verify still reads:
	// papers printed before format 2 stay valid for their whole lifetime.
	// Format 1 differs only in having no end for its status claim.
	PrefixV1       = "SSM1:"
	FormatVersion1 = 1
	// KeyIDLen is the length of a key ID in the token: the first bytes of
	// SHA-256 of the public key.
	KeyIDLen = 4
	// MaxTextLen is the longest token text: the alphanumeric capacity of a
	// version 6 QR code at error level M.
	MaxTextLen = 154
	// MaxTokenBytes is the longest binary token whose text fits MaxTextLen.
	MaxTokenBytes = 99
	// MaxNameBytes caps the masked name (UTF-8 bytes). With the fixed
	// fields it fills MaxTokenBytes exactly when there is no status claim.
	MaxNameBytes = MaxTokenBytes - fixedLen
	// DefaultValidity is the lifetime of a paper code when Claims.ExpiresAt
	// is zero: 180 days, as for the Shanghai 离线码.
	DefaultValidity = 180 * 24 * time.Hour
	// MaxValidity is the longest lifetime the one-byte day count can carry.
	MaxValidity = 255 * 24 * time.Hour
	// DefaultStatusFreshness is how long a status claim is trusted after
	// its AsOf when VerifyOptions.StatusFreshness is zero.
	DefaultStatusFreshness = 24 * time.Hour
	// DefaultLeeway is how far a token's IssuedAt may be ahead of the
	// verifier's clock when VerifyOptions.Leeway is zero.
	DefaultLeeway = 5 * time.Minute

	sigLen   = ed25519.SignatureSize
	headLen  = 1 + KeyIDLen + 12 + 4 + 1 + 1 // version, key ID, token ID, issued, days, name byte
	fixedLen = headLen + sigLen
	day      = 24 * time.Hour
	nameMask = 0x3F // low six bits of the name byte: the name length
	// maxClaimAge bounds the distance in seconds between a status claim's
	// AsOf and the token's IssuedAt (about 68 years), so decoding cannot
	// overflow a time.Duration.
	maxClaimAge = 1<<31 - 1
)

// Epoch is the zero of the token's clock. Times are whole seconds after it
// in a uint32, which lasts until 2156.
var Epoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// StatusClaim is the colour the service computed when it issued the token.
// A verifier trusts it only while fresh, and only when it cannot ask the
// service.
type StatusClaim struct {
	Colour  healthcode.Colour
	AsOf    time.Time // second precision
	Version uint64    // rules.Status.Version at AsOf
	// Until is when the colour is due to change (rules.Status.ValidUntil:
	// the instant a yellow turns green); zero when no change is scheduled.
	// Sign rounds it down to the second; Verify drops the claim from this
	// instant on, as it does once the claim is older than the freshness
	// bound. Format 1 tokens have none.
	Until time.Time
}

// Claims are what a paper-code token says. There is no ID number and no
// health detail other than the optional colour claim.
type Claims struct {
	TokenID    [12]byte  // random, 96 bits: the service's handle for live status
	IssuedAt   time.Time // second precision
	ExpiresAt  time.Time // zero when signing: IssuedAt + DefaultValidity
	MaskedName string    // e.g. "张*三"; at most MaxNameBytes of UTF-8 and must contain '*'
	// Status is the optional status claim. After Verify it is nil when the
	// token had none or when its claim was not fresh (then StatusStale).
	Status *StatusClaim

	// Set by Verify and DecodeUnverified; ignored by Sign.

	KeyID string // the signing key's ID
	// Issuer is the region that owns the signing key, from the trust list
	// (Verify only).
	Issuer string
	// StatusStale is true when the token carried a status claim that Verify
	// dropped because it was older than the freshness bound. The claim is
	// not returned, so a stale colour cannot be shown by mistake.
	StatusStale bool
}

// TokenIDString is the text form of the token ID used in URLs and in the
// store: 20 characters of RFC 4648 base32 without padding.
func (c Claims) TokenIDString() string { return FormatTokenID(c.TokenID) }

var tokenIDEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// FormatTokenID gives the text form of a token ID (see TokenIDString).
func FormatTokenID(id [12]byte) string { return tokenIDEncoding.EncodeToString(id[:]) }

// ParseTokenID reads the text form of a token ID. Errors match ErrMalformed.
func ParseTokenID(s string) ([12]byte, error) {
	var id [12]byte
	b, err := tokenIDEncoding.DecodeString(s)
	if err != nil || len(b) != len(id) || FormatTokenID([12]byte(b)) != s {
		return id, fmt.Errorf("%w: token ID %q", ErrMalformed, s)
	}
	return [12]byte(b), nil
}

// NewTokenID draws a random token ID from r (crypto/rand.Reader in
// production).
func NewTokenID(r io.Reader) ([12]byte, error) {
	var id [12]byte
	if _, err := io.ReadFull(r, id[:]); err != nil {
		return id, fmt.Errorf("token ID: %w", err)
	}
	return id, nil
}

// KeyIDFor derives a key ID from a public key: the first KeyIDLen bytes of
// its SHA-256, in lower-case hex.
func KeyIDFor(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:KeyIDLen])
}

func parseKeyID(s string) ([KeyIDLen]byte, error) {
	var k [KeyIDLen]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != KeyIDLen || hex.EncodeToString(b) != s {
		return k, fmt.Errorf("key ID %q is not %d bytes of lower-case hex", s, KeyIDLen)
	}
	return [KeyIDLen]byte(b), nil
}

var colourCode = map[healthcode.Colour]byte{healthcode.Green: 1, healthcode.Yellow: 2, healthcode.Red: 3}

var codeColour = [4]healthcode.Colour{"", healthcode.Green, healthcode.Yellow, healthcode.Red}

// CheckMaskedName reports whether s may stand in a token: valid UTF-8, at
// most MaxNameBytes, no control characters, no digits (so no ID number can
// hide in it) and at least one '*' (so a plain name is refused). Errors
// match ErrInvalidClaims.
func CheckMaskedName(s string) error {
	switch {
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: masked name is not UTF-8", ErrInvalidClaims)
	case len(s) > MaxNameBytes:
		return fmt.Errorf("%w: masked name has %d bytes, more than %d", ErrInvalidClaims, len(s), MaxNameBytes)
	case !strings.Contains(s, "*"):
		return fmt.Errorf("%w: masked name has no '*': only masked names go in a token", ErrInvalidClaims)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsDigit(r) {
			return fmt.Errorf("%w: masked name has a control character or digit", ErrInvalidClaims)
		}
	}
	return nil
}

// CompactName shortens a masked name (as pii.MaskName gives it) until it
// has at most maxBytes of UTF-8: first runs of '*' become one '*'
// ("买****力" → "买*力"), then only the first and last characters of the
// first word stay around one '*', then only the first character and '*'.
// The result still contains '*' unless maxBytes is too small even for that,
// in which case it is "*".
func CompactName(masked string, maxBytes int) string {
	if len(masked) <= maxBytes {
		return masked
	}
	var sb strings.Builder
	prevStar := false
	for _, r := range masked {
		if r == '*' && prevStar {
			continue
		}
		prevStar = r == '*'
		sb.WriteRune(r)
	}
	s := sb.String()
	if len(s) <= maxBytes {
		return s
	}
	rs := []rune(strings.Fields(s)[0])
	first, last := string(rs[0]), string(rs[len(rs)-1])
	if last != "*" && len(first)+1+len(last) <= maxBytes {
		return first + "*" + last
	}
	if first != "*" && len(first)+1 <= maxBytes {
		return first + "*"
	}
	return "*"
}

// NameRoom is how many bytes of masked name fit beside the rest of c (its
// status claim) in the largest token: MaxNameBytes without a claim, two to
// six bytes less with one. Use it with CompactName before Sign:
//
//	c.MaskedName = token.CompactName(pii.MaskName(name), c.NameRoom())
func (c Claims) NameRoom() int {
	if c.Status == nil {
		return MaxNameBytes
	}
	age := int64(c.IssuedAt.Truncate(time.Second).Sub(c.Status.AsOf.Truncate(time.Second)) / time.Second)
	n := len(binary.AppendVarint(nil, age)) + len(binary.AppendUvarint(nil, c.Status.Version)) +
		len(binary.AppendUvarint(nil, c.Status.untilSeconds()))
	return max(MaxNameBytes-n, 0)
}

// untilSeconds is the claim's end as whole seconds after its AsOf (both
// rounded down to the second), 0 when it has none. A negative or zero span
// is returned as is for encode to refuse.
func (s *StatusClaim) untilSeconds() uint64 {
	if s.Until.IsZero() {
		return 0
	}
	d := s.Until.Truncate(time.Second).Sub(s.AsOf.Truncate(time.Second)) / time.Second
	if d <= 0 {
		return 1<<64 - 1
	}
	return uint64(d)
}

// encode lays out the signed part of a token (everything but the
// signature). It checks every field and the final size.
func encode(keyID [KeyIDLen]byte, c Claims) ([]byte, error) {
	if c.TokenID == ([12]byte{}) {
		return nil, fmt.Errorf("%w: zero token ID", ErrInvalidClaims)
	}
	iat := c.IssuedAt.Truncate(time.Second)
	if iat.Before(Epoch) || iat.Sub(Epoch) > (1<<32-1)*time.Second {
		return nil, fmt.Errorf("%w: issued-at %v outside the token clock", ErrInvalidClaims, c.IssuedAt)
	}
	validity := DefaultValidity
	if !c.ExpiresAt.IsZero() {
		validity = c.ExpiresAt.Truncate(time.Second).Sub(iat)
	}
	if validity <= 0 || validity > MaxValidity || validity%day != 0 {
		return nil, fmt.Errorf("%w: validity %v is not 1 to 255 whole days", ErrInvalidClaims, validity)
	}
	if err := CheckMaskedName(c.MaskedName); err != nil {
		return nil, err
	}
	b := make([]byte, 0, MaxTokenBytes)
	b = append(b, FormatVersion)
	b = append(b, keyID[:]...)
	b = append(b, c.TokenID[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(iat.Sub(Epoch)/time.Second))
	b = append(b, byte(validity/day))
	var colour byte
	if c.Status != nil {
		var ok bool
		if colour, ok = colourCode[c.Status.Colour]; !ok {
			return nil, fmt.Errorf("%w: status colour %q", ErrInvalidClaims, c.Status.Colour)
		}
	}
	b = append(b, colour<<6|byte(len(c.MaskedName)))
	b = append(b, c.MaskedName...)
	if c.Status != nil {
		age := iat.Sub(c.Status.AsOf.Truncate(time.Second)) / time.Second
		if age > maxClaimAge || age < -maxClaimAge {
			return nil, fmt.Errorf("%w: status as-of %v is too far from issued-at", ErrInvalidClaims, c.Status.AsOf)
		}
		b = binary.AppendVarint(b, int64(age))
		b = binary.AppendUvarint(b, c.Status.Version)
		until := c.Status.untilSeconds()
		if until > maxClaimAge {
			return nil, fmt.Errorf("%w: status until %v is not after its as-of or too far from it", ErrInvalidClaims, c.Status.Until)
		}
		b = binary.AppendUvarint(b, until)
	}
	if len(b)+sigLen > MaxTokenBytes {
		return nil, fmt.Errorf("%w: %d bytes, at most %d fit (shorten the name or drop the status claim)",
			ErrTooLarge, len(b)+sigLen, MaxTokenBytes)
	}
	return b, nil
}

// decoded is a parsed binary token before its signature is checked.
type decoded struct {
	claims Claims
	keyID  [KeyIDLen]byte
	signed []byte
	sig    []byte
}

// decodeText parses a token text into its fields. It checks the format
// only; the signature and times are the caller's business.
func decodeText(text string) (*decoded, error) {
	version := byte(FormatVersion)
	body, ok := strings.CutPrefix(text, Prefix)
	if !ok {
		body, ok = strings.CutPrefix(text, PrefixV1)
		version = FormatVersion1
	}
	if !ok {
		if len(text) >= len(Prefix) && strings.HasPrefix(text, Prefix[:3]) &&
			text[4] == ':' && text[3] >= '0' && text[3] <= '9' {
			return nil, fmt.Errorf("%w: format %c", ErrUnsupportedVersion, text[3])
		}
		return nil, fmt.Errorf("%w: no %s prefix", ErrMalformed, Prefix)
	}
	if len(body) > Base45Len(MaxTokenBytes) {
		return nil, fmt.Errorf("%w: %d characters, at most %d", ErrMalformed, len(text), MaxTextLen)
	}
	b, err := DecodeBase45(body)
	if err != nil {
		return nil, err
	}
	return decodeBinary(b, version)
}

// decodeBinary parses a binary token whose text prefix named version.
func decodeBinary(b []byte, version byte) (*decoded, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrMalformed)
	}
	if b[0] != version {
		return nil, fmt.Errorf("%w: version byte %d under the prefix of format %d", ErrUnsupportedVersion, b[0], version)
	}
	if len(b) < fixedLen {
		return nil, fmt.Errorf("%w: %d bytes, at least %d", ErrMalformed, len(b), fixedLen)
	}
	d := &decoded{signed: b[:len(b)-sigLen], sig: b[len(b)-sigLen:]}
	p := d.signed[1:]
	copy(d.keyID[:], p)
	p = p[KeyIDLen:]
	copy(d.claims.TokenID[:], p)
	p = p[12:]
	d.claims.IssuedAt = Epoch.Add(time.Duration(binary.BigEndian.Uint32(p)) * time.Second)
	days := p[4]
	if days == 0 {
		return nil, fmt.Errorf("%w: zero validity", ErrMalformed)
	}
	d.claims.ExpiresAt = d.claims.IssuedAt.Add(time.Duration(days) * day)
	colour, nameLen := p[5]>>6, int(p[5]&nameMask)
	p = p[6:]
	if nameLen > len(p) {
		return nil, fmt.Errorf("%w: name length %d overruns the token", ErrMalformed, nameLen)
	}
	d.claims.MaskedName = string(p[:nameLen])
	if err := CheckMaskedName(d.claims.MaskedName); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	p = p[nameLen:]
	if colour != 0 {
		age, n := binary.Varint(p)
		if n <= 0 || n != len(binary.AppendVarint(nil, age)) || age > maxClaimAge || age < -maxClaimAge {
			return nil, fmt.Errorf("%w: status as-of", ErrMalformed)
		}
		p = p[n:]
		ver, n := binary.Uvarint(p)
		if n <= 0 || n != len(binary.AppendUvarint(nil, ver)) {
			return nil, fmt.Errorf("%w: status version", ErrMalformed)
		}
		p = p[n:]
		d.claims.Status = &StatusClaim{
			Colour:  codeColour[colour],
			AsOf:    d.claims.IssuedAt.Add(-time.Duration(age) * time.Second),
			Version: ver,
		}
		if version != FormatVersion1 {
			until, n := binary.Uvarint(p)
			if n <= 0 || n != len(binary.AppendUvarint(nil, until)) || until > maxClaimAge {
				return nil, fmt.Errorf("%w: status until", ErrMalformed)
			}
			p = p[n:]
			if until > 0 {
				d.claims.Status.Until = d.claims.Status.AsOf.Add(time.Duration(until) * time.Second)
			}
		}
	}
	if len(p) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the fields", ErrMalformed, len(p))
	}
	d.claims.KeyID = hex.EncodeToString(d.keyID[:])
	return d, nil
}

// DecodeUnverified parses a token text without checking its signature or
// its times: for diagnostics (what does this paper say?) and never for a
// decision. Errors match ErrMalformed or ErrUnsupportedVersion.
func DecodeUnverified(text string) (*Claims, error) {
	d, err := decodeText(text)
	if err != nil {
		return nil, err
	}
	return &d.claims, nil
}

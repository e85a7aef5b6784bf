package token

import "errors"

// Verification failures. Every error Verify, DecodeUnverified,
// DecodeBase45 and ParseTrustList return matches exactly one of these with
// errors.Is; the wrapped text adds detail (never personal data).
var (
	// ErrMalformed: not a token of this system, or its bytes do not parse
	// (wrong prefix, bad base45, wrong length, bad field).
	ErrMalformed = errors.New("malformed token")
	// ErrUnsupportedVersion: a token of this system in a format version this
	// code does not read.
	ErrUnsupportedVersion = errors.New("unsupported token version")
	// ErrUnknownKey: the key ID is not in the trust list.
	ErrUnknownKey = errors.New("unknown signing key")
	// ErrBadSignature: the signature does not verify under the listed key.
	ErrBadSignature = errors.New("bad signature")
	// ErrExpired: now is at or after the token's ExpiresAt.
	ErrExpired = errors.New("token expired")
	// ErrNotYetValid: the token's IssuedAt is later than now plus the leeway.
	ErrNotYetValid = errors.New("token not yet valid")
	// ErrKeyNotValidAt: the key was outside its NotBefore/NotAfter window
	// at the token's IssuedAt.
	ErrKeyNotValidAt = errors.New("signing key not valid when the token was issued")
)

// Signing failures: the claims cannot become a token.
var (
	// ErrInvalidClaims: a field is missing or out of range (zero token ID,
	// issued before the epoch, a validity that is not whole days, a name
	// that is not masked, an unknown colour).
	ErrInvalidClaims = errors.New("invalid claims")
	// ErrTooLarge: the encoded token would not fit a version 6 QR code at
	// error level M. Shorten the name (CompactName) or drop the status
	// claim.
	ErrTooLarge = errors.New("token too large for its QR code")
)

// Package token makes and checks the signed token printed as the QR code of
// a paper health code, and the signed trust list of keys that checks it.
//
// A token is a compact binary record (format version, key ID, random token
// ID, issued-at, lifetime, masked name, optional status claim with its end)
// signed with Ed25519 (RFC 8032) over every byte before the signature, then
// written as RFC 9285 base45 after the prefix "SSM2:" ("SSM1:" for format
// 1, still read), so the whole text is in the QR alphanumeric set and fits
// a version 6 QR code at error level M.
// docs/token.md lays out every byte with a worked example and measured
// sizes. The design follows the signed offline credentials surveyed in
// docs/health-code-systems.md (EU DCC's base45 and prefix, SMART Health
// Cards' key IDs from the key hash), cut down to fit
// a small QR: no CBOR/COSE envelope, no ID number, no health detail other
// than the colour claim.
//
// The trust list carries the verification keys of every issuer a verifier
// accepts (the home region's and its neighbours'), each with the window in
// which it may sign, and is itself signed by a root key the verifier pins.
package token

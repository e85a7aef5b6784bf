package token

import (
	"bytes"
	"cmp"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// TrustedKey is one signing key a verifier accepts.
//
// Rotation rule: NotBefore and NotAfter bound when the key may sign, not
// when its tokens may be verified. A token verifies under a key when its
// IssuedAt is in [NotBefore, NotAfter) (a zero bound is open), whatever the
// time of verification, so a retired key (NotAfter in the past) keeps its
// printed codes working until they expire. To stop trusting a key's tokens
// altogether (a leaked key) remove it from the list.
type TrustedKey struct {
	KeyID     string // KeyIDFor(PublicKey)
	Issuer    string // the region that owns the key, e.g. "SH" or "ZJ"
	PublicKey ed25519.PublicKey
	NotBefore time.Time // zero: no lower bound
	NotAfter  time.Time // zero: still signing
}

// ValidAt reports whether the key could sign at t.
func (k TrustedKey) ValidAt(t time.Time) bool {
	return (k.NotBefore.IsZero() || !t.Before(k.NotBefore)) && (k.NotAfter.IsZero() || t.Before(k.NotAfter))
}

// TrustList is the set of keys a verifier accepts, signed by a root key
// that kiosks and venue checkers pin. Keys of other regions' issuers sit in
// the same list beside the home region's.
type TrustList struct {
	Issuer     string // who publishes the list (the root's owner), e.g. "SH"
	Version    uint64 // goes up with every published list
	IssuedAt   time.Time
	NextUpdate time.Time // when a fresher list is due; a verifier keeps using an older one
	Keys       []TrustedKey

	// Set by ParseTrustList.

	RootKeyID string // KeyIDFor(the root public key) named in the envelope
	Signature []byte // the root's Ed25519 signature over the canonical list
}

// Key returns the key with the given ID.
func (tl *TrustList) Key(keyID string) (TrustedKey, bool) {
	i := slices.IndexFunc(tl.Keys, func(k TrustedKey) bool { return k.KeyID == keyID })
	if i < 0 {
		return TrustedKey{}, false
	}
	return tl.Keys[i], true
}

// Stale reports whether a newer list should have been published by now.
// A stale list still verifies; the caller decides whether to warn.
func (tl *TrustList) Stale(now time.Time) bool {
	return !tl.NextUpdate.IsZero() && !now.Before(tl.NextUpdate)
}

// The wire forms. Times are RFC 3339 UTC with whole seconds; public keys
// and the signature are standard base64 (encoding/json's []byte form).
type trustedKeyJSON struct {
	KeyID     string `json:"key_id"`
	Issuer    string `json:"issuer"`
	PublicKey []byte `json:"public_key"`
	NotBefore string `json:"not_before,omitempty"`
	NotAfter  string `json:"not_after,omitempty"`
}

type trustListJSON struct {
	Issuer     string           `json:"issuer"`
	Version    uint64           `json:"version"`
	IssuedAt   string           `json:"issued_at"`
	NextUpdate string           `json:"next_update,omitempty"`
	Keys       []trustedKeyJSON `json:"keys"`
}

type envelopeJSON struct {
	TrustList json.RawMessage `json:"trust_list"`
	Alg       string          `json:"alg"`
	RootKeyID string          `json:"root_key_id"`
	Signature []byte          `json:"signature"`
}

const trustAlg = "Ed25519"

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || fmtTime(t) != s {
		return time.Time{}, fmt.Errorf("%w: trust list %s %q is not RFC 3339 UTC seconds", ErrMalformed, field, s)
	}
	return t, nil
}

// check is the shared validation of SignTrustList and ParseTrustList.
func (tl *TrustList) check() error {
	if tl.Issuer == "" {
		return fmt.Errorf("%w: trust list without issuer", ErrMalformed)
	}
	if tl.IssuedAt.IsZero() {
		return fmt.Errorf("%w: trust list without issued_at", ErrMalformed)
	}
	seen := make(map[string]bool, len(tl.Keys))
	for _, k := range tl.Keys {
		switch {
		case len(k.PublicKey) != ed25519.PublicKeySize:
			return fmt.Errorf("%w: trust list key %q: public key of %d bytes", ErrMalformed, k.KeyID, len(k.PublicKey))
		case k.KeyID != KeyIDFor(k.PublicKey):
			return fmt.Errorf("%w: trust list key %q is not derived from its public key", ErrMalformed, k.KeyID)
		case k.Issuer == "":
			return fmt.Errorf("%w: trust list key %q without issuer", ErrMalformed, k.KeyID)
		case !k.NotBefore.IsZero() && !k.NotAfter.IsZero() && !k.NotBefore.Before(k.NotAfter):
			return fmt.Errorf("%w: trust list key %q: not_before is not before not_after", ErrMalformed, k.KeyID)
		case seen[k.KeyID]:
			return fmt.Errorf("%w: trust list key %q listed twice", ErrMalformed, k.KeyID)
		}
		seen[k.KeyID] = true
	}
	return nil
}

// SignTrustList writes tl as canonical JSON (fields in a fixed order, keys
// sorted by key ID, times in whole UTC seconds, no spaces) and signs those
// exact bytes with the root key. The result is an envelope holding the list,
// the algorithm, the root's key ID and the signature; docs/token.md shows
// one.
func SignTrustList(tl TrustList, root ed25519.PrivateKey) ([]byte, error) {
	if len(root) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("sign trust list: root key of %d bytes", len(root))
	}
	tl.IssuedAt = tl.IssuedAt.Truncate(time.Second)
	tl.NextUpdate = tl.NextUpdate.Truncate(time.Second)
	if err := tl.check(); err != nil {
		return nil, fmt.Errorf("sign trust list: %w", err)
	}
	w := trustListJSON{Issuer: tl.Issuer, Version: tl.Version, IssuedAt: fmtTime(tl.IssuedAt), NextUpdate: fmtTime(tl.NextUpdate)}
	keys := slices.Clone(tl.Keys)
	slices.SortFunc(keys, func(a, b TrustedKey) int { return cmp.Compare(a.KeyID, b.KeyID) })
	for _, k := range keys {
		w.Keys = append(w.Keys, trustedKeyJSON{
			KeyID: k.KeyID, Issuer: k.Issuer, PublicKey: k.PublicKey,
			NotBefore: fmtTime(k.NotBefore.Truncate(time.Second)), NotAfter: fmtTime(k.NotAfter.Truncate(time.Second)),
		})
	}
	if w.Keys == nil {
		w.Keys = []trustedKeyJSON{}
	}
	body, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("sign trust list: %w", err)
	}
	pub := root.Public().(ed25519.PublicKey)
	return json.Marshal(envelopeJSON{
		TrustList: body,
		Alg:       trustAlg,
		RootKeyID: KeyIDFor(pub),
		Signature: ed25519.Sign(root, body),
	})
}

// ParseTrustList checks the envelope's signature against the pinned root
// public key over the exact bytes of the list, then reads and validates the
// list. Errors match ErrMalformed or ErrBadSignature.
func ParseTrustList(data []byte, root ed25519.PublicKey) (*TrustList, error) {
	var env envelopeJSON
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("%w: trust list envelope: %w", ErrMalformed, err)
	}
	if env.Alg != trustAlg {
		return nil, fmt.Errorf("%w: trust list algorithm %q", ErrMalformed, env.Alg)
	}
	if len(root) != ed25519.PublicKeySize || len(env.Signature) != ed25519.SignatureSize ||
		!ed25519.Verify(root, env.TrustList, env.Signature) {
		return nil, fmt.Errorf("%w: trust list not signed by root key %s", ErrBadSignature, keyIDOrNone(root))
	}
	var w trustListJSON
	dec := json.NewDecoder(bytes.NewReader(env.TrustList))
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("%w: trust list: %w", ErrMalformed, err)
	}
	tl := &TrustList{Issuer: w.Issuer, Version: w.Version, RootKeyID: env.RootKeyID, Signature: env.Signature}
	var err error
	if tl.IssuedAt, err = parseTime("issued_at", w.IssuedAt); err != nil {
		return nil, err
	}
	if tl.NextUpdate, err = parseTime("next_update", w.NextUpdate); err != nil {
		return nil, err
	}
	for _, k := range w.Keys {
		tk := TrustedKey{KeyID: k.KeyID, Issuer: k.Issuer, PublicKey: ed25519.PublicKey(k.PublicKey)}
		if tk.NotBefore, err = parseTime("not_before", k.NotBefore); err != nil {
			return nil, err
		}
		if tk.NotAfter, err = parseTime("not_after", k.NotAfter); err != nil {
			return nil, err
		}
		tl.Keys = append(tl.Keys, tk)
	}
	if err := tl.check(); err != nil {
		return nil, err
	}
	return tl, nil
}

func keyIDOrNone(pub ed25519.PublicKey) string {
	if len(pub) != ed25519.PublicKeySize {
		return "(none)"
	}
	return KeyIDFor(pub)
}

// VerifyOptions are the verifier's context.
type VerifyOptions struct {
	Now time.Time // zero: time.Now()
	// StatusFreshness is how long after its AsOf a status claim is trusted;
	// 0 means DefaultStatusFreshness (24h).
	StatusFreshness time.Duration
	// Leeway is how far IssuedAt may be ahead of Now before the token is
	// "not yet valid" (the issuer's clock may run ahead of a venue's);
	// 0 means DefaultLeeway, a negative value means none.
	Leeway time.Duration
}

// Verify checks a token text against the list, in this order: format
// (ErrMalformed, ErrUnsupportedVersion), key (ErrUnknownKey), signature
// (ErrBadSignature), the key's window at IssuedAt (ErrKeyNotValidAt), then
// the token's own window at opt.Now (ErrNotYetValid, ErrExpired). The
// signature comes before any judgement of the contents, so a forged token
// is always reported as forged.
//
// A status claim older than the freshness bound, or past its own Until, is
// not an error: Verify returns the claims with Status nil and StatusStale
// true. Claims.KeyID and
// Claims.Issuer name the key that signed.
func (tl *TrustList) Verify(text string, opt VerifyOptions) (*Claims, error) {
	if tl == nil {
		return nil, fmt.Errorf("%w: no trust list", ErrUnknownKey)
	}
	d, err := decodeText(text)
	if err != nil {
		return nil, err
	}
	key, err := tl.checkSigned(d.claims.KeyID, d.signed, d.sig, nil, d.claims.IssuedAt, d.claims.ExpiresAt, opt)
	if err != nil {
		return nil, err
	}
	c := d.claims
	c.Issuer = key.Issuer
	now := opt.now()
	fresh := opt.StatusFreshness
	if fresh <= 0 {
		fresh = DefaultStatusFreshness
	}
	if c.Status != nil && (!now.Before(c.Status.AsOf.Add(fresh)) ||
		!c.Status.Until.IsZero() && !now.Before(c.Status.Until)) {
		c.Status, c.StatusStale = nil, true
	}
	return &c, nil
}

// checkSigned is what Verify and VerifyCredential check after the
// layout, in this order: the key is listed (ErrUnknownKey), its
// signature over signed holds (ErrBadSignature; under the Ed25519ctx
// options sigOpt when not nil, else pure Ed25519), the key's window
// covers issuedAt (ErrKeyNotValidAt), and the token's own window covers
// opt's time (ErrNotYetValid, ErrExpired). It returns the key.
func (tl *TrustList) checkSigned(keyID string, signed, sig []byte, sigOpt *ed25519.Options, issuedAt, expiresAt time.Time, opt VerifyOptions) (TrustedKey, error) {
	key, ok := tl.Key(keyID)
	if !ok {
		return key, fmt.Errorf("%w: key %s", ErrUnknownKey, keyID)
	}
	good := sigOpt == nil && ed25519.Verify(key.PublicKey, signed, sig) ||
		sigOpt != nil && ed25519.VerifyWithOptions(key.PublicKey, signed, sig, sigOpt) == nil
	if !good {
		return key, fmt.Errorf("%w: key %s", ErrBadSignature, key.KeyID)
	}
	if !key.ValidAt(issuedAt) {
		return key, fmt.Errorf("%w: key %s (%s to %s), issued %s", ErrKeyNotValidAt, key.KeyID,
			fmtTime(key.NotBefore), fmtTime(key.NotAfter), fmtTime(issuedAt))
	}
	now := opt.now()
	leeway := opt.Leeway
	switch {
	case leeway == 0:
		leeway = DefaultLeeway
	case leeway < 0:
		leeway = 0
	}
	if issuedAt.After(now.Add(leeway)) {
		return key, fmt.Errorf("%w: issued %s", ErrNotYetValid, fmtTime(issuedAt))
	}
	if !now.Before(expiresAt) {
		return key, fmt.Errorf("%w: expired %s", ErrExpired, fmtTime(expiresAt))
	}
	return key, nil
}

// now is the options' time, or the clock's when it is zero.
func (opt VerifyOptions) now() time.Time {
	if opt.Now.IsZero() {
		return time.Now()
	}
	return opt.Now
}

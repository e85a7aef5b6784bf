package token_test

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/internal/golden"
	"github.com/shcommunity/kiosk/pii"
)

var update = flag.Bool("update", false, "rewrite golden files")

// key makes a deterministic key from a label, so tokens (Ed25519 signatures
// are deterministic) and golden files are reproducible.
func key(label string) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, label)
	return ed25519.NewKeyFromSeed(seed)
}

func signer(issuer, label string) *token.Signer {
	priv := key(label)
	return token.NewSigner(issuer, token.KeyIDFor(priv.Public().(ed25519.PublicKey)), priv)
}

var (
	t0      = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	root    = key("root")
	rootPub = root.Public().(ed25519.PublicKey)
	shOld   = signer("SH", "sh-2025")
	shNew   = signer("SH", "sh-2026")
	zj      = signer("ZJ", "zj-2026")
	rogue   = signer("SH", "rogue")
	// The rotation: sh-2025 signed until t0, sh-2026 from t0 on.
	trustKeys = []token.TrustedKey{
		shOld.TrustedKey(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), t0),
		shNew.TrustedKey(t0, time.Time{}),
		zj.TrustedKey(time.Time{}, time.Time{}),
	}
)

func trustList(t testing.TB) *token.TrustList {
	t.Helper()
	data, err := token.SignTrustList(token.TrustList{
		Issuer: "SH", Version: 7, IssuedAt: t0, NextUpdate: t0.Add(7 * 24 * time.Hour), Keys: trustKeys,
	}, root)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := token.ParseTrustList(data, rootPub)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

func tokenID(b byte) [12]byte {
	var id [12]byte
	for i := range id {
		id[i] = b + byte(i)
	}
	return id
}

func claims() token.Claims {
	return token.Claims{
		TokenID:    tokenID(0xA0),
		IssuedAt:   t0.Add(time.Hour),
		MaskedName: pii.MaskName("张三丰"),
		Status:     &token.StatusClaim{Colour: healthcode.Green, AsOf: t0.Add(time.Hour - 2*time.Second), Version: 3},
	}
}

func sign(t testing.TB, s *token.Signer, c token.Claims) string {
	t.Helper()
	text, err := s.Sign(c)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return text
}

func TestSignVerifyRoundTrip(t *testing.T) {
	tl := trustList(t)
	want := claims()
	text := sign(t, shNew, want)
	got, err := tl.Verify(text, token.VerifyOptions{Now: want.IssuedAt.Add(time.Minute)})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got.TokenID != want.TokenID || !got.IssuedAt.Equal(want.IssuedAt) || got.MaskedName != want.MaskedName {
		t.Errorf("Verify = %+v, want the claims %+v", got, want)
	}
	if wantExp := want.IssuedAt.Add(token.DefaultValidity); !got.ExpiresAt.Equal(wantExp) {
		t.Errorf("ExpiresAt = %v, want IssuedAt + 180 days = %v", got.ExpiresAt, wantExp)
	}
	if got.Status == nil || *got.Status != *want.Status || got.StatusStale {
		t.Errorf("Status = %+v (stale %v), want %+v", got.Status, got.StatusStale, want.Status)
	}
	if got.KeyID != shNew.KeyID() || got.Issuer != "SH" {
		t.Errorf("signed by %s/%s, want %s/SH", got.KeyID, got.Issuer, shNew.KeyID())
	}
	if got.TokenIDString() != token.FormatTokenID(want.TokenID) || len(got.TokenIDString()) != 20 {
		t.Errorf("TokenIDString = %q", got.TokenIDString())
	}
	id, err := token.ParseTokenID(got.TokenIDString())
	if err != nil || id != want.TokenID {
		t.Errorf("ParseTokenID(%q) = %x, %v; want %x", got.TokenIDString(), id, err, want.TokenID)
	}
}

func TestTextIsQRAlphanumeric(t *testing.T) {
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
	for _, c := range []token.Claims{claims(), longest(false), longest(true)} {
		text := sign(t, shNew, c)
		if !strings.HasPrefix(text, token.Prefix) {
			t.Errorf("%q lacks the prefix %q", text, token.Prefix)
		}
		if i := strings.IndexFunc(text, func(r rune) bool { return !strings.ContainsRune(alnum, r) }); i >= 0 {
			t.Errorf("%q: character %q at %d is not QR alphanumeric", text, text[i], i)
		}
		if len(text) > token.MaxTextLen {
			t.Errorf("%d characters, more than %d", len(text), token.MaxTextLen)
		}
	}
}

// mutate returns the token with its binary form changed by f.
func mutate(t *testing.T, text string, f func([]byte) []byte) string {
	t.Helper()
	return mutateAfter(t, token.Prefix, text, f)
}

// mutateAfter returns text, a token or a credential that starts with
// prefix, with its binary form changed by f.
func mutateAfter(t *testing.T, prefix, text string, f func([]byte) []byte) string {
	t.Helper()
	b, err := token.DecodeBase45(strings.TrimPrefix(text, prefix))
	if err != nil {
		t.Fatal(err)
	}
	return prefix + token.EncodeBase45(f(bytes.Clone(b)))
}

func TestVerifyFailures(t *testing.T) {
	tl := trustList(t)
	c := claims()
	good := sign(t, shNew, c)
	now := c.IssuedAt.Add(time.Minute)
	short := c
	short.ExpiresAt = c.IssuedAt.Add(24 * time.Hour)
	oldKeyAfterRetire := c // sh-2025 retired at t0; this token is issued an hour later
	tests := []struct {
		name string
		text string
		now  time.Time
		want error
	}{
		{"empty", "", now, token.ErrMalformed},
		{"other scheme", "HC1:6BFOXN*TS0BI$ZD", now, token.ErrMalformed},
		{"url", "https://example.org/?t=1", now, token.ErrMalformed},
		{"future format", "SSM3:" + strings.TrimPrefix(good, token.Prefix), now, token.ErrUnsupportedVersion},
		{"format 2 body under the format 1 prefix", token.PrefixV1 + strings.TrimPrefix(good, token.Prefix), now, token.ErrUnsupportedVersion},
		{"lower case", strings.ToLower(good), now, token.ErrMalformed},
		{"truncated", good[:len(good)-3], now, token.ErrMalformed},
		{"one char short", good[:len(good)-1], now, token.ErrMalformed},
		{"extra byte", mutate(t, good, func(b []byte) []byte { return append(b, 0) }), now, token.ErrMalformed},
		{"too long", good + "000", now, token.ErrMalformed},
		{"version byte", mutate(t, good, func(b []byte) []byte { b[0] = 3; return b }), now, token.ErrUnsupportedVersion},
		{"format 1 byte under the format 2 prefix", mutate(t, good, func(b []byte) []byte { b[0] = 1; return b }), now, token.ErrUnsupportedVersion},
		{"unknown key", sign(t, rogue, c), now, token.ErrUnknownKey},
		{"signed by another key", mutate(t, sign(t, rogue, c), func(b []byte) []byte {
			kid, _ := token.DecodeUnverified(good)
			copy(b[1:5], mustHex(kid.KeyID))
			return b
		}), now, token.ErrBadSignature},
		{"signature zeroed", mutate(t, good, func(b []byte) []byte { clear(b[len(b)-64:]); return b }), now, token.ErrBadSignature},
		{"expired", good, c.IssuedAt.Add(token.DefaultValidity), token.ErrExpired},
		{"expired after 1 day", sign(t, shNew, short), c.IssuedAt.Add(24 * time.Hour), token.ErrExpired},
		{"not yet valid", good, c.IssuedAt.Add(-token.DefaultLeeway - time.Second), token.ErrNotYetValid},
		{"retired key signing after NotAfter", sign(t, shOld, oldKeyAfterRetire), now, token.ErrKeyNotValidAt},
		{"new key before NotBefore", sign(t, shNew, withIssued(c, t0.Add(-time.Second))), now, token.ErrKeyNotValidAt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tl.Verify(tc.text, token.VerifyOptions{Now: tc.now})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %+v, %v; want %v", got, err, tc.want)
			}
			if got != nil {
				t.Errorf("Verify returned claims %+v with an error", got)
			}
			for _, other := range []error{token.ErrMalformed, token.ErrUnsupportedVersion, token.ErrUnknownKey,
				token.ErrBadSignature, token.ErrExpired, token.ErrNotYetValid, token.ErrKeyNotValidAt} {
				if other != tc.want && errors.Is(err, other) {
					t.Errorf("error %v also matches %v", err, other)
				}
			}
		})
	}
}

func mustHex(s string) []byte {
	var b []byte
	if _, err := fmt.Sscanf(s, "%x", &b); err != nil {
		panic(err)
	}
	return b
}

func withIssued(c token.Claims, at time.Time) token.Claims {
	c.IssuedAt = at
	c.Status = &token.StatusClaim{Colour: healthcode.Green, AsOf: at, Version: 1}
	return c
}

func TestVerifyWindowBoundaries(t *testing.T) {
	tl := trustList(t)
	c := claims()
	text := sign(t, shNew, c)
	tests := []struct {
		name   string
		now    time.Time
		leeway time.Duration
		want   error
	}{
		{"at issue", c.IssuedAt, 0, nil},
		{"inside the default leeway", c.IssuedAt.Add(-token.DefaultLeeway), 0, nil},
		{"no leeway, one second early", c.IssuedAt.Add(-time.Second), -1, token.ErrNotYetValid},
		{"last second", c.IssuedAt.Add(token.DefaultValidity - time.Nanosecond), 0, nil},
		{"at ExpiresAt", c.IssuedAt.Add(token.DefaultValidity), 0, token.ErrExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tl.Verify(text, token.VerifyOptions{Now: tc.now, Leeway: tc.leeway})
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Errorf("Verify at %v = %v, want %v", tc.now, err, tc.want)
			}
		})
	}
}

func TestStatusFreshness(t *testing.T) {
	tl := trustList(t)
	c := claims()
	text := sign(t, shNew, c)
	asOf := c.Status.AsOf
	tests := []struct {
		name      string
		now       time.Time
		freshness time.Duration
		wantStale bool
	}{
		{"just issued", c.IssuedAt, 0, false},
		{"24h minus 1ns", asOf.Add(24*time.Hour - time.Nanosecond), 0, false},
		{"24h", asOf.Add(24 * time.Hour), 0, true},
		{"a month", asOf.Add(30 * 24 * time.Hour), 0, true},
		{"custom 1h, inside", asOf.Add(59 * time.Minute), time.Hour, false},
		{"custom 1h, outside", asOf.Add(time.Hour), time.Hour, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tl.Verify(text, token.VerifyOptions{Now: tc.now, StatusFreshness: tc.freshness})
			if err != nil {
				t.Fatal(err)
			}
			if got.StatusStale != tc.wantStale || (got.Status == nil) != tc.wantStale {
				t.Errorf("Status %+v, StatusStale %v; want stale %v", got.Status, got.StatusStale, tc.wantStale)
			}
		})
	}
	t.Run("no claim is not stale", func(t *testing.T) {
		c := claims()
		c.Status = nil
		got, err := tl.Verify(sign(t, shNew, c), token.VerifyOptions{Now: c.IssuedAt})
		if err != nil || got.Status != nil || got.StatusStale {
			t.Errorf("Verify = %+v, %v; want no status and not stale", got, err)
		}
	})
}

// TestEverySingleByteFlipRefused changes each byte of a valid token in
// three ways and each base45 character of its text to two others: none may
// verify.
func TestEverySingleByteFlipRefused(t *testing.T) {
	t.Run("no end", func(t *testing.T) { checkFlipsRefused(t, claims()) })
	t.Run("claim with an end", func(t *testing.T) { checkFlipsRefused(t, yellowUntil(3*time.Hour)) })
}

// yellowUntil is claims() with a yellow claim that turns green d after its
// as-of.
func yellowUntil(d time.Duration) token.Claims {
	c := claims()
	c.Status.Colour = healthcode.Yellow
	c.Status.Until = c.Status.AsOf.Add(d)
	return c
}

// assertFlipsRefused checks that verify accepts the valid text good, then
// changes each byte of the binary form behind prefix of good in three
// ways, and each character of good to two others: verify must refuse
// every variant.
func assertFlipsRefused(t *testing.T, good, prefix string, verify func(string) (any, error)) {
	t.Helper()
	if _, err := verify(good); err != nil {
		t.Fatal(err)
	}
	raw, err := token.DecodeBase45(strings.TrimPrefix(good, prefix))
	if err != nil {
		t.Fatal(err)
	}
	for i := range raw {
		for _, x := range []byte{0x01, 0x80, 0xFF} {
			b := bytes.Clone(raw)
			b[i] ^= x
			if got, err := verify(prefix + token.EncodeBase45(b)); err == nil {
				t.Errorf("byte %d ^ %#x: verified as %+v", i, x, got)
			}
		}
	}
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
	for i := range len(good) {
		j := strings.IndexByte(alnum, good[i])
		for _, d := range []int{1, 22} {
			bad := good[:i] + string(alnum[(j+d)%len(alnum)]) + good[i+1:]
			if got, err := verify(bad); err == nil {
				t.Errorf("character %d %q→%q: verified as %+v", i, good[i], bad[i], got)
			}
		}
	}
}

func checkFlipsRefused(t *testing.T, c token.Claims) {
	tl := trustList(t)
	good := sign(t, shNew, c)
	opt := token.VerifyOptions{Now: c.IssuedAt}
	assertFlipsRefused(t, good, token.Prefix, func(text string) (any, error) { return tl.Verify(text, opt) })
}

func TestKeyRotationAndRegions(t *testing.T) {
	tl := trustList(t)
	beforeRotation := withIssued(claims(), t0.Add(-24*time.Hour))
	afterRotation := withIssued(claims(), t0.Add(24*time.Hour))
	tests := []struct {
		name       string
		s          *token.Signer
		c          token.Claims
		now        time.Time
		wantIssuer string
	}{
		{"old key, token from before its retirement, checked long after", shOld, beforeRotation, t0.Add(170 * 24 * time.Hour), "SH"},
		{"new key", shNew, afterRotation, t0.Add(25 * time.Hour), "SH"},
		{"new key at its NotBefore", shNew, withIssued(claims(), t0), t0, "SH"},
		{"another region's key", zj, afterRotation, t0.Add(25 * time.Hour), "ZJ"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tl.Verify(sign(t, tc.s, tc.c), token.VerifyOptions{Now: tc.now})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got.Issuer != tc.wantIssuer || got.KeyID != tc.s.KeyID() {
				t.Errorf("issuer %s key %s, want %s key %s", got.Issuer, got.KeyID, tc.wantIssuer, tc.s.KeyID())
			}
		})
	}
	t.Run("old key at its NotAfter", func(t *testing.T) {
		_, err := tl.Verify(sign(t, shOld, withIssued(claims(), t0)), token.VerifyOptions{Now: t0})
		if !errors.Is(err, token.ErrKeyNotValidAt) {
			t.Errorf("err = %v, want ErrKeyNotValidAt (NotAfter is exclusive)", err)
		}
	})
	t.Run("removed key", func(t *testing.T) {
		data, err := token.SignTrustList(token.TrustList{Issuer: "SH", Version: 8, IssuedAt: t0, Keys: trustKeys[1:]}, root)
		if err != nil {
			t.Fatal(err)
		}
		tl2, err := token.ParseTrustList(data, rootPub)
		if err != nil {
			t.Fatal(err)
		}
		_, err = tl2.Verify(sign(t, shOld, beforeRotation), token.VerifyOptions{Now: t0})
		if !errors.Is(err, token.ErrUnknownKey) {
			t.Errorf("err = %v, want ErrUnknownKey", err)
		}
	})
}

func TestSignRefuses(t *testing.T) {
	tests := []struct {
		name string
		s    *token.Signer
		edit func(*token.Claims)
		want error
	}{
		{"zero token ID", shNew, func(c *token.Claims) { c.TokenID = [12]byte{} }, token.ErrInvalidClaims},
		{"zero issued-at", shNew, func(c *token.Claims) { c.IssuedAt = time.Time{} }, token.ErrInvalidClaims},
		{"before the epoch", shNew, func(c *token.Claims) { c.IssuedAt = token.Epoch.Add(-time.Second) }, token.ErrInvalidClaims},
		{"after uint32 seconds", shNew, func(c *token.Claims) { c.IssuedAt = token.Epoch.Add(1 << 32 * time.Second) }, token.ErrInvalidClaims},
		{"expires before issue", shNew, func(c *token.Claims) { c.ExpiresAt = c.IssuedAt.Add(-24 * time.Hour) }, token.ErrInvalidClaims},
		{"validity not whole days", shNew, func(c *token.Claims) { c.ExpiresAt = c.IssuedAt.Add(36 * time.Hour) }, token.ErrInvalidClaims},
		{"validity 256 days", shNew, func(c *token.Claims) { c.ExpiresAt = c.IssuedAt.Add(256 * 24 * time.Hour) }, token.ErrInvalidClaims},
		{"plain name", shNew, func(c *token.Claims) { c.MaskedName = "张三丰" }, token.ErrInvalidClaims},
		{"ID number", shNew, func(c *token.Claims) { c.MaskedName = "3*0X" }, token.ErrInvalidClaims},
		{"control character", shNew, func(c *token.Claims) { c.MaskedName = "张*\n" }, token.ErrInvalidClaims},
		{"invalid UTF-8", shNew, func(c *token.Claims) { c.MaskedName = "张*\xff" }, token.ErrInvalidClaims},
		{"name too long", shNew, func(c *token.Claims) { c.MaskedName = "买*******力" }, token.ErrInvalidClaims},
		{"name plus claim too long", shNew, func(c *token.Claims) { c.MaskedName = "阿*********" }, token.ErrTooLarge},
		{"unknown colour", shNew, func(c *token.Claims) { c.Status.Colour = "blue" }, token.ErrInvalidClaims},
		{"empty colour", shNew, func(c *token.Claims) { c.Status.Colour = "" }, token.ErrInvalidClaims},
		{"claim ends at its as-of", shNew, func(c *token.Claims) { c.Status.Until = c.Status.AsOf }, token.ErrInvalidClaims},
		{"claim ends before its as-of", shNew, func(c *token.Claims) { c.Status.Until = c.Status.AsOf.Add(-time.Hour) }, token.ErrInvalidClaims},
		{"claim ends decades later", shNew, func(c *token.Claims) { c.Status.Until = c.Status.AsOf.Add(100 * 365 * 24 * time.Hour) }, token.ErrInvalidClaims},
		{"claim decades away", shNew, func(c *token.Claims) { c.Status.AsOf = c.IssuedAt.Add(-100 * 365 * 24 * time.Hour) }, token.ErrInvalidClaims},
		{"bad key ID", token.NewSigner("SH", "sh-1", key("x")), func(*token.Claims) {}, token.ErrInvalidClaims},
		{"no private key", token.NewSigner("SH", shNew.KeyID(), nil), func(*token.Claims) {}, token.ErrInvalidClaims},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := claims()
			tc.edit(&c)
			text, err := tc.s.Sign(c)
			if !errors.Is(err, tc.want) {
				t.Errorf("Sign = %q, %v; want %v", text, err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "张三丰") {
				t.Errorf("error %q contains the plain name", err)
			}
		})
	}
}

func TestCompactName(t *testing.T) {
	tests := []struct {
		masked string
		max    int
		want   string
	}{
		{"张*三", token.MaxNameBytes, "张*三"},
		{"买****力", 7, "买*力"},
		{"J*** S****", 5, "J* S*"},
		{"J*** S****", 4, "J*"},
		{"阿**********·*****提", 9, "阿*提"},
		{"阿**********·*****提", 4, "阿*"},
		{"阿**********·*****提", 3, "*"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%d", tc.masked, tc.max), func(t *testing.T) {
			got := token.CompactName(tc.masked, tc.max)
			if got != tc.want {
				t.Errorf("CompactName(%q, %d) = %q, want %q", tc.masked, tc.max, got, tc.want)
			}
			if len(got) > max(tc.max, 1) || !strings.Contains(got, "*") {
				t.Errorf("CompactName(%q, %d) = %q: too long or unmasked", tc.masked, tc.max, got)
			}
		})
	}
}

// TestGolden pins the worked example of docs/token.md: the same keys and
// claims must give the same text, byte for byte.
func TestGolden(t *testing.T) {
	c := claims()
	text := sign(t, shNew, c)
	checkGolden(t, "token_v2.golden", "token", worked(shNew.KeyID(), c.TokenIDString(), token.Prefix, text))
}

// worked is a signed text as the worked examples of docs/token.md show
// it: its key, its token ID, its binary form and the text itself.
func worked(keyID, tokenID, prefix, text string) []byte {
	raw, _ := token.DecodeBase45(strings.TrimPrefix(text, prefix))
	return []byte(fmt.Sprintf("key_id %s\ntoken_id %s\nbytes %d\nchars %d\nhex %x\ntext %s\n",
		keyID, tokenID, len(raw), len(text), raw, text))
}

// checkGolden compares got with the file name in testdata, which go test
// -update rewrites; what names the thing in a failure.
func checkGolden(t *testing.T, name, what string, got []byte) {
	t.Helper()
	want, err := golden.Want(filepath.Join("testdata", name), got, *update)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s changed:\ngot:\n%s\nwant:\n%s", what, got, want)
	}
}

// TestFormat1StillVerifies reads the pinned format 1 example (the worked
// example of earlier releases): papers printed before format 2 must keep
// verifying, with a claim that has no end.
func TestFormat1StillVerifies(t *testing.T) {
	want := claims()
	got, err := trustList(t).Verify(format1Text(t), token.VerifyOptions{Now: want.IssuedAt})
	if err != nil {
		t.Fatalf("Verify format 1: %v", err)
	}
	if got.TokenID != want.TokenID || got.MaskedName != want.MaskedName || got.Status == nil || *got.Status != *want.Status {
		t.Errorf("format 1 = %+v, status %+v; want %+v, status %+v", got, got.Status, want, want.Status)
	}
}

// format1Text is the format 1 text pinned in testdata/token_v1.golden:
// claims() signed by shNew before format 2.
func format1Text(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "token_v1.golden"))
	if err != nil {
		t.Fatal(err)
	}
	_, text, ok := strings.Cut(string(data), "\ntext ")
	if !ok || !strings.HasPrefix(text, token.PrefixV1) {
		t.Fatalf("no format 1 text in the golden file")
	}
	return strings.TrimSuffix(text, "\n")
}

// TestStatusUntil: a claim with an end is dropped at that instant, before
// the freshness bound, exactly as a stale one; the end survives signing
// rounded down to the second.
func TestStatusUntil(t *testing.T) {
	tl := trustList(t)
	c := yellowUntil(3*time.Hour + 999*time.Millisecond)
	text := sign(t, shNew, c)
	until := c.Status.AsOf.Add(3 * time.Hour)
	for _, tc := range []struct {
		name      string
		now       time.Time
		wantStale bool
	}{
		{"issued", c.IssuedAt, false},
		{"1ns before the end", until.Add(-time.Nanosecond), false},
		{"at the end", until, true},
		{"a day later", until.Add(24 * time.Hour), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tl.Verify(text, token.VerifyOptions{Now: tc.now})
			if err != nil {
				t.Fatal(err)
			}
			if got.StatusStale != tc.wantStale || (got.Status == nil) != tc.wantStale {
				t.Fatalf("Status %+v, StatusStale %v; want stale %v", got.Status, got.StatusStale, tc.wantStale)
			}
			if got.Status != nil && (got.Status.Colour != healthcode.Yellow || !got.Status.Until.Equal(until)) {
				t.Errorf("Status = %+v, want yellow until %v", got.Status, until)
			}
		})
	}
	t.Run("an end beyond the freshness bound changes nothing before it", func(t *testing.T) {
		c := yellowUntil(13 * 24 * time.Hour)
		got, err := tl.Verify(sign(t, shNew, c), token.VerifyOptions{Now: c.Status.AsOf.Add(24 * time.Hour)})
		if err != nil || got.Status != nil || !got.StatusStale {
			t.Errorf("Verify a day on = %+v, %v; want stale by the freshness bound", got, err)
		}
	})
	t.Run("NameRoom counts the end", func(t *testing.T) {
		c := yellowUntil(13 * 24 * time.Hour)
		c.MaskedName = token.CompactName("买****力", c.NameRoom())
		if _, err := shNew.Sign(c); err != nil {
			t.Errorf("Sign with the room NameRoom gave (%d): %v", c.NameRoom(), err)
		}
	})
}

func BenchmarkSign(b *testing.B) {
	c := claims()
	for b.Loop() {
		if _, err := shNew.Sign(c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	tl := trustList(b)
	c := claims()
	text := sign(b, shNew, c)
	opt := token.VerifyOptions{Now: c.IssuedAt}
	for b.Loop() {
		if _, err := tl.Verify(text, opt); err != nil {
			b.Fatal(err)
		}
	}
}

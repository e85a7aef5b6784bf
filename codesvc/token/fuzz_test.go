package token_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/shcommunity/kiosk/codesvc/token"
)

var tokenErrors = []error{
	token.ErrMalformed, token.ErrUnsupportedVersion, token.ErrUnknownKey, token.ErrBadSignature,
	token.ErrExpired, token.ErrNotYetValid, token.ErrKeyNotValidAt,
}

func isTokenError(err error) bool {
	for _, e := range tokenErrors {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func tokenSeeds(t testing.TB) []string {
	return []string{
		sign(t, shNew, claims()),
		sign(t, shNew, longest(false)),
		sign(t, zj, longest(true)),
		sign(t, rogue, claims()),
		sign(t, shNew, yellowUntil(13*24*time.Hour)),
		format1Text(t),
		token.Prefix,
		"SSM9:ABC",
		"",
	}
}

// checkArbitrary runs a text that nobody signed through the decoder and
// the verifier: no panic, only the package's errors, and no success unless
// the text is one of the seeds a real key signed.
func checkArbitrary(t *testing.T, tl *token.TrustList, text string, signed map[string]bool) {
	c, err := token.DecodeUnverified(text)
	if err != nil {
		if !errors.Is(err, token.ErrMalformed) && !errors.Is(err, token.ErrUnsupportedVersion) {
			t.Fatalf("DecodeUnverified(%q): %v is not ErrMalformed or ErrUnsupportedVersion", text, err)
		}
	} else {
		if !utf8.ValidString(c.MaskedName) || len(c.MaskedName) > token.MaxNameBytes || !strings.Contains(c.MaskedName, "*") {
			t.Fatalf("decoded an unfit name %q", c.MaskedName)
		}
		if !c.ExpiresAt.After(c.IssuedAt) {
			t.Fatalf("decoded ExpiresAt %v not after IssuedAt %v", c.ExpiresAt, c.IssuedAt)
		}
	}
	got, err := tl.Verify(text, token.VerifyOptions{Now: t0.Add(2 * 3600e9)})
	if err != nil {
		if !isTokenError(err) {
			t.Fatalf("Verify(%q): %v is not a token error", text, err)
		}
		return
	}
	if !signed[text] {
		t.Fatalf("Verify(%q) accepted a text no key signed: %+v", text, got)
	}
}

func FuzzDecode(f *testing.F) {
	seeds := tokenSeeds(f)
	signed := map[string]bool{}
	for _, s := range seeds {
		f.Add(s)
		signed[s] = true
	}
	tl := trustList(f)
	f.Fuzz(func(t *testing.T, text string) { checkArbitrary(t, tl, text, signed) })
}

// FuzzDecodeBytes fuzzes the binary layout directly, behind a valid prefix
// and base45.
func FuzzDecodeBytes(f *testing.F) {
	seeds := tokenSeeds(f)
	signed := map[string]bool{}
	for _, s := range seeds {
		signed[s] = true
		for _, prefix := range []string{token.Prefix, token.PrefixV1} {
			if body, ok := strings.CutPrefix(s, prefix); ok {
				if b, err := token.DecodeBase45(body); err == nil {
					f.Add(b, prefix == token.PrefixV1)
				}
			}
		}
	}
	tl := trustList(f)
	f.Fuzz(func(t *testing.T, b []byte, format1 bool) {
		prefix := token.Prefix
		if format1 {
			prefix = token.PrefixV1
		}
		checkArbitrary(t, tl, prefix+token.EncodeBase45(b), signed)
	})
}

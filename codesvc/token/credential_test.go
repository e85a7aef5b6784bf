package token_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/skip2/go-qrcode"

	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/pii"
)

func credential() token.Credential {
	return token.Credential{TokenID: tokenID(0xC0), IssuedAt: t0.Add(time.Hour), MaskedName: pii.MaskName("李秀英")}
}

func signCredential(t testing.TB, s *token.Signer, c token.Credential) string {
	t.Helper()
	text, err := s.SignCredential(c)
	if err != nil {
		t.Fatalf("SignCredential: %v", err)
	}
	return text
}

// mutateCredential returns the credential with its binary form changed
// by f.
func mutateCredential(t *testing.T, text string, f func([]byte) []byte) string {
	t.Helper()
	return mutateAfter(t, token.CredentialPrefix, text, f)
}

func TestCredentialRoundTrip(t *testing.T) {
	tl := trustList(t)
	want := credential()
	text := signCredential(t, shNew, want)
	if !strings.HasPrefix(text, token.CredentialPrefix) || len(text) > token.MaxTextLen {
		t.Fatalf("text %q: want the prefix %s and at most %d characters", text, token.CredentialPrefix, token.MaxTextLen)
	}
	if token.KindOf(text) != token.KindCredential {
		t.Errorf("KindOf = %v, want KindCredential", token.KindOf(text))
	}
	got, err := tl.VerifyCredential(text, token.VerifyOptions{Now: want.IssuedAt.Add(time.Minute)})
	if err != nil {
		t.Fatalf("VerifyCredential: %v", err)
	}
	if got.TokenID != want.TokenID || !got.IssuedAt.Equal(want.IssuedAt) || got.MaskedName != want.MaskedName {
		t.Errorf("VerifyCredential = %+v, want %+v", got, want)
	}
	if wantExp := want.IssuedAt.Add(24 * time.Hour); !got.ExpiresAt.Equal(wantExp) {
		t.Errorf("ExpiresAt = %v, want IssuedAt + 24 h = %v", got.ExpiresAt, wantExp)
	}
	if got.KeyID != shNew.KeyID() || got.Issuer != "SH" || got.TokenIDString() != token.FormatTokenID(want.TokenID) {
		t.Errorf("signed by %s/%s as %s", got.KeyID, got.Issuer, got.TokenIDString())
	}
	if _, err := tl.VerifyCredential(text, token.VerifyOptions{Now: want.IssuedAt.Add(24 * time.Hour)}); !errors.Is(err, token.ErrExpired) {
		t.Errorf("at IssuedAt + 24 h: %v, want ErrExpired", err)
	}
	if _, err := tl.VerifyCredential(text, token.VerifyOptions{Now: want.IssuedAt.Add(-6 * time.Minute)}); !errors.Is(err, token.ErrNotYetValid) {
		t.Errorf("6 minutes early: %v, want ErrNotYetValid", err)
	}
	long := want
	long.MaskedName = "买******力"
	if _, err := tl.VerifyCredential(signCredential(t, shNew, long), token.VerifyOptions{Now: want.IssuedAt}); err != nil {
		t.Errorf("a 12-byte name: %v", err)
	}
}

// TestCredentialAndPaperCodeNeverCross: each checker refuses the other
// kind with ErrWrongKind, and no rewriting of the prefix or the kind byte
// makes one verify as the other (the signatures are under different
// Ed25519 schemes).
func TestCredentialAndPaperCodeNeverCross(t *testing.T) {
	tl := trustList(t)
	opt := token.VerifyOptions{Now: t0.Add(time.Hour)}
	cred := signCredential(t, shNew, credential())
	paper := sign(t, shNew, claims())
	if _, err := tl.VerifyCredential(paper, opt); !errors.Is(err, token.ErrWrongKind) {
		t.Errorf("a paper code as a credential: %v, want ErrWrongKind", err)
	}
	if token.KindOf(paper) != token.KindPaperCode || token.KindOf("SSM7:X") != token.KindPaperCode ||
		token.KindOf("HC1:X") != token.KindUnknown || token.KindOf("SSJ") != token.KindUnknown {
		t.Error("KindOf misnames a prefix")
	}
	if _, err := tl.Verify(cred, opt); err == nil {
		t.Error("the paper-code check accepted a credential")
	}
	// The same bytes behind the other prefix, and with the other kind
	// byte: refused by format or by signature, never accepted.
	credBytes, _ := token.DecodeBase45(strings.TrimPrefix(cred, token.CredentialPrefix))
	paperBytes, _ := token.DecodeBase45(strings.TrimPrefix(paper, token.Prefix))
	if _, err := tl.Verify(token.Prefix+token.EncodeBase45(credBytes), opt); !errors.Is(err, token.ErrUnsupportedVersion) {
		t.Errorf("credential bytes behind SSM1: %v, want ErrUnsupportedVersion", err)
	}
	if _, err := tl.VerifyCredential(token.CredentialPrefix+token.EncodeBase45(paperBytes), opt); !errors.Is(err, token.ErrUnsupportedVersion) {
		t.Errorf("paper-code bytes behind SSJ1: %v, want ErrUnsupportedVersion", err)
	}
	relabelled := bytes.Clone(credBytes)
	relabelled[0] = token.FormatVersion
	if _, err := tl.Verify(token.Prefix+token.EncodeBase45(relabelled), opt); err == nil {
		t.Error("a credential relabelled as a paper code verified")
	}
	relabelled = bytes.Clone(paperBytes)
	relabelled[0] = token.CredentialKind
	if _, err := tl.VerifyCredential(token.CredentialPrefix+token.EncodeBase45(relabelled), opt); err == nil {
		t.Error("a paper code relabelled as a credential verified")
	}
}

func TestCredentialFailures(t *testing.T) {
	tl := trustList(t)
	c := credential()
	good := signCredential(t, shNew, c)
	opt := token.VerifyOptions{Now: c.IssuedAt}
	early := c
	early.IssuedAt = t0.Add(-time.Hour) // before sh-2026's window
	for _, tc := range []struct {
		name string
		text string
		want error
	}{
		{"no prefix", strings.TrimPrefix(good, token.CredentialPrefix), token.ErrMalformed},
		{"format 2", "SSJ2:" + strings.TrimPrefix(good, token.CredentialPrefix), token.ErrUnsupportedVersion},
		{"lower case", strings.ToLower(good), token.ErrMalformed},
		{"truncated", mutateCredential(t, good, func(b []byte) []byte { return b[:len(b)-1] }), token.ErrMalformed},
		{"a byte more", mutateCredential(t, good, func(b []byte) []byte { return append(b, 0) }), token.ErrMalformed},
		{"too short", mutateCredential(t, good, func(b []byte) []byte { return b[:40] }), token.ErrMalformed},
		{"empty", token.CredentialPrefix, token.ErrMalformed},
		{"unknown key", signCredential(t, rogue, c), token.ErrUnknownKey},
		{"key outside its window", signCredential(t, shNew, early), token.ErrKeyNotValidAt},
	} {
		if _, err := tl.VerifyCredential(tc.text, opt); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestCredentialEveryByteFlipRefused changes each byte of a valid
// credential in three ways and each base45 character of its text to two
// others: none may verify.
func TestCredentialEveryByteFlipRefused(t *testing.T) {
	tl := trustList(t)
	c := credential()
	good := signCredential(t, shNew, c)
	opt := token.VerifyOptions{Now: c.IssuedAt}
	assertFlipsRefused(t, good, token.CredentialPrefix, func(text string) (any, error) { return tl.VerifyCredential(text, opt) })
}

func TestSignCredentialRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*token.Credential)
		want error
	}{
		{"zero token ID", func(c *token.Credential) { c.TokenID = [12]byte{} }, token.ErrInvalidClaims},
		{"plain name", func(c *token.Credential) { c.MaskedName = "李秀英" }, token.ErrInvalidClaims},
		{"an ID number for a name", func(c *token.Credential) { c.MaskedName = "3*0101194901011234" }, token.ErrInvalidClaims},
		{"before the epoch", func(c *token.Credential) { c.IssuedAt = token.Epoch.Add(-time.Second) }, token.ErrInvalidClaims},
		{"half an hour", func(c *token.Credential) { c.ExpiresAt = c.IssuedAt.Add(90 * time.Minute) }, token.ErrInvalidClaims},
		{"256 hours", func(c *token.Credential) { c.ExpiresAt = c.IssuedAt.Add(256 * time.Hour) }, token.ErrInvalidClaims},
		{"a name too long", func(c *token.Credential) { c.MaskedName = "买*******力" }, token.ErrInvalidClaims},
	} {
		c := credential()
		tc.edit(&c)
		if _, err := shNew.SignCredential(c); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// checkArbitraryCredential runs a text nobody signed through the
// credential's decoder and verifier: no panic, only the package's errors,
// and no success unless a real key signed it.
func checkArbitraryCredential(t *testing.T, tl *token.TrustList, text string, signed map[string]bool) {
	c, err := token.DecodeCredentialUnverified(text)
	if err != nil {
		if !errors.Is(err, token.ErrMalformed) && !errors.Is(err, token.ErrUnsupportedVersion) && !errors.Is(err, token.ErrWrongKind) {
			t.Fatalf("DecodeCredentialUnverified(%q): %v", text, err)
		}
	} else if !c.ExpiresAt.After(c.IssuedAt) || token.CheckMaskedName(c.MaskedName) != nil {
		t.Fatalf("decoded an unfit credential %+v", c)
	}
	got, err := tl.VerifyCredential(text, token.VerifyOptions{Now: t0.Add(2 * time.Hour)})
	if err != nil {
		if !isTokenError(err) && !errors.Is(err, token.ErrWrongKind) {
			t.Fatalf("VerifyCredential(%q): %v is not a token error", text, err)
		}
		return
	}
	if !signed[text] {
		t.Fatalf("VerifyCredential(%q) accepted a text no key signed: %+v", text, got)
	}
}

func credentialSeeds(t testing.TB) []string {
	long := credential()
	long.MaskedName = "买******力"
	return []string{
		signCredential(t, shNew, credential()),
		signCredential(t, zj, long),
		signCredential(t, rogue, credential()),
		sign(t, shNew, claims()),
		token.CredentialPrefix,
		"SSJ9:ABC",
		"",
	}
}

func FuzzDecodeCredential(f *testing.F) {
	signed := map[string]bool{}
	for _, s := range credentialSeeds(f) {
		f.Add(s)
		signed[s] = true
	}
	tl := trustList(f)
	f.Fuzz(func(t *testing.T, text string) { checkArbitraryCredential(t, tl, text, signed) })
}

// FuzzDecodeCredentialBytes fuzzes the binary layout behind a valid
// prefix and base45.
func FuzzDecodeCredentialBytes(f *testing.F) {
	signed := map[string]bool{}
	for _, s := range credentialSeeds(f) {
		signed[s] = true
		if b, err := token.DecodeBase45(strings.TrimPrefix(s, token.CredentialPrefix)); err == nil {
			f.Add(b)
		}
	}
	tl := trustList(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		checkArbitraryCredential(t, tl, token.CredentialPrefix+token.EncodeBase45(b), signed)
	})
}

// TestCredentialQRSize measures the QR code of a typical and of the
// largest credential, and reads each back.
func TestCredentialQRSize(t *testing.T) {
	long := credential()
	long.MaskedName = "买******力"
	for _, c := range []token.Credential{credential(), long} {
		text := signCredential(t, shNew, c)
		raw, _ := token.DecodeBase45(strings.TrimPrefix(text, token.CredentialPrefix))
		q, err := qrcode.New(text, qrcode.Medium)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("QR: name %q (%d bytes): %d bytes, %d characters, QR version %d-M",
			c.MaskedName, len(c.MaskedName), len(raw), len(text), q.VersionNumber)
		if q.VersionNumber > 6 || len(text) > token.MaxTextLen {
			t.Errorf("QR version %d, %d characters; want at most 6 and %d", q.VersionNumber, len(text), token.MaxTextLen)
		}
		if got := readQR(t, q); got != text {
			t.Errorf("QR reads back as %q, want %q", got, text)
		}
	}
}

// TestCredentialGolden pins the worked example of docs/token.md, "The
// medical-visit credential" (go test -update rewrites it).
func TestCredentialGolden(t *testing.T) {
	c := credential()
	text := signCredential(t, shNew, c)
	checkGolden(t, "credential_v1.golden", "credential", worked(shNew.KeyID(), c.TokenIDString(), token.CredentialPrefix, text))
}

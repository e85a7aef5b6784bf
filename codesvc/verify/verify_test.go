package verify_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/codesvc/verify"
	"github.com/shcommunity/kiosk/healthcode"
)

var (
	t0   = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	root = ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
)

func signer(t *testing.T, label string) *token.Signer {
	t.Helper()
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, label)
	priv := ed25519.NewKeyFromSeed(seed)
	return token.NewSigner("SH", token.KeyIDFor(priv.Public().(ed25519.PublicKey)), priv)
}

func trustList(t *testing.T, keys ...token.TrustedKey) *token.TrustList {
	t.Helper()
	data, err := token.SignTrustList(token.TrustList{Issuer: "SH", Version: 1, IssuedAt: t0, Keys: keys}, root)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := token.ParseTrustList(data, root.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

// fake answers the service's questions about a token ID from a map, as
// a verify.Live (fakeLive) or a verify.Registry (fakeRegistry): a
// cancelled context gives its error, a missing token ID err. It keeps the
// token IDs it was asked about.
type fake[V any] struct {
	answers map[string]V
	err     error
	asked   []string
}

type (
	fakeLive     = fake[verify.LiveStatus]
	fakeRegistry = fake[verify.Registration]
)

func (f *fake[V]) answer(ctx context.Context, tokenID string) (V, error) {
	f.asked = append(f.asked, tokenID)
	var none V
	if err := ctx.Err(); err != nil {
		return none, err
	}
	v, ok := f.answers[tokenID]
	if !ok {
		return none, f.err
	}
	return v, nil
}

func (f *fake[V]) TokenStatus(ctx context.Context, tokenID string) (V, error) {
	return f.answer(ctx, tokenID)
}

func (f *fake[V]) Registration(ctx context.Context, tokenID string) (V, error) {
	return f.answer(ctx, tokenID)
}

func TestVerify(t *testing.T) {
	s := signer(t, "sh")
	tl := trustList(t, s.TrustedKey(time.Time{}, time.Time{}))
	issued := t0.Add(time.Hour)
	mk := func(id byte, colour healthcode.Colour) (string, string) {
		c := token.Claims{TokenID: [12]byte{id, 1, 2, 3}, IssuedAt: issued, MaskedName: "李*英"}
		if colour != "" {
			c.Status = &token.StatusClaim{Colour: colour, AsOf: issued, Version: 2}
		}
		text, err := s.Sign(c)
		if err != nil {
			t.Fatal(err)
		}
		return text, c.TokenIDString()
	}
	green, greenID := mk(1, healthcode.Green)
	yellow, yellowID := mk(2, healthcode.Yellow)
	bare, bareID := mk(3, "")
	revoked, revokedID := mk(4, healthcode.Green)
	superseded, supersededID := mk(5, healthcode.Green)
	expiredLive, expiredLiveID := mk(6, healthcode.Green)
	odd, oddID := mk(7, healthcode.Green)
	noColour, noColourID := mk(8, healthcode.Green)
	forged := green[:len(green)-2] + "00"

	live := &fakeLive{err: errors.New("service unavailable"), answers: map[string]verify.LiveStatus{
		greenID:       {State: verify.StateActive, Status: rules.Status{Colour: healthcode.Red, Reason: rules.ReasonConfirmed, AsOf: issued}, MaskedName: "李*英"},
		yellowID:      {State: verify.StateActive, Status: rules.Status{Colour: healthcode.Green, Reason: rules.ReasonClear}},
		bareID:        {State: verify.StateActive, Status: rules.Status{Colour: healthcode.Yellow, Reason: rules.ReasonArrivalKeyArea}},
		revokedID:     {State: verify.StateRevoked},
		supersededID:  {State: verify.StateSuperseded},
		expiredLiveID: {State: verify.StateExpired},
		oddID:         {State: "suspended"},
		noColourID:    {State: verify.StateActive},
	}}
	soon := issued.Add(2 * time.Hour)
	stale := issued.Add(25 * time.Hour)
	tests := []struct {
		name       string
		live       verify.Live
		now        time.Time
		text       string
		wantErr    error
		wantColour healthcode.Colour
		wantSource string
		wantText   []string // substrings of the explanation
		wantClaims bool
	}{
		{"online: live colour beats the claim", live, soon, green, nil, healthcode.Red, verify.SourceLive, []string{"红码", "red"}, true},
		{"online: live green over a yellow claim", live, stale, yellow, nil, healthcode.Green, verify.SourceLive, []string{"Live"}, true},
		{"online: no claim needed", live, soon, bare, nil, healthcode.Yellow, verify.SourceLive, []string{"黄码"}, true},
		{"online: revoked", live, soon, revoked, verify.ErrRevoked, "", verify.SourceLive, []string{"挂失", "lost"}, true},
		{"online: superseded", live, soon, superseded, verify.ErrSuperseded, "", verify.SourceLive, []string{"新码", "newer"}, true},
		{"online: expired at the service", live, soon, expiredLive, token.ErrExpired, "", verify.SourceLive, []string{"过期", "expired"}, true},
		{"online: unknown state", live, soon, odd, verify.ErrLiveState, "", verify.SourceLive, []string{"unknown state"}, true},
		{"online: active but no colour", live, soon, noColour, nil, "", verify.SourceNone, []string{"no colour"}, true},
		{"online: forged paper never reaches the service", live, soon, forged, token.ErrBadSignature, "", verify.SourceNone, []string{"签名无效", "forged"}, false},
		{"online: expired paper", live, issued.Add(token.DefaultValidity), green, token.ErrExpired, "", verify.SourceNone, []string{"expired"}, false},
		{"offline: fresh claim", nil, soon, green, nil, healthcode.Green, verify.SourceClaim, []string{"绿码", "2026-03-01 18:30", "as of", "not live", "Offline"}, true},
		{"offline: stale claim", nil, stale, green, nil, "", verify.SourceNone, []string{"过时", "out of date", "cannot be verified"}, true},
		{"offline: no claim", nil, soon, bare, nil, "", verify.SourceNone, []string{"没有状态", "cannot be verified"}, true},
		{"service down: fresh claim", &fakeLive{err: errors.New("connection refused")}, soon, yellow, nil, healthcode.Yellow, verify.SourceClaim, []string{"did not answer", "黄码"}, true},
		{"service down: stale claim", &fakeLive{err: errors.New("connection refused")}, stale, green, nil, "", verify.SourceNone, []string{"did not answer", "out of date"}, true},
		{"malformed", live, soon, "hello", token.ErrMalformed, "", verify.SourceNone, []string{"not a paper health code"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &verify.Verifier{Trust: tl, Live: tc.live, Now: func() time.Time { return tc.now }}
			res, err := v.Verify(context.Background(), tc.text)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("Verify error = %v, want %v", err, tc.wantErr)
			}
			if res.Colour != tc.wantColour || res.Source != tc.wantSource {
				t.Errorf("colour %q from %q, want %q from %q", res.Colour, res.Source, tc.wantColour, tc.wantSource)
			}
			if (res.Claims != nil) != tc.wantClaims {
				t.Errorf("claims %+v, want present %v", res.Claims, tc.wantClaims)
			}
			for _, w := range tc.wantText {
				if !strings.Contains(res.Explanation, w) {
					t.Errorf("explanation %q lacks %q", res.Explanation, w)
				}
			}
			if strings.Contains(res.Explanation, "李") {
				t.Errorf("explanation %q names the resident", res.Explanation)
			}
		})
	}
	for _, id := range live.asked {
		if id == "" {
			t.Errorf("asked the service about an empty token ID")
		}
	}
}

// TestNeverStaleGreen sweeps the clock across the freshness bound offline:
// a green claim is shown only strictly inside 24 hours of its as-of time.
func TestNeverStaleGreen(t *testing.T) {
	s := signer(t, "sh")
	tl := trustList(t, s.TrustedKey(time.Time{}, time.Time{}))
	asOf := t0
	text, err := s.Sign(token.Claims{TokenID: [12]byte{9}, IssuedAt: t0, MaskedName: "张*",
		Status: &token.StatusClaim{Colour: healthcode.Green, AsOf: asOf, Version: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []time.Duration{0, time.Hour, 24*time.Hour - time.Nanosecond, 24 * time.Hour, 24*time.Hour + time.Second, 30 * 24 * time.Hour} {
		now := asOf.Add(d)
		v := &verify.Verifier{Trust: tl, Now: func() time.Time { return now }}
		res, err := v.Verify(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		fresh := d < 24*time.Hour
		if (res.Colour == healthcode.Green) != fresh {
			t.Errorf("after %v: colour %q, want green only while fresh (%v)", d, res.Colour, fresh)
		}
	}
}

func TestVerifyCancelled(t *testing.T) {
	s := signer(t, "sh")
	tl := trustList(t, s.TrustedKey(time.Time{}, time.Time{}))
	text, err := s.Sign(token.Claims{TokenID: [12]byte{9}, IssuedAt: t0, MaskedName: "张*",
		Status: &token.StatusClaim{Colour: healthcode.Green, AsOf: t0, Version: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	v := &verify.Verifier{Trust: tl, Live: &fakeLive{}, Now: func() time.Time { return t0 }}
	res, err := v.Verify(ctx, text)
	if !errors.Is(err, context.Canceled) || res.Colour != "" {
		t.Errorf("Verify = %+v, %v; want no colour and context.Canceled", res, err)
	}
}

func TestExplainCoversEveryError(t *testing.T) {
	generic := verify.Explain(errors.New("something else"))
	for _, err := range []error{token.ErrMalformed, token.ErrUnsupportedVersion, token.ErrUnknownKey,
		token.ErrBadSignature, token.ErrExpired, token.ErrNotYetValid, token.ErrKeyNotValidAt,
		verify.ErrRevoked, verify.ErrSuperseded} {
		got := verify.Explain(err)
		if got == generic || got == "" {
			t.Errorf("Explain(%v) = %q: no specific text", err, got)
		}
	}
	if verify.Explain(nil) != "" {
		t.Errorf("Explain(nil) = %q, want empty", verify.Explain(nil))
	}
}

func BenchmarkVerifyOffline(b *testing.B) {
	seed := make([]byte, ed25519.SeedSize)
	priv := ed25519.NewKeyFromSeed(seed)
	s := token.NewSigner("SH", token.KeyIDFor(priv.Public().(ed25519.PublicKey)), priv)
	data, _ := token.SignTrustList(token.TrustList{Issuer: "SH", Version: 1, IssuedAt: t0, Keys: []token.TrustedKey{s.TrustedKey(time.Time{}, time.Time{})}}, root)
	tl, err := token.ParseTrustList(data, root.Public().(ed25519.PublicKey))
	if err != nil {
		b.Fatal(err)
	}
	text, err := s.Sign(token.Claims{TokenID: [12]byte{9}, IssuedAt: t0, MaskedName: "张*三",
		Status: &token.StatusClaim{Colour: healthcode.Green, AsOf: t0, Version: 1}})
	if err != nil {
		b.Fatal(err)
	}
	v := &verify.Verifier{Trust: tl, Now: func() time.Time { return t0.Add(time.Hour) }}
	ctx := context.Background()
	for b.Loop() {
		if res, err := v.Verify(ctx, text); err != nil || res.Colour != healthcode.Green {
			b.Fatal(res, err)
		}
	}
}

// TestUnknownTokenOfHomeIssuer: the home service's "never issued" refuses
// a genuine-looking token of its own issuer (only a leaked key signs one),
// while a token of another region's key, which the home service cannot
// know, still falls back to its fresh claim.
func TestUnknownTokenOfHomeIssuer(t *testing.T) {
	home := signer(t, "sh")
	priv := ed25519.NewKeyFromSeed(append([]byte("zj"), make([]byte, ed25519.SeedSize-2)...))
	other := token.NewSigner("ZJ", token.KeyIDFor(priv.Public().(ed25519.PublicKey)), priv)
	tl := trustList(t, home.TrustedKey(time.Time{}, time.Time{}), other.TrustedKey(time.Time{}, time.Time{}))
	issued := t0.Add(time.Hour)
	live := &fakeLive{err: verify.ErrUnknownToken}
	for _, tc := range []struct {
		name    string
		s       *token.Signer
		wantErr error
		want    healthcode.Colour
	}{
		{"home issuer", home, verify.ErrUnknownToken, ""},
		{"other issuer", other, nil, healthcode.Green},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, err := tc.s.Sign(token.Claims{TokenID: [12]byte{9}, IssuedAt: issued, MaskedName: "李*英",
				Status: &token.StatusClaim{Colour: healthcode.Green, AsOf: issued, Version: 1}})
			if err != nil {
				t.Fatal(err)
			}
			v := &verify.Verifier{Trust: tl, Live: live, Now: func() time.Time { return issued.Add(time.Minute) }}
			res, err := v.Verify(context.Background(), text)
			if !errors.Is(err, tc.wantErr) || res.Colour != tc.want {
				t.Errorf("colour %q, err %v; want %q, %v", res.Colour, err, tc.want, tc.wantErr)
			}
			if tc.wantErr != nil && !strings.Contains(res.Explanation, "forged") {
				t.Errorf("explanation %q does not say forged", res.Explanation)
			}
		})
	}
}

package verify_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/codesvc/verify"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/pii"
)

// TestVenueRefusesCredential: a venue checker refuses a medical-visit
// credential with ErrWrongKind and says why, without asking the service.
func TestVenueRefusesCredential(t *testing.T) {
	s := signer(t, "sh")
	tl := trustList(t, s.TrustedKey(time.Time{}, time.Time{}))
	c := token.Credential{TokenID: [12]byte{9, 1, 2, 3}, IssuedAt: t0.Add(time.Hour), MaskedName: "李*英"}
	text, err := s.SignCredential(c)
	if err != nil {
		t.Fatal(err)
	}
	live := &fakeLive{answers: map[string]verify.LiveStatus{c.TokenIDString(): {State: verify.StateActive}}}
	v := &verify.Verifier{Trust: tl, Live: live, Now: func() time.Time { return t0.Add(2 * time.Hour) }}
	res, err := v.Verify(context.Background(), text)
	if !errors.Is(err, token.ErrWrongKind) {
		t.Fatalf("Verify(credential) = %v, want ErrWrongKind", err)
	}
	if res.Colour != "" || res.Claims != nil || len(live.asked) != 0 {
		t.Errorf("result %+v, asked %v; want no colour, no claims and no question to the service", res, live.asked)
	}
	if !strings.Contains(res.Explanation, "就医凭证") || !strings.Contains(res.Explanation, "not a paper health code") {
		t.Errorf("explanation %q does not say it is a medical-visit credential", res.Explanation)
	}
}

func TestDesk(t *testing.T) {
	s := signer(t, "sh")
	tl := trustList(t, s.TrustedKey(time.Time{}, time.Time{}))
	issued := t0.Add(time.Hour)
	mk := func(id byte) (string, string) {
		c := token.Credential{TokenID: [12]byte{id, 7, 7, 7}, IssuedAt: issued, MaskedName: "李*英"}
		text, err := s.SignCredential(c)
		if err != nil {
			t.Fatal(err)
		}
		return text, c.TokenIDString()
	}
	active, activeID := mk(1)
	expired, expiredID := mk(2)
	revoked, revokedID := mk(3)
	unknown, _ := mk(4)
	paper, err := s.Sign(token.Claims{TokenID: [12]byte{5}, IssuedAt: issued, MaskedName: "李*英",
		Status: &token.StatusClaim{Colour: healthcode.Green, AsOf: issued}})
	if err != nil {
		t.Fatal(err)
	}
	born := time.Date(1949, 10, 1, 0, 0, 0, 0, time.UTC)
	reg := &fakeRegistry{err: fmt.Errorf("not found: %w", verify.ErrUnknownToken), answers: map[string]verify.Registration{
		activeID:  {State: verify.StateActive, Name: pii.Name("李秀英"), Gender: verify.GenderFemale, BirthDate: born, CardNumber: "A12345678"},
		expiredID: {State: verify.StateExpired},
		revokedID: {State: verify.StateRevoked},
	}}
	now := issued.Add(time.Hour)
	d := &verify.Desk{Trust: tl, Registry: reg, Now: func() time.Time { return now }}
	ctx := context.Background()

	res, err := d.Check(ctx, active)
	if err != nil || res.Registration == nil || res.Registration.Name.Reveal() != "李秀英" || !res.Registration.BirthDate.Equal(born) ||
		res.Registration.CardNumber != "A12345678" || res.Credential.MaskedName != "李*英" {
		t.Fatalf("active credential: %+v, %v", res, err)
	}
	if strings.Contains(res.Explanation, "李秀英") || strings.Contains(fmt.Sprint(res.Registration.Name), "秀") {
		t.Errorf("the name leaks into the explanation or a print: %q, %v", res.Explanation, res.Registration.Name)
	}
	for _, tc := range []struct {
		name, text string
		want       error
	}{
		{"a paper code", paper, token.ErrWrongKind},
		{"expired at the service", expired, token.ErrExpired},
		{"key revoked", revoked, verify.ErrRevoked},
		{"never issued", unknown, verify.ErrUnknownToken},
		{"tampered", active[:len(active)-1] + "0", token.ErrBadSignature},
	} {
		res, err := d.Check(ctx, tc.text)
		if !errors.Is(err, tc.want) || res.Registration != nil || res.Explanation == "" {
			t.Errorf("%s: %+v, %v; want %v, no registration and an explanation", tc.name, res, err, tc.want)
		}
	}
	if _, err := d.Check(ctx, paper); !strings.Contains(verify.ExplainCredential(err), "paper health code") {
		t.Errorf("a paper code's explanation: %q", verify.ExplainCredential(err))
	}
	asked := len(reg.asked)
	d.Now = func() time.Time { return issued.Add(24 * time.Hour) }
	if _, err := d.Check(ctx, active); !errors.Is(err, token.ErrExpired) || len(reg.asked) != asked {
		t.Errorf("after 24 hours: %v (asked %d more); want ErrExpired offline", err, len(reg.asked)-asked)
	}
	d.Now, d.Registry = func() time.Time { return now }, nil
	if res, err := d.Check(ctx, active); !errors.Is(err, verify.ErrOffline) || res.Credential == nil || res.Registration != nil {
		t.Errorf("offline: %+v, %v; want the credential verified, no registration, ErrOffline", res, err)
	}
	d.Registry = &fakeRegistry{err: errors.New("connection refused")}
	if _, err := d.Check(ctx, active); !errors.Is(err, verify.ErrOffline) {
		t.Errorf("service down: %v, want ErrOffline", err)
	}
}

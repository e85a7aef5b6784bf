package syncer_test

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/codesvc/verify"
	"github.com/shcommunity/kiosk/healthcode"
)

// TestFinding4KioskRefusesAfterPull: once a leaked signing key is revoked
// at the service, a kiosk's next sync pulls the new trust list (the feed
// announces its version), and the kiosk's offline venue check refuses a
// token forged with that key.
func TestFinding4KioskRefusesAfterPull(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	k := newKiosk(t, s, "", start)
	if err := k.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	keys, err := s.svc.Store.SigningKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	leaked := keys[len(keys)-1]
	var tid [12]byte
	rand.Read(tid[:])
	now := s.clk.Now()
	forged, err := token.NewSigner(leaked.Issuer, leaked.KeyID, leaked.PrivateKey).Sign(token.Claims{TokenID: tid,
		IssuedAt: now, ExpiresAt: now.Add(token.DefaultValidity), MaskedName: "王*",
		Status: &token.StatusClaim{Colour: healthcode.Green, AsOf: now, Version: 1}})
	if err != nil {
		t.Fatal(err)
	}
	offline := func() (verify.Result, error) {
		tl, err := k.eng.TrustList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return (&verify.Verifier{Trust: tl, Now: k.eng.Clock().Now}).Verify(ctx, forged)
	}
	if res, err := offline(); err != nil || res.Colour != healthcode.Green {
		t.Fatalf("before the revocation the forgery passes offline (the reason for revoking): %+v, %v", res, err)
	}
	if _, err := s.svc.RevokeKey(ctx, leaked.KeyID); err != nil {
		t.Fatal(err)
	}
	if err := k.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if res, err := offline(); !errors.Is(err, token.ErrUnknownKey) || res.Colour != "" {
		t.Errorf("after the next pull: colour %q, err %v; want ErrUnknownKey", res.Colour, err)
	}
}

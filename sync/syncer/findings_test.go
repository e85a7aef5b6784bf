package syncer_test

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/codesvc/verify"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/sync/syncer"
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

// replayTrustList answers GET /v1/trust-list with an old signed list, as
// a lagging mirror or someone replaying a captured answer would.
type replayTrustList struct {
	old  []byte
	next http.Handler
}

func (r replayTrustList) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.URL.Path == "/v1/trust-list" {
		w.Header().Set("Content-Type", "application/json")
		w.Write(r.old)
		return
	}
	r.next.ServeHTTP(w, req)
}

// TestFinding2OldTrustListRefused: the kiosk stored whatever trust list
// it fetched, so an older list (genuinely signed, from before a key was
// revoked) could bring the revoked key back. A list not newer than the
// one held is refused now, and the held one stays.
func TestFinding2OldTrustListRefused(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	k := newKiosk(t, s, "", start)
	old, _, err := s.svc.SignedTrustList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := s.svc.Store.SigningKeys(ctx)
	leaked := keys[0].KeyID
	if _, err := s.svc.RevokeKey(ctx, leaked); err != nil {
		t.Fatal(err)
	}
	if err := k.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	s.clk.Add(time.Minute)
	if _, err := s.svc.RotateKey(ctx); err != nil { // a newer list is announced
		t.Fatal(err)
	}
	s.faults.next = replayTrustList{old: old, next: s.faults.next}
	if err := k.eng.SyncOnce(ctx); !errors.Is(err, syncer.ErrOldTrustList) {
		t.Errorf("sync with an old list served: %v, want ErrOldTrustList", err)
	}
	tl, err := k.eng.TrustList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tl.Key(leaked); ok {
		t.Error("the revoked key came back with the old list")
	}
}

// TestFinding2ClockBound: the kiosk's service clock moves only within
// client.MaxSkew, whatever an answer says.
func TestFinding2ClockBound(t *testing.T) {
	now := start
	c := syncer.NewClock(func() time.Time { return now }, 0)
	c.Observe(now.Add(10*24*time.Hour), now)
	if c.Skew() != 0 {
		t.Errorf("an answer 10 days ahead moved the clock by %v", c.Skew())
	}
	c.Observe(now.Add(-client.MaxSkew-time.Second), now)
	if c.Skew() != 0 {
		t.Errorf("an answer past the bound moved the clock by %v", c.Skew())
	}
	c.Observe(now.Add(8*time.Hour), now) // a kiosk a time zone off
	if c.Skew() != 8*time.Hour {
		t.Errorf("skew %v, want 8h", c.Skew())
	}
}

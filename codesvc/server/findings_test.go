package server_test

// The findings of the security review (docs/security.md, "Findings"),
// each as the attack it reproduced, sent to the real HTTP handler, and
// now refused.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/codesvc/verify"
	"github.com/shcommunity/kiosk/healthcode"
)

// TestFinding5TimestampOverflow: a timestamp 2^64 nanoseconds (about 584
// years) ahead made time.Duration(now-ts)*time.Second wrap to a fraction
// of a second, so the request was inside the window, and its nonce, kept
// until that far-off timestamp left the window, was forgotten at the
// next restart while the timestamp still passed: a replayable request.
func TestFinding5TimestampOverflow(t *testing.T) {
	e := newEnv(t, server.Options{})
	body := []byte(`{"id_number":"` + idNumber(t, "19480314", 1).Reveal() + `","purpose":"counter_service"}`)
	now := e.clk.Now().Unix()
	const wrap = 18446744074 // seconds: just over 2^64 ns
	far := time.Unix(now+wrap, 0)
	if d := time.Duration(now-far.Unix()) * time.Second; d > server.Window || d < -server.Window {
		t.Fatalf("the attack's timestamp no longer wraps into the window (%v): fix the test", d)
	}
	for _, tc := range []struct {
		name       string
		ts         time.Time
		wantStatus int
		want       api.Code
	}{
		{"wrapping timestamp, 11 digits", far, 401, api.CodeAuthMalformed},
		{"largest 10-digit timestamp", time.Unix(9999999999, 0), 401, api.CodeClockSkew},
		{"one second past the window", time.Unix(now+int64(server.Window/time.Second)+1, 0), 401, api.CodeClockSkew},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, code := rawSigned(t, e, e.c, "POST", "/v1/status", body, body, tc.ts, nonce())
			if st != tc.wantStatus || code != tc.want {
				t.Errorf("got %d %s, want %d %s", st, code, tc.wantStatus, tc.want)
			}
		})
	}
	t.Run("inside the window still works", func(t *testing.T) {
		if st, code := rawSigned(t, e, e.c, "POST", "/v1/status", body, body, time.Unix(now+int64(server.Window/time.Second), 0), nonce()); st != 200 {
			t.Errorf("got %d %s, want 200", st, code)
		}
	})
}

// TestFinding8StrictJSON: encoding/json matched keys without regard to
// case and kept the last of two equal keys, so a body could mean one
// thing to the service and another to a proxy, a log or a second reader;
// a sealed enrolment could carry two actors. Both are refused now, in
// request bodies and in sealed payloads.
func TestFinding8StrictJSON(t *testing.T) {
	e := newEnv(t, server.Options{})
	a, b := idNumber(t, "19480314", 1).Reveal(), idNumber(t, "19500101", 2).Reveal()
	for _, tc := range []struct{ name, body string }{
		{"key in upper case", `{"ID_NUMBER":"` + a + `"}`},
		{"key in mixed case", `{"Id_Number":"` + a + `"}`},
		{"duplicate key", `{"id_number":"` + a + `","id_number":"` + b + `"}`},
		{"duplicate key, differing in case", `{"id_number":"` + a + `","ID_number":"` + b + `"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if st, code := signedDo(t, e, "POST", "/v1/status", tc.body); st != 400 || code != api.CodeBadRequest {
				t.Errorf("got %d %s, want 400 bad_request", st, code)
			}
		})
	}
	t.Run("nested duplicate in a sealed enrolment", func(t *testing.T) {
		p := e.payload(idNumber(t, "19550922", 7), "李秀英")
		good, _ := json.Marshal(p)
		// A second actor after the first: the last one would have won.
		raw := strings.Replace(string(good), `"actor":{`, `"actor":{"kind":"worker","worker_id":"w1"},"actor":{`, 1)
		resp, err := e.c.Enrol(context.Background(), []api.EnrolmentItem{e.sealItem("dup-actor-1", json.RawMessage(raw))})
		if err != nil {
			t.Fatal(err)
		}
		if r := resp.Results[0]; r.Outcome != api.OutcomeRejected || r.Reason != api.ReasonBadPayload {
			t.Errorf("got %+v, want rejected bad_payload", r)
		}
	})
	t.Run("exact keys still work", func(t *testing.T) {
		if st, code := signedDo(t, e, "POST", "/v1/status", fmt.Sprintf(` {"id_number": %q, "purpose": "counter_service"} `, a)); st != 200 {
			t.Errorf("got %d %s, want 200", st, code)
		}
	})
}

// TestFinding4LeakedKey: a venue check that could not get a live answer
// trusted the colour claimed in the token, and it took any error for "no
// answer", the service's definite unknown_token included: a token forged
// with a leaked signing key showed its own green. And a leaked key could
// not be removed: rotate-key kept it trusted for the life of its tokens.
// Now unknown_token from the home issuer is a refusal, and `admin
// revoke-key` takes the key out of the trust list at once; its forgeries
// are refused online and, from the next trust-list pull, offline.
func TestFinding4LeakedKey(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	id := idNumber(t, "19550922", 7)
	e.enrol(id, "李秀英")
	genuine, err := e.c.IssueToken(ctx, api.IssueTokenRequest{IDNumber: id.Reveal()})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := e.svc.Store.SigningKeys(ctx)
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys = %d, %v", len(keys), err)
	}
	leaked := keys[0]
	now := e.clk.Now()
	forge := func() string {
		t.Helper()
		var tid [12]byte
		rand.Read(tid[:])
		text, err := token.NewSigner(leaked.Issuer, leaked.KeyID, leaked.PrivateKey).Sign(token.Claims{TokenID: tid,
			IssuedAt: now, ExpiresAt: now.Add(token.DefaultValidity), MaskedName: "王*",
			Status: &token.StatusClaim{Colour: healthcode.Green, AsOf: now, Version: 1}})
		if err != nil {
			t.Fatal(err)
		}
		return text
	}
	trust := func() *token.TrustList {
		t.Helper()
		raw, err := e.c.TrustList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tl, err := token.ParseTrustList(raw, e.root)
		if err != nil {
			t.Fatal(err)
		}
		return tl
	}
	check := func(tl *token.TrustList, live verify.Live, text string) (verify.Result, error) {
		v := &verify.Verifier{Trust: tl, Now: e.clk.Now}
		if live != nil {
			v.Live = live
		}
		return v.Verify(ctx, text)
	}

	before := trust()
	forged := forge()
	res, err := check(before, e.c, forged)
	if !errors.Is(err, verify.ErrUnknownToken) || res.Colour != "" {
		t.Errorf("forged token online, key not yet revoked: colour %q, err %v; want refused as unknown", res.Colour, err)
	}
	if res, err := check(before, e.c, genuine.Text); err != nil || res.Source != verify.SourceLive {
		t.Fatalf("genuine token online: %+v, %v", res, err)
	}

	version, err := e.svc.RevokeKey(ctx, leaked.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	after := trust()
	if after.Version != version || after.Version <= before.Version {
		t.Errorf("trust list version %d after revocation (said %d), before %d: it must grow", after.Version, version, before.Version)
	}
	if _, ok := after.Key(leaked.KeyID); ok {
		t.Error("the revoked key is still in the trust list")
	}
	feed, err := e.c.Feed(ctx, "", 0)
	if err != nil || feed.TrustListVersion != after.Version {
		t.Errorf("feed announces trust list %d, %v; want %d", feed.TrustListVersion, err, after.Version)
	}
	for name, text := range map[string]string{"forged": forge(), "genuine but of the leaked key": genuine.Text} {
		for mode, live := range map[string]verify.Live{"online": e.c, "offline": nil} {
			if res, err := check(after, live, text); !errors.Is(err, token.ErrUnknownKey) || res.Colour != "" {
				t.Errorf("%s token %s after revocation: colour %q, err %v; want ErrUnknownKey", name, mode, res.Colour, err)
			}
		}
	}
	// A checker still on the old list asks the service, which refuses
	// the old key's genuine papers at once.
	if _, err := check(before, e.c, genuine.Text); !errors.Is(err, verify.ErrRevoked) {
		t.Errorf("genuine token of the revoked key, checker on the old list: %v, want ErrRevoked", err)
	}
	fresh, err := e.c.IssueToken(ctx, api.IssueTokenRequest{IDNumber: id.Reveal(), Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := check(after, e.c, fresh.Text); err != nil || res.Colour == "" || fresh.KeyID == leaked.KeyID {
		t.Errorf("a paper issued after the revocation (key %s): %+v, %v", fresh.KeyID, res, err)
	}
}

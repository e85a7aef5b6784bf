package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/token"
)

// TestResidentCodes: a worker at a counter sees the resident's paper
// codes, newest first, each with when and where it was issued and its
// state now (superseded, revoked, expired, active); the
// look is recorded with the worker. A self-service kiosk, a counter
// without a worker session and a resident the service does not know are
// refused.
func TestResidentCodes(t *testing.T) {
	e, a, b := walkEnv(t)
	ctx := context.Background()
	self, _ := e.registerAs("自助机 2", api.RoleSelfService)
	issue := func(c *client.Client, p api.Purpose) string {
		t.Helper()
		tok, err := c.IssueToken(client.WithPurpose(ctx, p), api.IssueTokenRequest{IDNumber: a.Reveal(), Purpose: p, Replace: true})
		if err != nil {
			t.Fatal(err)
		}
		return tok.TokenID
	}
	first := issue(self, api.PurposeSelfService)
	firstAt := e.clk.Now().Truncate(time.Second)
	e.clk.Add(time.Hour)
	second := issue(e.c, api.PurposeCounter) // supersedes the first
	secondAt := e.clk.Now().Truncate(time.Second)
	e.clk.Add(time.Hour)
	if _, err := e.c.ReportLost(client.WithPurpose(e.worker(), api.PurposeCounter), api.LostRequest{IDNumber: a.Reveal(), WorkerID: "w1"}); err != nil {
		t.Fatal(err)
	}
	lostAt := e.clk.Now()
	e.clk.Add(time.Hour)
	third := issue(e.c, api.PurposeCounter)
	wctx := client.WithPurpose(e.worker(), api.PurposeCounter)
	got, err := e.c.ResidentCodes(wctx, a, "w1")
	if err != nil {
		t.Fatal(err)
	}
	want := []api.CodeEntry{
		{TokenID: third, State: api.StateActive, Place: "kiosk-1"},
		{TokenID: second, State: api.StateRevoked, Place: "kiosk-1", IssuedAt: secondAt, StateAt: lostAt},
		{TokenID: first, State: api.StateSuperseded, Place: "自助机 2", IssuedAt: firstAt, StateAt: secondAt},
	}
	if len(got.Codes) != len(want) || got.More || got.MaskedName == "" {
		t.Fatalf("codes = %+v; want %d codes and her masked name", got, len(want))
	}
	for i, w := range want {
		g := got.Codes[i]
		if g.TokenID != w.TokenID || g.State != w.State || g.Place != w.Place ||
			(!w.IssuedAt.IsZero() && !g.IssuedAt.Equal(w.IssuedAt)) || !g.StateAt.Equal(w.StateAt) {
			t.Errorf("code %d = %+v, want %+v", i, g, w)
		}
	}
	e.clk.Add(token.DefaultValidity) // past every code's validity
	got, err = e.c.ResidentCodes(client.WithPurpose(e.worker(), api.PurposeCounter), a, "w1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Codes[0].State != api.StateExpired || got.Codes[1].State != api.StateRevoked {
		t.Errorf("after their validity: %s, %s; want expired, revoked", got.Codes[0].State, got.Codes[1].State)
	}
	recs, _ := e.svc.Store.AccessRecords(ctx, e.svc.ResidentKey(a), e.clk.Now())
	if last := recs[len(recs)-1]; last.Action != server.ActionResidentCodes || last.WorkerID != "w1" || last.Purpose != string(api.PurposeCounter) {
		t.Errorf("the look = %+v; want it recorded as resident_codes by w1 for counter service", last)
	}
	if _, err := self.ResidentCodes(client.WithPurpose(ctx, api.PurposeCounter), a, ""); apiCode(err) != api.CodeRoleForbidden {
		t.Errorf("a self-service kiosk: %v, want role_forbidden", err)
	}
	if _, err := e.c.ResidentCodes(client.WithPurpose(ctx, api.PurposeCounter), a, ""); apiCode(err) != api.CodeWorkerSession {
		t.Errorf("no worker session: %v, want worker_session_required", err)
	}
	if _, err := e.c.ResidentCodes(client.WithPurpose(e.worker(), api.PurposeSelfService), a, "w1"); apiCode(err) != api.CodePurposeRefused {
		t.Errorf("self-service purpose: %v, want purpose_refused", err)
	}
	if _, err := e.c.ResidentCodes(client.WithPurpose(e.worker(), api.PurposeCounter), b, "w1"); apiCode(err) != api.CodeNotEnrolled {
		t.Errorf("not enrolled: %v, want not_enrolled", err)
	}
}

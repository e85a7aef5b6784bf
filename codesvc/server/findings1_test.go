package server_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/pii"
)

// TestFinding1DeviceRoles: the review revoked a resident's paper codes,
// re-issued them, filed corrections and read every worker's password
// hash from an unattended self-service kiosk and from a venue tablet,
// with worker_id empty or any worker's ID in the body. Each of those
// requests is sent again here, by the real client through the real
// handler, and refused: by the device's role, fixed at provisioning, or
// for want of a worker session that the service itself issued to this
// device and this worker.
func TestFinding1DeviceRoles(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	red := idNumber(t, "19600118", 41)
	e.enrol(red, "周建国")
	tok, err := e.c.IssueToken(ctx, api.IssueTokenRequest{IDNumber: red.Reveal(), Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	self, _ := e.registerAs("lobby kiosk", api.RoleSelfService)
	venue, _ := e.registerAs("gate tablet", api.RoleVenue)
	counter2, _ := e.registerAs("counter 2", api.RoleCounter)
	otherSession, err := counter2.WorkerLogin(ctx, "w1", "secret123")
	if err != nil {
		t.Fatal(err)
	}
	lost := func(c *client.Client, ctx context.Context, worker string) error {
		_, err := c.ReportLost(ctx, api.LostRequest{IDNumber: red.Reveal(), WorkerID: worker})
		return err
	}
	reissue := func(c *client.Client, ctx context.Context, worker string) error {
		_, err := c.ReissueToken(ctx, tok.TokenID, api.ReissueRequest{WorkerID: worker})
		return err
	}
	workers := func(c *client.Client, ctx context.Context, _ string) error { _, err := c.Workers(ctx); return err }
	correction := func(c *client.Client, ctx context.Context, worker string) error {
		req, err := client.SealCorrection(e.seal, "finding-1-corr", worker, "", red, "colour wrong")
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.FileCorrection(ctx, req)
		return err
	}
	login := func(c *client.Client, ctx context.Context, worker string) error {
		_, err := c.WorkerLogin(ctx, "w1", "secret123")
		return err
	}
	issueAs := func(c *client.Client, ctx context.Context, worker string) error {
		_, err := c.IssueToken(ctx, api.IssueTokenRequest{IDNumber: red.Reveal(), WorkerID: worker, Replace: true})
		return err
	}
	forged := client.WithWorker(ctx, "W1.eyJkIjoiRDEiLCJ3IjoidzEiLCJpIjowLCJlIjo5OTk5OTk5OTk5fQ.AAAA")
	stolen := client.WithWorker(ctx, otherSession.Session) // counter 2's session, sent by kiosk-1
	for _, tc := range []struct {
		name   string
		c      *client.Client
		ctx    context.Context
		worker string
		do     func(*client.Client, context.Context, string) error
		want   api.Code
	}{
		{"self-service reports a loss", self, ctx, "", lost, api.CodeRoleForbidden},
		{"self-service reports a loss as a worker", self, ctx, "w1", lost, api.CodeRoleForbidden},
		{"self-service re-issues", self, ctx, "w1", reissue, api.CodeRoleForbidden},
		{"self-service reads the worker hashes", self, ctx, "", workers, api.CodeRoleForbidden},
		{"self-service files a correction", self, ctx, "w1", correction, api.CodeRoleForbidden},
		{"self-service logs a worker in", self, ctx, "", login, api.CodeRoleForbidden},
		{"self-service issues as a worker", self, ctx, "w1", issueAs, api.CodeWorkerSession},
		{"venue issues a code", venue, ctx, "", issueAs, api.CodeRoleForbidden},
		{"venue reports a loss", venue, ctx, "w1", lost, api.CodeRoleForbidden},
		{"venue reads the worker hashes", venue, ctx, "", workers, api.CodeRoleForbidden},
		{"counter, no worker, reports a loss", e.c, ctx, "", lost, api.CodeWorkerSession},
		{"counter names a worker it has no session of", e.c, ctx, "w1", lost, api.CodeWorkerSession},
		{"counter re-issues without a session", e.c, ctx, "w1", reissue, api.CodeWorkerSession},
		{"counter files a correction without a session", e.c, ctx, "w1", correction, api.CodeWorkerSession},
		{"counter issues as a worker without a session", e.c, ctx, "w1", issueAs, api.CodeWorkerSession},
		{"a forged session", e.c, forged, "w1", lost, api.CodeWorkerSession},
		{"another device's session", e.c, stolen, "w1", lost, api.CodeWorkerSession},
		{"a session of w1 naming w7", e.c, e.worker(), "w7", lost, api.CodeWorkerSession},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := apiCode(tc.do(tc.c, tc.ctx, tc.worker)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if st, err := e.svc.Store.Token(ctx, tok.TokenID); err != nil || st.State != api.StateActive {
		t.Fatalf("after the attacks the code is %+v, %v; want it still active", st, err)
	}

	t.Run("an expired session", func(t *testing.T) {
		old := e.worker()
		e.clk.Add(server.DefaultWorkerSessionTTL)
		if got := apiCode(lost(e.c, old, "w1")); got != api.CodeWorkerSession {
			t.Errorf("got %q, want %q", got, api.CodeWorkerSession)
		}
	})
	t.Run("a disabled worker's session", func(t *testing.T) {
		wctx := e.worker()
		w, _ := e.svc.Store.Worker(ctx, "w1")
		w.Disabled = true
		e.svc.Store.PutWorker(ctx, w)
		defer func() { w.Disabled = false; e.svc.Store.PutWorker(ctx, w) }()
		if got := apiCode(lost(e.c, wctx, "w1")); got != api.CodeWorkerSession {
			t.Errorf("got %q, want %q", got, api.CodeWorkerSession)
		}
	})
	t.Run("the worker at her counter, recorded", func(t *testing.T) {
		if err := lost(e.c, e.worker(), ""); err != nil {
			t.Fatal(err)
		}
		st, err := e.svc.Store.Token(ctx, tok.TokenID)
		if err != nil || st.State != api.StateRevoked || st.RevokedDevice != e.c.DeviceID || st.RevokedWorker != "w1" {
			t.Errorf("token = %+v, %v; want revoked by %s and w1", st, err, e.c.DeviceID)
		}
		re, err := e.c.IssueToken(e.worker(), api.IssueTokenRequest{IDNumber: red.Reveal()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.c.ReissueToken(e.worker(), re.TokenID, api.ReissueRequest{}); err != nil {
			t.Fatal(err)
		}
		_, _, toks, _ := e.svc.Store.ResidentByID(ctx, st.ResidentID)
		last := toks[len(toks)-1]
		if last.DeviceID != e.c.DeviceID || last.WorkerID != "w1" {
			t.Errorf("re-issued token = %+v; want device %s and worker w1", last, e.c.DeviceID)
		}
	})
	t.Run("a device registered before roles", func(t *testing.T) {
		c := legacyDevice(t, e)
		if _, err := c.Status(ctx, red); apiCode(err) != api.CodeRoleForbidden {
			t.Errorf("status: %v, want %s", err, api.CodeRoleForbidden)
		}
	})
}

// legacyDevice registers a device with a code made without a role, as
// every code before migration 0006 was.
func legacyDevice(t *testing.T, e *env) *client.Client {
	t.Helper()
	const code = "LEGA-CYCO-DE00-0001"
	if err := e.svc.Store.CreateProvisioningCode(context.Background(), store.ProvisioningCode{Hash: server.CodeHash(code),
		CreatedAt: e.clk.Now(), ExpiresAt: e.clk.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	c, _, err := client.Register(context.Background(), e.srv.URL, e.srv.Client(), code, "old kiosk", key)
	if err != nil {
		t.Fatal(err)
	}
	c.Now = e.clk.Now
	return c
}

// TestFinding1WorkerLogin: the service checks a worker's password itself
// and answers one refusal for an unknown worker, a disabled one and a
// wrong password; guessing is locked out after five failures, and the
// slow hash the counter caches (GET /v1/workers) is not a password: sent
// as one, it is refused.
func TestFinding1WorkerLogin(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	list, err := e.c.Workers(ctx)
	if err != nil || len(list.Workers) != 1 {
		t.Fatalf("workers = %+v, %v", list, err)
	}
	if _, err := e.c.WorkerLogin(ctx, "w1", list.Workers[0].PasswordHash); apiCode(err) != api.CodeBadLogin {
		t.Errorf("the cached hash as a password: %v, want %s", err, api.CodeBadLogin)
	}
	if _, err := e.c.WorkerLogin(ctx, "nobody", "secret123"); apiCode(err) != api.CodeBadLogin {
		t.Errorf("unknown worker: %v, want %s", err, api.CodeBadLogin)
	}
	for i := range server.MaxWorkerLoginFailures - 1 { // one failure already
		if _, err := e.c.WorkerLogin(ctx, "w1", fmt.Sprintf("guess-%d", i)); apiCode(err) != api.CodeBadLogin {
			t.Fatalf("guess %d: %v, want %s", i, err, api.CodeBadLogin)
		}
	}
	if _, err := e.c.WorkerLogin(ctx, "w1", "secret123"); apiCode(err) != api.CodeRateLimited {
		t.Errorf("right password after five failures: %v, want %s", err, api.CodeRateLimited)
	}
	e.clk.Add(server.WorkerLockout)
	ws, err := e.c.WorkerLogin(ctx, "w1", "secret123")
	if err != nil || ws.WorkerID != "w1" || ws.DisplayName != "王社工" || !ws.ExpiresAt.Equal(e.clk.Now().Add(server.DefaultWorkerSessionTTL)) {
		t.Errorf("after the lockout: %+v, %v", ws, err)
	}
}

// TestFinding1LookupLimits: a venue tablet looked up every resident it
// was given, as fast as the network went. Look-ups are now bounded per
// device by its role (server.DefaultLookupLimits): a venue device gets
// its burst, then 429 with Retry-After, then one more every two seconds;
// another device is not slowed by it.
func TestFinding1LookupLimits(t *testing.T) {
	e := newEnv(t, server.Options{LookupLimits: server.DefaultLookupLimits})
	ctx := context.Background()
	venue, _ := e.registerAs("gate tablet", api.RoleVenue)
	lim := server.DefaultLookupLimits[api.RoleVenue]
	id := func(n int) pii.IDNumber { return idNumber(t, "19700101", n) }
	for i := range lim.Burst {
		if _, err := venue.Status(ctx, id(i)); err != nil {
			t.Fatalf("look-up %d of the burst: %v", i, err)
		}
	}
	_, err := venue.Status(ctx, id(99))
	var ae *api.Error
	if apiCode(err) != api.CodeRateLimited || !errors.As(err, &ae) || ae.Status != 429 {
		t.Fatalf("look-up past the burst: %v, want 429 %s", err, api.CodeRateLimited)
	}
	if _, err := e.c.Status(ctx, id(99)); err != nil {
		t.Errorf("another device: %v, want it answered", err)
	}
	e.clk.Add(lim.Every)
	if _, err := venue.Status(ctx, id(100)); err != nil {
		t.Errorf("after %v: %v, want one more", lim.Every, err)
	}
	if _, err := venue.Status(ctx, id(101)); apiCode(err) != api.CodeRateLimited {
		t.Errorf("the next at once: %v, want %s", err, api.CodeRateLimited)
	}
}

// TestFinding12ActorAndWorkerCap: a counter declared actor=self to skip
// the proxy caps, and nothing bounded what one worker enrolled. Now a
// counter's item names a worker whose session vouches for it, never
// "self"; a self-service kiosk sends nothing else than a resident alone;
// and one worker's accepted enrolments in 24 hours are capped
// (Options.Caps.WorkerPerDay, 150 by default; 2 here).
func TestFinding12ActorAndWorkerCap(t *testing.T) {
	caps := server.DefaultCaps
	caps.WorkerPerDay = 2
	e := newEnv(t, server.Options{Caps: caps})
	ctx := context.Background()
	if err := e.svc.AddWorker(ctx, "w2", "李社工", "other-pass"); err != nil {
		t.Fatal(err)
	}
	w2, err := e.c.WorkerLogin(ctx, "w2", "other-pass")
	if err != nil {
		t.Fatal(err)
	}
	self, _ := e.registerAs("lobby kiosk", api.RoleSelfService)
	send := func(c *client.Client, cid string, p api.EnrolmentPayload) string {
		t.Helper()
		p.DeviceID = c.DeviceID
		resp, err := c.Enrol(ctx, []api.EnrolmentItem{e.sealItem(cid, p)})
		if err != nil {
			t.Fatal(err)
		}
		if r := resp.Results[0]; r.Outcome == api.OutcomeRejected {
			return r.Reason
		}
		return resp.Results[0].Outcome
	}
	n := 0
	next := func() api.EnrolmentPayload { n++; return e.payload(idNumber(t, "19450505", n), "赵桂兰") }
	for _, tc := range []struct {
		name string
		c    *client.Client
		mod  func(*api.EnrolmentPayload)
		want string
	}{
		{"counter declares actor self", e.c, func(p *api.EnrolmentPayload) { p.Actor = api.Actor{Kind: api.ActorSelf} }, api.ReasonInvalidActor},
		{"counter names w1 under w2's session", e.c, func(p *api.EnrolmentPayload) { p.WorkerSession = w2.Session }, api.ReasonWorkerSession},
		{"counter names a worker with no session", e.c, func(p *api.EnrolmentPayload) { p.WorkerSession = "" }, api.ReasonWorkerSession},
		{"self-service sends a counter's item", self, func(p *api.EnrolmentPayload) { p.WorkerSession = "" }, api.ReasonRoleForbidden},
		{"w1, first of the day", e.c, func(*api.EnrolmentPayload) {}, api.OutcomeAccepted},
		{"w1, second", e.c, func(*api.EnrolmentPayload) {}, api.OutcomeAccepted},
		{"w1, over her cap", e.c, func(*api.EnrolmentPayload) {}, api.ReasonWorkerCapExceeded},
		{"w2 is not held by w1's cap", e.c, func(p *api.EnrolmentPayload) {
			p.Actor.WorkerID, p.WorkerSession = "w2", w2.Session
		}, api.OutcomeAccepted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := next()
			tc.mod(&p)
			if got := send(tc.c, fmt.Sprintf("finding-12-%02d", n), p); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
	e.clk.Add(24 * time.Hour)
	p := next()
	p.WorkerSession = e.ws.Session // queued under yesterday's session: past its grace
	if got := send(e.c, "finding-12-late", p); got != api.ReasonWorkerSession {
		t.Errorf("an item under a session a day old: %s, want %s", got, api.ReasonWorkerSession)
	}
}

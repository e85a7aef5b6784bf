package server_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/codesvc/verify"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/sealbox"
)

func TestRegistration(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	if e.reg.DeviceID == "" || e.reg.ServerTime.IsZero() || len(e.reg.TrustList) == 0 {
		t.Fatalf("register response incomplete: %+v", e.reg)
	}
	if _, err := token.ParseTrustList(e.reg.TrustList, e.root); err != nil {
		t.Errorf("trust list from registration does not verify: %v", err)
	}
	code, _, err := e.svc.ProvisionDevice(ctx, "x", api.RoleCounter)
	if err != nil {
		t.Fatal(err)
	}
	newKey := func() ed25519.PrivateKey { _, k, _ := ed25519.GenerateKey(rand.Reader); return k }
	if _, _, err := client.Register(ctx, e.srv.URL, nil, code, "a", newKey()); err != nil {
		t.Fatalf("first use of a code: %v", err)
	}
	expiring, _, _ := e.svc.ProvisionDevice(ctx, "y", api.RoleCounter)
	e.clk.Add(25 * time.Hour)
	tests := []struct {
		name, code string
		key        ed25519.PrivateKey
		want       api.Code
	}{
		{"reused code", code, newKey(), api.CodeCodeUsed},
		{"expired code", expiring, newKey(), api.CodeCodeExpired},
		{"unknown code", "AAAA-BBBB-CCCC-DDDD", newKey(), api.CodeCodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := client.Register(ctx, e.srv.URL, nil, tt.code, "z", tt.key)
			if got := apiCode(err); got != tt.want {
				t.Errorf("register err = %v, want code %s", err, tt.want)
			}
		})
	}
}

// rawSigned sends a request signed by c with the given timestamp and
// nonce, optionally sending a different body than the one signed.
func rawSigned(t *testing.T, e *env, c *client.Client, method, path string, signed, sent []byte, ts time.Time, nonce string) (int, api.Code) {
	t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(sent))
	msg := api.CanonicalString(method, req.URL.RequestURI(), ts.Unix(), nonce, signed)
	sig := base64.RawURLEncoding.EncodeToString(ed25519.Sign(c.Key, []byte(msg)))
	stamp(req.Header, api.HeaderDeviceID, c.DeviceID, strconv.FormatInt(ts.Unix(), 10), nonce, api.HeaderSignature, sig)
	return answerCode(t, req)
}

func TestAuth(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	id := idNumber(t, "19480314", 1)
	body := []byte(`{"id_number":"` + id.Reveal() + `","purpose":"counter_service"}`)
	now := e.clk.Now()

	if st, code := rawSigned(t, e, e.c, "POST", "/v1/status", body, body, now, "nonce-aaaaaaaaaaaaaaaa"); st != 200 {
		t.Fatalf("good request: %d %s", st, code)
	}
	revoked, _ := e.register("kiosk-revoked")
	if err := e.svc.Store.RevokeDevice(ctx, revoked.DeviceID, now); err != nil {
		t.Fatal(err)
	}
	stranger := &client.Client{DeviceID: "DUNKNOWN", Key: e.c.Key}
	tampered := []byte(strings.Replace(string(body), "3101", "3102", 1))
	tests := []struct {
		name       string
		c          *client.Client
		sent       []byte
		ts         time.Time
		nonce      string
		wantStatus int
		want       api.Code
	}{
		{"replay", e.c, body, now, "nonce-aaaaaaaaaaaaaaaa", 401, api.CodeReplay},
		{"unknown device", stranger, body, now, "nonce-bbbbbbbbbbbbbbbb", 401, api.CodeUnknownDevice},
		{"revoked device", revoked, body, now, "nonce-cccccccccccccccc", 403, api.CodeDeviceRevoked},
		{"clock behind", e.c, body, now.Add(-6 * time.Minute), "nonce-dddddddddddddddd", 401, api.CodeClockSkew},
		{"clock ahead", e.c, body, now.Add(6 * time.Minute), "nonce-eeeeeeeeeeeeeeee", 401, api.CodeClockSkew},
		{"tampered body", e.c, tampered, now, "nonce-ffffffffffffffff", 401, api.CodeBadSignature},
		{"short nonce", e.c, body, now, "short", 401, api.CodeAuthMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, code := rawSigned(t, e, tt.c, "POST", "/v1/status", body, tt.sent, tt.ts, tt.nonce)
			if st != tt.wantStatus || code != tt.want {
				t.Errorf("got %d %s, want %d %s", st, code, tt.wantStatus, tt.want)
			}
		})
	}
	t.Run("missing headers", func(t *testing.T) {
		resp, err := http.Post(e.srv.URL+"/v1/status", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("status = %d, want 401", resp.StatusCode)
		}
	})
	t.Run("client corrects its skew", func(t *testing.T) {
		c := &client.Client{BaseURL: e.c.BaseURL, DeviceID: e.c.DeviceID, Key: e.c.Key, Purpose: api.PurposeCounter,
			Now: func() time.Time { return e.clk.Now().Add(-time.Hour) }}
		if _, err := c.Status(ctx, id); err != nil {
			t.Fatalf("status with a clock an hour slow: %v", err)
		}
		if got := c.Skew(); got < 59*time.Minute || got > 61*time.Minute {
			t.Errorf("Skew = %v, want about 1h", got)
		}
	})
}

func TestEnrolIdempotentUnderConcurrentRetries(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	const items, workers = 5, 12
	payloads := make([]api.EnrolmentPayload, items)
	for i := range payloads {
		payloads[i] = e.payload(idNumber(t, "19500101", i), "张小三")
	}
	var mu sync.Mutex
	accepted := map[string]int{}
	refs := map[string]map[string]bool{}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var batch []api.EnrolmentItem
			for i, p := range payloads {
				batch = append(batch, e.sealItem("item-"+strconv.Itoa(i)+"-xyz", p)) // fresh seal every retry
			}
			resp, err := e.c.Enrol(ctx, batch)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, r := range resp.Results {
				switch {
				case r.Outcome == api.OutcomeAccepted:
					accepted[r.ClientID]++
				case r.Outcome == api.OutcomeDuplicate && r.Original == api.OutcomeAccepted:
				default:
					t.Errorf("%s: outcome %s/%s (%s)", r.ClientID, r.Outcome, r.Original, r.Reason)
				}
				if refs[r.ClientID] == nil {
					refs[r.ClientID] = map[string]bool{}
				}
				refs[r.ClientID][r.ResidentRef] = true
			}
		}()
	}
	wg.Wait()
	for i := 0; i < items; i++ {
		cid := "item-" + strconv.Itoa(i) + "-xyz"
		if accepted[cid] != 1 {
			t.Errorf("%s accepted %d times, want exactly 1", cid, accepted[cid])
		}
		if len(refs[cid]) != 1 {
			t.Errorf("%s got %d different resident refs, want 1", cid, len(refs[cid]))
		}
	}
	// Same client ID, different content: a per-item conflict.
	other := payloads[0]
	other.Phone = "13900000000"
	resp, err := e.c.Enrol(ctx, []api.EnrolmentItem{e.sealItem("item-0-xyz", other), e.sealItem("item-1-xyz", payloads[1])})
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Results[0].Outcome; got != api.OutcomeConflict {
		t.Errorf("changed content: outcome %s, want conflict", got)
	}
	if got := resp.Results[1].Outcome; got != api.OutcomeDuplicate {
		t.Errorf("unchanged item beside a conflict: outcome %s, want duplicate", got)
	}
}

// guardian makes p an enrolment by the guardian with ID number g.
func guardian(p api.EnrolmentPayload, g pii.IDNumber) api.EnrolmentPayload {
	p.Actor = api.Actor{Kind: api.ActorFamily, WorkerID: p.Actor.WorkerID, FamilyIDNumber: g.Reveal(), Guardian: true}
	p.Consent.By = api.ActorFamily
	return p
}

// kiosk makes p a self-enrolment at a self-service kiosk.
func kiosk(p *api.EnrolmentPayload) {
	p.Channel, p.Consent.Version = api.ChannelKiosk, "kiosk-self-test"
	p.Actor, p.WorkerSession = api.Actor{Kind: api.ActorSelf}, ""
}

func TestEnrolRejections(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	if err := e.svc.AddWorker(ctx, "w1", "王社工", "secret123"); err != nil {
		t.Fatal(err)
	}
	id := idNumber(t, "19550922", 7)
	mod := func(f func(*api.EnrolmentPayload)) api.EnrolmentPayload {
		p := e.payload(id, "李秀英")
		f(&p)
		return p
	}
	tests := []struct {
		name string
		item api.EnrolmentItem
		want string // outcome or rejection reason
	}{
		{"bad check digit", e.sealItem("r-idnum-1", mod(func(p *api.EnrolmentPayload) { p.IDNumber = p.IDNumber[:17] + "0" })), api.ReasonInvalidIDNumber},
		{"bad phone", e.sealItem("r-phone-1", mod(func(p *api.EnrolmentPayload) { p.Phone = "12345" })), api.ReasonInvalidPhone},
		{"no consent", e.sealItem("r-consent", mod(func(p *api.EnrolmentPayload) { p.Consent.Given = false })), api.ReasonConsentMissing},
		{"other device", e.sealItem("r-device1", mod(func(p *api.EnrolmentPayload) { p.DeviceID = "DOTHER" })), api.ReasonDeviceMismatch},
		{"unknown worker", e.sealItem("r-worker1", mod(func(p *api.EnrolmentPayload) { p.Actor = api.Actor{Kind: api.ActorWorker, WorkerID: "nobody"} })), api.ReasonUnknownWorker},
		{"family is self", e.sealItem("r-family1", mod(func(p *api.EnrolmentPayload) { p.Actor = api.Actor{Kind: api.ActorFamily, FamilyIDNumber: id.Reveal()} })), api.ReasonInvalidActor},
		{"unknown field", e.sealItem("r-field01", map[string]any{"id_number": id.Reveal(), "extra": 1}), api.ReasonBadPayload},
		{"not sealed", api.EnrolmentItem{ClientID: "r-seal001", Sealed: "AAAA"}, api.ReasonUnsealable},
		{"bad client id", e.sealItem("x", e.payload(id, "李秀英")), api.ReasonInvalidClientID},
		{"worker ok", e.sealItem("r-worker2", mod(func(p *api.EnrolmentPayload) { p.Actor = api.Actor{Kind: api.ActorWorker, WorkerID: "w1"} })), api.OutcomeAccepted},
		{"landline ok", e.sealItem("r-phone-2", mod(func(p *api.EnrolmentPayload) { p.Phone = "021-6432 1234" })), api.OutcomeAccepted},
		{"no phone at a counter", e.sealItem("r-phone-3", mod(func(p *api.EnrolmentPayload) { p.Phone = "" })), api.ReasonInvalidPhone},
		{"self-service without phone", e.sealItem("r-kiosk-1", mod(func(p *api.EnrolmentPayload) { kiosk(p); p.Phone = "" })), api.OutcomeAccepted},
		{"self-service with phone", e.sealItem("r-kiosk-2", mod(kiosk)), api.OutcomeAccepted},
		{"self-service without consent version", e.sealItem("r-kiosk-3", mod(func(p *api.EnrolmentPayload) { kiosk(p); p.Consent.Version = "" })), api.ReasonConsentMissing},
		{"self-service by a worker", e.sealItem("r-kiosk-4", mod(func(p *api.EnrolmentPayload) {
			kiosk(p)
			p.Actor = api.Actor{Kind: api.ActorWorker, WorkerID: "w1"}
		})), api.ReasonInvalidActor},
		{"self-service for the family", e.sealItem("r-kiosk-5", mod(func(p *api.EnrolmentPayload) { kiosk(p); p.Consent.By = api.ActorFamily })), api.ReasonInvalidActor},
		{"unknown channel", e.sealItem("r-kiosk-6", mod(func(p *api.EnrolmentPayload) { p.Channel = "web" })), api.ReasonBadPayload},
		{"guardian of a minor", e.sealItem("r-minor-1", guardian(e.payload(idNumber(t, "20150601", 3), "王小明"), id)), api.OutcomeAccepted},
		{"guardian of an adult", e.sealItem("r-minor-2", guardian(e.payload(idNumber(t, "19900601", 3), "王大明"), id)), api.ReasonInvalidActor},
		{"guardian on a self enrolment", e.sealItem("r-minor-3", mod(func(p *api.EnrolmentPayload) { p.Actor.Guardian = true })), api.ReasonInvalidActor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := e.c.Enrol(ctx, []api.EnrolmentItem{tt.item})
			if err != nil {
				t.Fatal(err)
			}
			r := resp.Results[0]
			got := r.Outcome
			if got == api.OutcomeRejected {
				got = r.Reason
			}
			if got != tt.want {
				t.Errorf("got %s (%+v), want %s", got, r, tt.want)
			}
		})
	}
}

func TestProxyCaps(t *testing.T) {
	e := newEnv(t, server.Options{})
	family := func(n int) string { return idNumber(t, "19860512", 500+n).Reveal() }
	enrolBy := func(cid string, resident int, fam string) api.EnrolmentResult {
		t.Helper()
		p := e.payload(idNumber(t, "19400101", resident), "赵桂兰")
		p.Actor = api.Actor{Kind: api.ActorFamily, WorkerID: "w1", FamilyIDNumber: fam}
		p.Consent.By = api.ActorFamily
		return e.enrolOn(e.c, cid, p)
	}
	for i := 0; i < 8; i++ {
		if r := enrolBy("proxy-a-"+strconv.Itoa(i), i, family(0)); r.Outcome != api.OutcomeAccepted {
			t.Fatalf("resident %d of 8 by one proxy: %+v", i, r)
		}
	}
	if r := enrolBy("proxy-a-8", 8, family(0)); r.Reason != api.ReasonProxyCapExceeded {
		t.Errorf("9th resident by one proxy: %+v, want proxy_cap_exceeded", r)
	}
	// Resident 20 gets proxies 1..3, then a 4th is refused.
	for p := 1; p <= 3; p++ {
		if r := enrolBy("proxy-b-"+strconv.Itoa(p), 20, family(p)); r.Outcome != api.OutcomeAccepted {
			t.Fatalf("proxy %d of 3: %+v", p, r)
		}
	}
	if r := enrolBy("proxy-b-4", 20, family(4)); r.Reason != api.ReasonProxyCapExceeded {
		t.Errorf("4th proxy: %+v, want proxy_cap_exceeded", r)
	}
	// An existing link is not counted again.
	if r := enrolBy("proxy-b-5", 20, family(1)); r.Outcome != api.OutcomeAccepted {
		t.Errorf("re-enrolment by an existing proxy: %+v", r)
	}
}

func TestStatusTokensAndVerify(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	green := idNumber(t, "19480314", 11)
	yellow := idNumber(t, "19550922", 12)
	red := idNumber(t, "19600118", 13)
	e.enrol(green, "张三丰")
	e.enrol(yellow, "李秀英")
	e.enrol(red, "周建国")
	if _, err := e.svc.AddEvent(ctx, yellow, rules.ArrivalKeyArea, e.clk.Now().Add(-3*24*time.Hour), "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddEvent(ctx, red, rules.MedicalStart, e.clk.Now().Add(-time.Hour), "test"); err != nil {
		t.Fatal(err)
	}
	st, err := e.c.Status(ctx, yellow)
	if err != nil {
		t.Fatal(err)
	}
	if st.Status.Colour != "yellow" || !st.Status.ValidUntil.Equal(start.Add(11*24*time.Hour)) || !st.Known || st.MaskedName != "李*英" {
		t.Errorf("yellow status = %+v", st)
	}
	if st, _ := e.c.Status(ctx, red); st.Status.Colour != "red" || st.Status.Reason != rules.ReasonMedicalManagement {
		t.Errorf("red status = %+v", st.Status)
	}
	unknown := idNumber(t, "19700101", 99)
	if st, _ := e.c.Status(ctx, unknown); st.Known || st.Status.Colour != "green" || st.Status.Reason != rules.ReasonNoEvents {
		t.Errorf("unknown resident status = %+v", st)
	}
	// Status is computed per request: 11 days later yellow has turned green.
	e.clk.Add(11 * 24 * time.Hour)
	if st, _ := e.c.Status(ctx, yellow); st.Status.Colour != "green" {
		t.Errorf("after 14 days: %s, want green", st.Status.Colour)
	}

	// Paper codes.
	tok, err := e.c.IssueToken(ctx, api.IssueTokenRequest{IDNumber: red.Reveal()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.IssueToken(ctx, api.IssueTokenRequest{IDNumber: red.Reveal()}); apiCode(err) != api.CodeActiveToken {
		t.Errorf("second issue: %v, want active_token_exists", err)
	}
	if _, err := e.c.IssueToken(ctx, api.IssueTokenRequest{IDNumber: unknown.Reveal()}); apiCode(err) != api.CodeNotEnrolled {
		t.Errorf("issue for unknown: %v, want resident_not_enrolled", err)
	}
	if pr, err := e.c.RecordPrint(ctx, api.PrintRequest{ClientID: "print-0001", TokenID: tok.TokenID, PrintedAt: e.clk.Now()}); err != nil || pr.Duplicate {
		t.Errorf("print record: %+v, %v", pr, err)
	}
	if pr, err := e.c.RecordPrint(ctx, api.PrintRequest{ClientID: "print-0001", TokenID: tok.TokenID, PrintedAt: e.clk.Now()}); err != nil || !pr.Duplicate {
		t.Errorf("repeated print record: %+v, %v, want duplicate", pr, err)
	}
	tl := e.trust()
	v := &verify.Verifier{Trust: tl, Live: e.c, Now: e.clk.Now}
	res, err := v.Verify(ctx, tok.Text)
	if err != nil || res.Colour != healthcode.Red || res.Source != "live" {
		t.Fatalf("verify fresh token: %+v, %v; want red from live", res, err)
	}
	claims, err := tl.Verify(tok.Text, token.VerifyOptions{Now: e.clk.Now()})
	if err != nil || claims.MaskedName != "周*国" || claims.Status == nil || claims.Status.Colour != healthcode.Red {
		t.Errorf("claims = %+v, %v", claims, err)
	}

	// Re-issue: the old token is superseded and refused.
	re, err := e.c.ReissueToken(e.worker(), tok.TokenID, api.ReissueRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(re.Superseded) != 1 || re.Superseded[0] != tok.TokenID {
		t.Errorf("reissue superseded %v, want [%s]", re.Superseded, tok.TokenID)
	}
	if _, err := v.Verify(ctx, tok.Text); !errors.Is(err, verify.ErrSuperseded) {
		t.Errorf("verify superseded token: %v, want ErrSuperseded", err)
	}
	if _, err := e.c.ReissueToken(e.worker(), tok.TokenID, api.ReissueRequest{}); apiCode(err) != api.CodeTokenNotActive {
		t.Errorf("reissue of a superseded token: %v, want token_not_active", err)
	}
	// Lost: every active token revoked.
	lost, err := e.c.ReportLost(e.worker(), api.LostRequest{IDNumber: red.Reveal()})
	if err != nil || len(lost.Revoked) != 1 || lost.Revoked[0] != re.TokenID {
		t.Fatalf("lost = %+v, %v", lost, err)
	}
	if _, err := v.Verify(ctx, re.Text); !errors.Is(err, verify.ErrRevoked) {
		t.Errorf("verify revoked token: %v, want ErrRevoked", err)
	}
	if _, err := e.c.IssueToken(ctx, api.IssueTokenRequest{IDNumber: red.Reveal()}); err != nil {
		t.Errorf("issue after lost: %v", err)
	}
	if _, err := e.c.Token(ctx, "AAAAAAAAAAAAAAAAAAAA"); apiCode(err) != api.CodeUnknownToken {
		t.Errorf("unknown token: %v", err)
	}
}

func TestKeyRotation(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	a, b := idNumber(t, "19480314", 31), idNumber(t, "19480314", 32)
	e.enrol(a, "张三丰")
	e.enrol(b, "张三")
	t1, err := e.c.IssueToken(ctx, api.IssueTokenRequest{IDNumber: a.Reveal()})
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Add(time.Hour)
	newID, err := e.svc.RotateKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Add(time.Second)
	t2, err := e.c.IssueToken(ctx, api.IssueTokenRequest{IDNumber: b.Reveal()})
	if err != nil {
		t.Fatal(err)
	}
	if t2.KeyID != newID || t1.KeyID == newID {
		t.Errorf("key IDs: first %s, second %s, new %s", t1.KeyID, t2.KeyID, newID)
	}
	tl := e.trust()
	if len(tl.Keys) != 2 {
		t.Errorf("trust list has %d keys, want 2", len(tl.Keys))
	}
	for _, tok := range []api.TokenResponse{t1, t2} {
		if _, err := tl.Verify(tok.Text, token.VerifyOptions{Now: e.clk.Now()}); err != nil {
			t.Errorf("token by %s: %v", tok.KeyID, err)
		}
	}
	// After the old key's tokens have all expired it leaves the list.
	e.clk.Add(181 * 24 * time.Hour)
	tl2, _ := e.svc.TrustList(ctx)
	if len(tl2.Keys) != 1 || tl2.Version <= tl.Version {
		t.Errorf("after expiry: %d keys, version %d (was %d); want 1 key and a higher version", len(tl2.Keys), tl2.Version, tl.Version)
	}
}

// sealCorrection is a correction request sealed to the env's service.
func (e *env) sealCorrection(clientID string, id pii.IDNumber, reason string) api.CorrectionRequest {
	e.t.Helper()
	req, err := client.SealCorrection(e.seal, clientID, "w1", e.ws.Session, id, reason)
	if err != nil {
		e.t.Fatal(err)
	}
	return req
}

func TestCorrections(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	id := e.resident("19600118", 41, "周建国")
	c, err := e.c.FileCorrection(e.wctx, e.sealCorrection("corr-0001", id, "has returned from hospital"))
	if err != nil || c.State != api.CorrectionOpen || c.Reason != "has returned from hospital" {
		t.Fatalf("file: %+v, %v", c, err)
	}
	// A resend is sealed afresh (seals are randomised): same content, same correction.
	if again, err := e.c.FileCorrection(e.wctx, e.sealCorrection("corr-0001", id, "has returned from hospital")); err != nil || again.ID != c.ID {
		t.Errorf("repeat filing: %+v, %v; want the same correction", again, err)
	}
	got, err := e.svc.ResolveCorrection(ctx, c.ID, true, "checked with the hospital", rules.MedicalStart, time.Time{})
	if err != nil || got.State != api.CorrectionAccepted || got.EventKind != string(rules.MedicalStart) {
		t.Fatalf("resolve: %+v, %v", got, err)
	}
	if _, err := e.svc.ResolveCorrection(ctx, c.ID, false, "again", "", time.Time{}); !errors.Is(err, store.ErrNotOpen) {
		t.Errorf("second resolve: %v, want ErrNotOpen", err)
	}
	if st, _ := e.c.Status(ctx, id); st.Status.Colour != "red" {
		t.Errorf("status after accepted correction: %s, want red", st.Status.Colour)
	}
	list, err := e.c.Corrections(ctx)
	if err != nil || len(list.Corrections) != 1 || list.Corrections[0].Note != "checked with the hospital" {
		t.Errorf("list: %+v, %v", list, err)
	}
}

// TestCorrectionRefusals files malformed corrections: each is refused
// with its stable code, and none is recorded.
func TestCorrectionRefusals(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	id := e.resident("19600118", 42, "周建国")
	if _, err := e.c.FileCorrection(e.wctx, e.sealCorrection("corr-taken", id, "first reason")); err != nil {
		t.Fatal(err)
	}
	other, err := sealbox.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	seal := func(key *sealbox.PublicKey, info string, plain string) string {
		box, err := sealbox.Seal(key, []byte(plain), []byte(info))
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(box)
	}
	good := func(clientID string) api.CorrectionRequest { return e.sealCorrection(clientID, id, "colour is wrong") }
	payload := `{"id_number":"` + id.Reveal() + `","reason":"colour is wrong"}`
	for _, tt := range []struct {
		name string
		req  api.CorrectionRequest
		want api.Code
	}{
		{"bad client ID", good("short"), api.CodeInvalidField},
		{"not base64", api.CorrectionRequest{ClientID: "corr-0002", Sealed: "!!!"}, api.CodeUnsealable},
		{"empty box", api.CorrectionRequest{ClientID: "corr-0003"}, api.CodeUnsealable},
		{"enrolment info", api.CorrectionRequest{ClientID: "corr-0004", Sealed: seal(e.seal, api.SealInfo, payload)}, api.CodeUnsealable},
		{"another key", api.CorrectionRequest{ClientID: "corr-0005", Sealed: seal(other.Public(), api.CorrectionSealInfo, payload)}, api.CodeUnsealable},
		{"payload not JSON", api.CorrectionRequest{ClientID: "corr-0006", Sealed: seal(e.seal, api.CorrectionSealInfo, "not json")}, api.CodeInvalidField},
		{"payload unknown field", api.CorrectionRequest{ClientID: "corr-0007",
			Sealed: seal(e.seal, api.CorrectionSealInfo, `{"id_number":"x","reason":"r","name":"周建国"}`)}, api.CodeInvalidField},
		{"empty reason", e.sealCorrection("corr-0008", id, ""), api.CodeInvalidField},
		{"reason too long", e.sealCorrection("corr-0009", id, strings.Repeat("错", api.MaxCorrectionReason/3+1)), api.CodeInvalidField},
		{"invalid ID number", api.CorrectionRequest{ClientID: "corr-0010",
			Sealed: seal(e.seal, api.CorrectionSealInfo, `{"id_number":"310101196001180420","reason":"r"}`)}, api.CodeInvalidID},
		{"not enrolled", e.sealCorrection("corr-0011", idNumber(t, "19600118", 43), "r"), api.CodeNotEnrolled},
		{"a worker not the session's", api.CorrectionRequest{ClientID: "corr-0012", WorkerID: "nobody", Sealed: good("x").Sealed}, api.CodeWorkerSession},
		{"same client ID, other reason", e.sealCorrection("corr-taken", id, "second reason"), api.CodeConflict},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.c.FileCorrection(ctx, tt.req)
			if got := apiCode(err); got != tt.want {
				t.Errorf("code = %q (%v), want %q", got, err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), id.Reveal()) {
				t.Errorf("error %q holds the ID number", err)
			}
		})
	}
	list, err := e.c.Corrections(ctx)
	if err != nil || len(list.Corrections) != 1 {
		t.Errorf("corrections after refusals: %d, %v; want 1", len(list.Corrections), err)
	}
}

// TestCorrectionPlainFormRefused: the old body with the ID number in the
// clear is no longer accepted (an unknown field), so a kiosk that still
// sends it learns at once instead of leaking silently.
func TestCorrectionPlainFormRefused(t *testing.T) {
	e := newEnv(t, server.Options{})
	id := e.resident("19600118", 44, "周建国")
	body := `{"client_id":"corr-plain","id_number":"` + id.Reveal() + `","reason":"colour is wrong"}`
	if status, code := signedDo(t, e, "POST", "/v1/corrections", body); status != http.StatusBadRequest || code != api.CodeBadRequest {
		t.Errorf("plain form: %d %s, want 400 %s", status, code, api.CodeBadRequest)
	}
}

func TestWorkers(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	if err := e.svc.AddWorker(ctx, "w7", "陈社工", "correct horse"); err != nil {
		t.Fatal(err)
	}
	list, err := e.c.Workers(ctx)
	if err != nil || len(list.Workers) != 2 || list.Workers[1].WorkerID != "w7" { // w1 is the harness's
		t.Fatalf("workers: %+v, %v", list, err)
	}
	for _, tt := range []struct {
		pw   string
		want bool
	}{{"correct horse", true}, {"wrong", false}} {
		ok, err := api.CheckPassword(list.Workers[1].PasswordHash, tt.pw)
		if err != nil || ok != tt.want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", tt.pw, ok, err, tt.want)
		}
	}
}

// TestPaperClaimEndsOnDayFourteen: a paper code printed for a yellow
// resident twelve hours before her yellow ends carries that end in its
// claim. An offline venue check shows 黄码 up to the instant and "cannot
// verify" from it, not a stale yellow for the rest of the day; online,
// the service already says green.
func TestPaperClaimEndsOnDayFourteen(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	id := e.resident("19520607", 21, "王桂兰")
	arrived := e.clk.Now().Add(-(14*24 - 12) * time.Hour)
	if _, err := e.svc.AddEvent(ctx, id, rules.ArrivalKeyArea, arrived, "test"); err != nil {
		t.Fatal(err)
	}
	tok, err := e.c.IssueToken(ctx, api.IssueTokenRequest{IDNumber: id.Reveal()})
	if err != nil {
		t.Fatal(err)
	}
	end := arrived.Add(14 * 24 * time.Hour)
	if !tok.Status.ValidUntil.Equal(end) {
		t.Fatalf("issued with valid_until %v, want %v", tok.Status.ValidUntil, end)
	}
	tl := e.trust()
	claims, err := tl.Verify(tok.Text, token.VerifyOptions{Now: e.clk.Now()})
	if err != nil || claims.Status == nil || claims.Status.Colour != healthcode.Yellow || !claims.Status.Until.Equal(end) {
		t.Fatalf("claims = %+v (status %+v), %v; want yellow until %v", claims, claims.Status, err, end)
	}
	at := func(d time.Duration) func() time.Time { return func() time.Time { return end.Add(d) } }
	offline := &verify.Verifier{Trust: tl, Now: at(-time.Second)}
	if res, err := offline.Verify(ctx, tok.Text); err != nil || res.Colour != healthcode.Yellow || res.Source != verify.SourceClaim {
		t.Errorf("offline 1 s before the end: %+v, %v; want the yellow claim", res, err)
	}
	offline.Now = at(0)
	if res, err := offline.Verify(ctx, tok.Text); err != nil || res.Colour != "" || res.Source != verify.SourceNone {
		t.Errorf("offline at the end: %+v, %v; want cannot verify", res, err)
	}
	e.clk.Add(end.Sub(e.clk.Now()))
	online := &verify.Verifier{Trust: tl, Live: e.c, Now: e.clk.Now}
	if res, err := online.Verify(ctx, tok.Text); err != nil || res.Colour != healthcode.Green || res.Source != verify.SourceLive {
		t.Errorf("online at the end: %+v, %v; want live green", res, err)
	}
}

// The findings of the security review (docs/security.md, "Findings"),
// each as the attack it reproduced, sent to the real HTTP handler, and
// now refused.

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
	id := e.resident("19550922", 7, "李秀英")
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
	check := func(tl *token.TrustList, live verify.Live, text string) (verify.Result, error) {
		v := &verify.Verifier{Trust: tl, Now: e.clk.Now}
		if live != nil {
			v.Live = live
		}
		return v.Verify(ctx, text)
	}

	before := e.trust()
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
	after := e.trust()
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

// TestSelfEnrolmentLimits: a self-service kiosk gets at most PerDevice
// self-enrolments accepted in its window and a resident at most
// PerResident in hers; over a limit the item is answered rate_limited and
// nothing is recorded, so the same item sent again after the window is
// accepted. Counter enrolments are not limited, and a duplicate is still
// answered as a duplicate.
func TestSelfEnrolmentLimits(t *testing.T) {
	e := newEnv(t, server.Options{SelfLimits: store.SelfLimits{PerDevice: 3, DeviceWindow: time.Hour, PerResident: 2, ResidentWindow: 24 * time.Hour}})
	ctx := context.Background()
	send := func(item api.EnrolmentItem) string {
		t.Helper()
		resp, err := e.c.Enrol(ctx, []api.EnrolmentItem{item})
		if err != nil {
			t.Fatal(err)
		}
		r := resp.Results[0]
		if r.Outcome == api.OutcomeRejected {
			return r.Reason
		}
		return r.Outcome
	}
	self := func(clientID string, birth string, n int) api.EnrolmentItem {
		p := e.payload(idNumber(t, birth, n), "李秀英")
		kiosk(&p)
		return e.sealItem(clientID, p)
	}
	for i := range 3 {
		if got := send(self(fmt.Sprintf("self-dev-%d", i), "19550922", 10+i)); got != api.OutcomeAccepted {
			t.Fatalf("self-enrolment %d: %s, want accepted", i, got)
		}
	}
	over := self("self-dev-3", "19550922", 13)
	if got := send(over); got != api.OutcomeRateLimited {
		t.Fatalf("fourth self-enrolment within the hour: %s, want rate_limited", got)
	}
	if got := send(self("self-dev-0", "19550922", 10)); got != api.OutcomeDuplicate {
		t.Errorf("the first item again: %s, want duplicate", got)
	}
	counter := e.sealItem("counter-1", e.payload(idNumber(t, "19550922", 20), "周建国"))
	if got := send(counter); got != api.OutcomeAccepted {
		t.Errorf("a counter enrolment over the self-service limit: %s, want accepted", got)
	}
	e.clk.Add(time.Hour + time.Second)
	if got := send(over); got != api.OutcomeAccepted {
		t.Fatalf("the deferred item after the window: %s, want accepted", got)
	}

	// The resident limit: the same card twice is fine, a third time in
	// the day is not, from this device or another.
	other, _ := e.register("kiosk-2")
	other.Now = e.clk.Now
	again := func(c *client.Client, clientID string) string {
		t.Helper()
		p := e.payload(idNumber(t, "19481111", 5), "王淑芬")
		kiosk(&p)
		return e.enrolOn(c, clientID, p).Outcome
	}
	e.clk.Add(2 * time.Hour)
	if a, b := again(e.c, "same-card-1"), again(other, "same-card-2"); a != api.OutcomeAccepted || b != api.OutcomeAccepted {
		t.Fatalf("the same resident twice: %s, %s; want accepted twice", a, b)
	}
	if got := again(other, "same-card-3"); got != api.OutcomeRateLimited {
		t.Errorf("the same resident a third time in a day: %s, want rate_limited", got)
	}
	e.clk.Add(24 * time.Hour)
	if got := again(other, "same-card-3"); got != api.OutcomeAccepted {
		t.Errorf("the same item a day later: %s, want accepted", got)
	}
}

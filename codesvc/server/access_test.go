package server_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/healthcloud"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/pii"
)

// ledger counts the access records of the residents a test knows.
type ledger struct {
	e    *env
	keys map[string][]byte // by a label
}

func (e *env) ledger(labels map[string]pii.IDNumber) *ledger {
	l := &ledger{e: e, keys: map[string][]byte{}}
	for k, id := range labels {
		l.keys[k] = e.svc.ResidentKey(id)
	}
	return l
}

// records returns every access record of each resident, by label.
func (l *ledger) records() map[string][]store.AccessRecord {
	l.e.t.Helper()
	out := map[string][]store.AccessRecord{}
	for k, key := range l.keys {
		rs, err := l.e.svc.Store.AccessRecords(context.Background(), key, time.Time{})
		if err != nil {
			l.e.t.Fatal(err)
		}
		out[k] = rs
	}
	return out
}

// TestRoutesClassified: every route the handler serves is either a route
// about residents, with its action and purposes, or listed with why it
// touches none; the tables name no route that does not exist.
func TestRoutesClassified(t *testing.T) {
	e := newEnv(t, server.Options{})
	routes := e.h.Routes()
	for _, r := range routes {
		_, about := server.ResidentRoutes[r]
		_, other := server.OtherRoutes[r]
		if about == other {
			t.Errorf("route %q: about residents %v, listed as touching none %v; want exactly one", r, about, other)
		}
	}
	for r := range server.ResidentRoutes {
		if !slices.Contains(routes, r) {
			t.Errorf("ResidentRoutes names %q, which is not served", r)
		}
	}
	for r := range server.OtherRoutes {
		if !slices.Contains(routes, r) {
			t.Errorf("OtherRoutes names %q, which is not served", r)
		}
	}
}

// walkEnv is a service with a health cloud and two residents: A, enrolled
// with a record in the health cloud, and B, enrolled in the walk.
func walkEnv(t *testing.T) (*env, pii.IDNumber, pii.IDNumber) {
	cloud := &healthcloud.Sample{}
	e := newEnv(t, server.Options{HealthCloud: cloud})
	a, b := idNumber(t, "19480314", 1), idNumber(t, "19550922", 2)
	e.enrol(a, "张三丰")
	cloud.Put(e.svc.HealthSubject(a), healthcloud.Record{FamilyDoctor: "陈医生", Centre: "南京东路街道社区卫生服务中心", CentrePhone: "021-0000 0101"})
	return e, a, b
}

// TestEveryRouteRecordsAccess walks every route the service has. A request
// on a route about residents writes exactly one access record for each
// resident it read or acted on, naming the device, its place, the
// declared purpose, the route's action and the worker; a request on any
// other route writes none. A route the walk does not cover fails it.
func TestEveryRouteRecordsAccess(t *testing.T) {
	e, a, b := walkEnv(t)
	ctx := context.Background()
	led := e.ledger(map[string]pii.IDNumber{"A": a, "B": b})
	var tokenID, credentialID string
	var correctionID int64
	plainGet := func(path string) func() []string {
		return func() []string {
			resp, err := http.Get(e.srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return nil
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	counter := client.WithPurpose(ctx, api.PurposeCounter)
	worker := client.WithPurpose(e.wctx, api.PurposeCounter)
	cloud, _ := e.registerAs("health-cloud", api.RoleHealthCloud)
	desk, _ := e.registerAs("hospital-desk", api.RoleHospital)
	// Each step makes one request and says whose records it must add, in
	// the order they run: the later steps use what the earlier made.
	steps := []struct {
		route   string
		purpose api.Purpose
		worker  string
		do      func() []string
	}{
		{"POST /v1/status", api.PurposeVenueEntry, "", func() []string {
			_, err := e.c.Status(client.WithPurpose(ctx, api.PurposeVenueEntry), a)
			must(err)
			return []string{"A"}
		}},
		{"POST /v1/enrolments", api.PurposeCounter, "", func() []string {
			e.enrol(b, "李秀英")
			return []string{"B"}
		}},
		{"POST /v1/tokens", api.PurposeSelfService, "", func() []string {
			tok, err := e.c.IssueToken(ctx, api.IssueTokenRequest{IDNumber: b.Reveal(), Purpose: api.PurposeSelfService})
			must(err)
			tokenID = tok.TokenID
			return []string{"B"}
		}},
		{"POST /v1/credentials", api.PurposeSelfService, "", func() []string {
			cred, err := e.c.IssueCredential(ctx, api.CredentialRequest{IDNumber: b.Reveal(), CardNumber: "A12345678", Purpose: api.PurposeSelfService})
			must(err)
			credentialID = cred.TokenID
			return []string{"B"}
		}},
		{"GET /v1/credentials/{token_id}", api.PurposeHospital, "", func() []string {
			_, err := desk.Credential(ctx, credentialID)
			must(err)
			return []string{"B"}
		}},
		{"POST /v1/prints", "", "", func() []string {
			_, err := e.c.RecordPrint(ctx, api.PrintRequest{ClientID: "print-0001", TokenID: tokenID, PrintedAt: e.clk.Now()})
			must(err)
			return nil
		}},
		{"POST /v1/tokens/{token_id}/reissue", api.PurposeCounter, "w1", func() []string {
			tok, err := e.c.ReissueToken(worker, tokenID, api.ReissueRequest{})
			must(err)
			tokenID = tok.TokenID
			return []string{"B"}
		}},
		{"GET /v1/tokens/{token_id}", api.PurposeVenueEntry, "", func() []string {
			_, err := e.c.Token(client.WithPurpose(ctx, api.PurposeVenueEntry), tokenID)
			must(err)
			return []string{"B"}
		}},
		{"POST /v1/tokens/lost", api.PurposeCounter, "w1", func() []string {
			_, err := e.c.ReportLost(worker, api.LostRequest{IDNumber: b.Reveal()})
			must(err)
			return []string{"B"}
		}},
		{"GET /v1/feed", api.PurposeCounter, "", func() []string {
			page, err := e.c.Feed(counter, "", 0)
			must(err)
			if len(page.Entries) != 2 {
				t.Fatalf("feed has %d entries, want A's and B's", len(page.Entries))
			}
			return []string{"A", "B"}
		}},
		{"POST /v1/corrections", api.PurposeCorrection, "w1", func() []string {
			req, err := client.SealCorrection(e.seal, "correction-0001", "w1", "", a, "颜色不对")
			must(err)
			c, err := e.c.FileCorrection(e.wctx, req)
			must(err)
			correctionID = c.ID
			return []string{"A"}
		}},
		{"GET /v1/corrections", api.PurposeCorrection, "", func() []string {
			_, err := e.c.Corrections(ctx)
			must(err)
			return []string{"A"}
		}},
		{"GET /v1/corrections/{id}", api.PurposeCorrection, "", func() []string {
			st, code := signedDo(t, e, "GET", "/v1/corrections/"+strconv.FormatInt(correctionID, 10)+"?purpose=correction", "")
			if st != 200 {
				t.Fatalf("GET correction: %d %s", st, code)
			}
			return []string{"A"}
		}},
		{"GET /v1/watch", api.PurposeCounter, "", func() []string {
			e.clk.Add(25 * time.Hour) // A's correction has waited more than a day: the watch lists her
			list, err := e.c.Watch(counter)
			must(err)
			if len(list.Residents) != 1 || list.Residents[0].Reason != api.WatchCorrectionPending {
				t.Fatalf("watch list = %+v, want A's waiting correction", list.Residents)
			}
			return []string{"A"}
		}},
		{"POST /v1/access-records", api.PurposeSelfService, "", func() []string {
			_, err := e.c.AccessRecords(client.WithPurpose(ctx, api.PurposeSelfService), a, "")
			must(err)
			return []string{"A"}
		}},
		{"POST /v1/health-consent", api.PurposeSelfService, "", func() []string {
			_, err := e.c.HealthConsent(client.WithPurpose(ctx, api.PurposeSelfService), a, true, api.HealthConsentVersion, "")
			must(err)
			return []string{"A"}
		}},
		{"POST /v1/health-services", api.PurposeCounter, "demo", func() []string {
			must(e.svc.AddWorker(ctx, "demo", "演示社工", "demo1234"))
			ws, err := e.c.WorkerLogin(ctx, "demo", "demo1234")
			must(err)
			_, err = e.c.HealthServices(client.WithWorker(counter, ws.Session), a, "demo")
			must(err)
			return []string{"A"}
		}},
		{"POST /v1/resident-codes", api.PurposeCounter, "demo", func() []string {
			ws, err := e.c.WorkerLogin(ctx, "demo", "demo1234")
			must(err)
			codes, err := e.c.ResidentCodes(client.WithWorker(counter, ws.Session), b, "demo")
			must(err)
			if len(codes.Codes) != 2 || codes.Codes[0].State != api.StateRevoked || codes.Codes[1].State != api.StateSuperseded {
				t.Fatalf("B's codes = %+v, want the re-issued one revoked, then the first superseded", codes.Codes)
			}
			return []string{"B"}
		}},
		{"GET /v1/export", api.PurposeHealthCloud, "", func() []string {
			body, sig, err := cloud.Export(client.WithPurpose(ctx, api.PurposeHealthCloud), "", 0)
			must(err)
			page, err := client.VerifyExport(e.root, body, sig)
			must(err)
			if len(page.Entries) == 0 {
				t.Fatal("export is empty after A agreed")
			}
			return []string{"A"}
		}},
		{"POST /v1/sessions", "", "", func() []string { rawSession(t, e, e.c); return nil }},
		{"POST /v1/worker-sessions", "", "", func() []string {
			_, err := e.c.WorkerLogin(ctx, "w1", "secret123")
			must(err)
			return nil
		}},
		{"GET /v1/workers", "", "", func() []string {
			_, err := e.c.Workers(ctx)
			must(err)
			return nil
		}},
		{"POST /v1/devices/register", "", "", func() []string { e.register("kiosk-walk"); return nil }},
		{"GET /healthz", "", "", plainGet("/healthz")},
		{"GET /readyz", "", "", plainGet("/readyz")},
		{"GET /v1/health", "", "", plainGet("/v1/health")},
		{"GET /v1/trust-list", "", "", plainGet("/v1/trust-list")},
		{"GET /v1/service-keys", "", "", plainGet("/v1/service-keys")},
		{"/", "", "", plainGet("/v1/no-such-route")},
	}
	walked := map[string]bool{}
	for _, s := range steps {
		before := led.records()
		e.clk.Add(time.Second)
		by, place := e.c, "kiosk-1"
		switch s.route {
		case "GET /v1/export": // the health cloud's own device
			by, place = cloud, "health-cloud"
		case "GET /v1/credentials/{token_id}": // a hospital's desk
			by, place = desk, "hospital-desk"
		}
		whose := s.do()
		after := led.records()
		walked[s.route] = true
		for label := range led.keys {
			added := after[label][len(before[label]):]
			want := slices.Contains(whose, label)
			switch {
			case !want && len(added) != 0:
				t.Errorf("%s: %d access records of %s, want none", s.route, len(added), label)
			case want && len(added) != 1:
				t.Errorf("%s: %d access records of %s, want exactly one", s.route, len(added), label)
			case want:
				r := added[0]
				if r.Action != server.RouteAction(s.route) || r.Purpose != string(s.purpose) || r.DeviceID != by.DeviceID ||
					r.Place != place || r.WorkerID != s.worker || !r.At.Equal(e.clk.Now()) {
					t.Errorf("%s: record %+v; want action %s, purpose %s, device %s at %s, worker %q, at %v",
						s.route, r, server.RouteAction(s.route), s.purpose, by.DeviceID, place, s.worker, e.clk.Now())
				}
			}
		}
	}
	for _, r := range e.h.Routes() {
		if !walked[r] {
			t.Errorf("route %q is not walked: add it to this test", r)
		}
	}
}

// TestRefusedPurposeRecordsNothing: a request with no purpose, one not on
// the list, or one the route does not serve is refused before the
// resident is read, and leaves no access record.
func TestRefusedPurposeRecordsNothing(t *testing.T) {
	e, a, _ := walkEnv(t)
	led := e.ledger(map[string]pii.IDNumber{"A": a})
	before := len(led.records()["A"]) // her enrolment
	for _, tt := range []struct {
		method, path, body string
		code               api.Code
	}{
		{"POST", "/v1/status", `{"id_number":"` + a.Reveal() + `"}`, api.CodeUnknownPurpose},
		{"POST", "/v1/status", `{"id_number":"` + a.Reveal() + `","purpose":"advertising"}`, api.CodeUnknownPurpose},
		{"POST", "/v1/tokens", `{"id_number":"` + a.Reveal() + `","purpose":"venue_entry"}`, api.CodePurposeRefused},
		{"POST", "/v1/access-records", `{"id_number":"` + a.Reveal() + `","purpose":"venue_entry"}`, api.CodePurposeRefused},
		{"POST", "/v1/access-records", `{"id_number":"` + a.Reveal() + `","purpose":"counter_service"}`, api.CodeWorkerSession},
		{"POST", "/v1/health-services", `{"id_number":"` + a.Reveal() + `","purpose":"health_cloud"}`, api.CodePurposeRefused},
		{"GET", "/v1/export?purpose=venue_entry", ``, api.CodeRoleForbidden}, // a counter may not pull it at all
	} {
		if _, code := signedDo(t, e, tt.method, tt.path, tt.body); code != tt.code {
			t.Errorf("%s %s %s: %s, want %s", tt.method, tt.path, tt.body, code, tt.code)
		}
	}
	if n := len(led.records()["A"]) - before; n != 0 {
		t.Errorf("%d access records after refusals, want none", n)
	}
}

// TestAccessRecordsEndpoint: the resident's own look lists the last 30
// days grouped by place and purpose, latest first; the look itself shows
// the next time; older accesses are not listed; a worker serving her is
// recorded by name of worker.
func TestAccessRecordsEndpoint(t *testing.T) {
	e, a, _ := walkEnv(t)
	ctx := context.Background()
	venueCtx := client.WithPurpose(ctx, api.PurposeVenueEntry)
	venue, _ := e.register("徐家汇地铁站")
	venue.Purpose = api.PurposeVenueEntry
	if _, err := venue.Status(ctx, a); err != nil { // 31 days ago: out of the window
		t.Fatal(err)
	}
	e.clk.Add(31 * 24 * time.Hour)
	for range 3 {
		e.clk.Add(time.Hour)
		if _, err := venue.Status(venueCtx, a); err != nil {
			t.Fatal(err)
		}
	}
	e.clk.Add(time.Hour)
	if _, err := e.c.Status(ctx, a); err != nil { // kiosk-1, counter
		t.Fatal(err)
	}
	self := client.WithPurpose(ctx, api.PurposeSelfService)
	got, err := e.c.AccessRecords(self, a, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []api.AccessGroup{
		{Place: "kiosk-1", Purpose: api.PurposeCounter, Count: 1, First: e.clk.Now(), Last: e.clk.Now()},
		{Place: "徐家汇地铁站", Purpose: api.PurposeVenueEntry, Count: 3, First: e.clk.Now().Add(-3 * time.Hour), Last: e.clk.Now().Add(-time.Hour)},
	}
	if len(got.Groups) != len(want) || got.More || !got.Since.Equal(e.clk.Now().Add(-api.AccessWindow)) {
		t.Fatalf("access records = %+v; want %d groups since 30 days ago", got, len(want))
	}
	for i := range want {
		g, w := got.Groups[i], want[i]
		if g.Place != w.Place || g.Purpose != w.Purpose || g.Count != w.Count || !g.First.Equal(w.First) || !g.Last.Equal(w.Last) {
			t.Errorf("group %d = %+v, want %+v", i, g, w)
		}
	}
	again, _ := e.c.AccessRecords(self, a, "") // in the same second: the later record first
	if len(again.Groups) != 3 || again.Groups[0].Purpose != api.PurposeSelfService {
		t.Errorf("the second look = %+v; want her first look listed first", again.Groups)
	}
	if err := e.svc.AddWorker(ctx, "w7", "王社工", "secret-7"); err != nil {
		t.Fatal(err)
	}
	w7, err := e.c.WorkerLogin(ctx, "w7", "secret-7")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.AccessRecords(client.WithWorker(client.WithPurpose(ctx, api.PurposeCounter), w7.Session), a, "w7"); err != nil {
		t.Fatal(err)
	}
	recs, _ := e.svc.Store.AccessRecords(ctx, e.svc.ResidentKey(a), e.clk.Now())
	if last := recs[len(recs)-1]; last.WorkerID != "w7" || last.Purpose != string(api.PurposeCounter) || last.Action != server.ActionAccessRecords {
		t.Errorf("the worker's look = %+v; want it recorded with worker w7", last)
	}
	if _, err := e.c.AccessRecords(client.WithPurpose(ctx, api.PurposeCounter), a, "nobody"); apiCode(err) != api.CodeWorkerSession {
		t.Errorf("a worker without a session: %v, want worker_session_required", err)
	}
}

// TestAccessRetention: over access generated across a year by the
// service's own requests, PurgeAccess keeps exactly the last retention
// period (180 days by default, or as configured) and a second run removes
// nothing.
func TestAccessRetention(t *testing.T) {
	for _, retention := range []time.Duration{0, 30 * 24 * time.Hour} {
		e := newEnv(t, server.Options{AccessRetention: retention})
		if retention == 0 {
			retention = server.DefaultAccessRetention
		}
		if e.svc.AccessRetention() != retention {
			t.Fatalf("retention = %v, want %v", e.svc.AccessRetention(), retention)
		}
		ctx := context.Background()
		id := idNumber(t, "19480314", 9)
		var times []time.Time
		for day := range 365 {
			if day%3 == 0 {
				if _, err := e.c.Status(ctx, id); err != nil {
					t.Fatal(err)
				}
				times = append(times, e.clk.Now())
			}
			e.clk.Add(24 * time.Hour)
		}
		bound := e.clk.Now().Add(-retention)
		keep := 0
		for _, at := range times {
			if !at.Before(bound) {
				keep++
			}
		}
		n, err := e.svc.PurgeAccess(ctx)
		if err != nil || n != int64(len(times)-keep) {
			t.Fatalf("retention %v: PurgeAccess = %d, %v; want %d", retention, n, err, len(times)-keep)
		}
		left, _ := e.svc.Store.AccessRecords(ctx, e.svc.ResidentKey(id), time.Time{})
		if len(left) != keep || keep == 0 || keep == len(times) {
			t.Errorf("retention %v: %d left, want %d (of %d)", retention, len(left), keep, len(times))
		}
		for _, r := range left {
			if r.At.Before(bound) {
				t.Errorf("retention %v: a record of %v survived", retention, r.At)
			}
		}
		if n, err := e.svc.PurgeAccess(ctx); n != 0 || err != nil {
			t.Errorf("second purge = %d, %v", n, err)
		}
	}
}

// TestRolePurposes: each role may declare only its own purposes; a role
// not on the list may declare none.
func TestRolePurposes(t *testing.T) {
	may := map[api.Role][]api.Purpose{
		api.RoleSelfService: {api.PurposeSelfService, api.PurposeCorrection},
		api.RoleCounter:     {api.PurposeCounter, api.PurposeCorrection, api.PurposeFollowUp, api.PurposeSelfService, api.PurposeVenueEntry},
		api.RoleVenue:       {api.PurposeVenueEntry},
		api.RoleHospital:    {api.PurposeHospital},
		api.RoleHealthCloud: {api.PurposeHealthCloud},
		"cleaner":           nil,
		"":                  nil,
	}
	for role, allowed := range may {
		for _, p := range api.Purposes() {
			if got, want := server.RoleMay(role, p), slices.Contains(allowed, p); got != want {
				t.Errorf("RoleMay(%q, %q) = %v, want %v", role, p, got, want)
			}
		}
	}
}

// TestVenueDeclaringCounterRefused: a venue checker that declares counter
// service, or a kiosk that declares venue entry, is refused with
// purpose_refused and the resident gets no access record; the venue
// checker declaring venue entry is answered and recorded, under its role.
func TestVenueDeclaringCounterRefused(t *testing.T) {
	e, a, _ := walkEnv(t)
	ctx := context.Background()
	venue, _ := e.registerAs("徐家汇地铁站", api.RoleVenue)
	kiosk, _ := e.registerAs("社区自助机", api.RoleSelfService)
	led := e.ledger(map[string]pii.IDNumber{"A": a})
	before := len(led.records()["A"])
	for _, tt := range []struct {
		c       *client.Client
		purpose api.Purpose
	}{
		{venue, api.PurposeCounter},
		{venue, api.PurposeSelfService},
		{kiosk, api.PurposeVenueEntry},
		{kiosk, api.PurposeCounter},
	} {
		if _, err := tt.c.Status(client.WithPurpose(ctx, tt.purpose), a); apiCode(err) != api.CodePurposeRefused {
			t.Errorf("device %s declaring %s: %v, want purpose_refused", tt.c.DeviceID, tt.purpose, err)
		}
	}
	if _, _, err := venue.Export(client.WithPurpose(ctx, api.PurposeHealthCloud), "", 0); apiCode(err) != api.CodeRoleForbidden {
		t.Errorf("a venue pulling the export: %v, want role_forbidden", err)
	}
	if n := len(led.records()["A"]) - before; n != 0 {
		t.Fatalf("%d access records after refusals, want none", n)
	}
	if _, err := venue.Status(client.WithPurpose(ctx, api.PurposeVenueEntry), a); err != nil {
		t.Fatal(err)
	}
	recs := led.records()["A"]
	if len(recs) != before+1 {
		t.Fatalf("%d access records after the venue's check, want %d", len(recs), before+1)
	}
	if r := recs[len(recs)-1]; r.Role != string(api.RoleVenue) || r.Purpose != string(api.PurposeVenueEntry) || r.Place != "徐家汇地铁站" {
		t.Errorf("the venue's record = %+v; want role venue, purpose venue_entry, place 徐家汇地铁站", r)
	}
}

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
	red := e.resident("19600118", 41, "周建国")
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
		r := e.enrolOn(c, cid, p)
		if r.Outcome == api.OutcomeRejected {
			return r.Reason
		}
		return r.Outcome
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

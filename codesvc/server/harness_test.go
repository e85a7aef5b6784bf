package server_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/server/servertest"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/sqlitestore"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/internal/clocktest"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/pii/piitest"
	"github.com/shcommunity/kiosk/sealbox"
)

var start = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

type env struct {
	t    testing.TB
	opt  server.Options
	open opener // another store on the same database: a second instance
	clk  *clocktest.Clock
	svc  *server.Service
	srv  *httptest.Server
	h    *server.Handler
	c    *client.Client // registered device "kiosk-1", a counter
	// ws is worker w1's session on c's device, and wctx a context that
	// sends it: worker actions go with wctx.
	ws   api.WorkerSessionResponse
	wctx context.Context
	seal *sealbox.PublicKey
	root ed25519.PublicKey
	reg  api.RegisterResponse
}

// opener opens a store on one database, anew at each call, as a service
// instance of its own would; the test closes it at its end.
type opener func(t testing.TB) store.Store

// sqliteDB makes a new SQLite database and returns its opener.
func sqliteDB(t testing.TB) opener {
	file := filepath.Join(t.TempDir(), "codes.db")
	return func(t testing.TB) store.Store {
		t.Helper()
		st, err := sqlitestore.Open(context.Background(), file)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
}

func newEnv(t testing.TB, opt server.Options) *env {
	t.Helper()
	return newEnvOn(t, opt, sqliteDB(t))
}

// newEnvOn starts a service instance on the database of open and
// registers the device "kiosk-1" with it.
func newEnvOn(t testing.TB, opt server.Options, open opener) *env {
	t.Helper()
	ctx := context.Background()
	st := open(t)
	clk := clocktest.New(start)
	opt.Now = clk.Now
	if opt.Argon2 == (api.Argon2Params{}) {
		opt.Argon2 = servertest.Argon2
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opt.LookupLimits == nil {
		opt.LookupLimits = map[api.Role]server.Limit{} // the findings' tests set them
	}
	svc, err := server.New(ctx, st, opt)
	if err != nil {
		t.Fatal(err)
	}
	h := server.NewHandler(svc)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &env{t: t, opt: opt, open: open, clk: clk, svc: svc, srv: srv, h: h}
	e.c, e.reg = e.register("kiosk-1")
	if err := svc.AddWorker(ctx, "w1", "王社工", "secret123"); err != nil {
		t.Fatal(err)
	}
	if e.ws, err = e.c.WorkerLogin(ctx, "w1", "secret123"); err != nil {
		t.Fatal(err)
	}
	e.wctx = client.WithWorker(ctx, e.ws.Session)
	e.seal, err = sealbox.DecodePublicKey(e.reg.SealingKey)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := base64.RawURLEncoding.DecodeString(e.reg.TrustRootKey)
	e.root = ed25519.PublicKey(root)
	return e
}

// worker logs w1 in afresh (her first session may have expired on the
// test's clock) and returns a context that sends the new session.
func (e *env) worker() context.Context {
	e.t.Helper()
	ws, err := e.c.WorkerLogin(context.Background(), "w1", "secret123")
	if err != nil {
		e.t.Fatal(err)
	}
	return client.WithWorker(context.Background(), ws.Session)
}

// instance starts another service instance on e's database, with its own
// store, service and HTTP server (as another process would have) and the
// same clock. Its c is e.c's device, talking to the new instance.
func (e *env) instance() *env {
	e.t.Helper()
	svc, err := server.New(context.Background(), e.open(e.t), e.opt)
	if err != nil {
		e.t.Fatal(err)
	}
	other := *e
	other.svc, other.h = svc, server.NewHandler(svc)
	other.srv = httptest.NewServer(other.h)
	e.t.Cleanup(other.srv.Close)
	other.c = &client.Client{BaseURL: other.srv.URL, DeviceID: e.c.DeviceID, Key: e.c.Key, Now: e.clk.Now, Purpose: e.c.Purpose}
	return &other
}

func (e *env) register(name string) (*client.Client, api.RegisterResponse) {
	e.t.Helper()
	return e.registerAs(name, api.RoleCounter)
}

// registerAs registers a device of this role.
func (e *env) registerAs(name string, role api.Role) (*client.Client, api.RegisterResponse) {
	e.t.Helper()
	code, _, err := e.svc.ProvisionDevice(context.Background(), name, role)
	if err != nil {
		e.t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	c, reg, err := client.Register(context.Background(), e.srv.URL, e.srv.Client(), code, name, key)
	if err != nil {
		e.t.Fatalf("register %s: %v", name, err)
	}
	c.Now = e.clk.Now
	c.Purpose = rolePurpose[role]
	return c, reg
}

// idNumber makes a valid 18-digit number for a Shanghai resident born on
// the given day with sequence n.
func idNumber(t testing.TB, birth string, n int) pii.IDNumber {
	t.Helper()
	id, err := piitest.ShanghaiID(birth, n, start)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// payload is a valid enrolment at the env's counter by worker w1, with
// her session sealed in, as a kiosk queues it.
func (e *env) payload(id pii.IDNumber, name string) api.EnrolmentPayload {
	return api.EnrolmentPayload{
		IDNumber: id.Reveal(), Name: name, Phone: "13812345678",
		Consent: api.Consent{Given: true, By: api.ActorSelf, At: e.clk.Now()},
		Actor:   api.Actor{Kind: api.ActorWorker, WorkerID: "w1"},
		Channel: api.ChannelCounter, DeviceID: e.c.DeviceID, CreatedAt: e.clk.Now(), WorkerSession: e.ws.Session,
	}
}

func (e *env) sealItem(clientID string, p any) api.EnrolmentItem {
	e.t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		e.t.Fatal(err)
	}
	box, err := sealbox.Seal(e.seal, b, []byte(api.SealInfo))
	if err != nil {
		e.t.Fatal(err)
	}
	return api.EnrolmentItem{ClientID: clientID, Sealed: base64.RawURLEncoding.EncodeToString(box)}
}

// enrolOn sends p from c's device, as that device's item clientID, and
// returns its result; it fails the test when the request fails.
func (e *env) enrolOn(c *client.Client, clientID string, p api.EnrolmentPayload) api.EnrolmentResult {
	e.t.Helper()
	p.DeviceID = c.DeviceID
	resp, err := c.Enrol(context.Background(), []api.EnrolmentItem{e.sealItem(clientID, p)})
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.Results[0]
}

// enrol enrols id with a self enrolment and fails the test unless accepted.
func (e *env) enrol(id pii.IDNumber, name string) api.EnrolmentResult {
	e.t.Helper()
	r := e.enrolOn(e.c, "c-"+id.Reveal(), e.payload(id, name))
	if r.Outcome != api.OutcomeAccepted {
		e.t.Fatalf("enrol: outcome %s (%s), want accepted", r.Outcome, r.Reason)
	}
	return r
}

// resident makes the ID number idNumber(birth, n) and enrols her as
// name, the first step of most tests.
func (e *env) resident(birth string, n int, name string) pii.IDNumber {
	e.t.Helper()
	id := idNumber(e.t, birth, n)
	e.enrol(id, name)
	return id
}

// trust fetches the service's trust list through the client and checks
// it under the root key the device was given at registration.
func (e *env) trust() *token.TrustList {
	e.t.Helper()
	raw, err := e.c.TrustList(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	tl, err := token.ParseTrustList(raw, e.root)
	if err != nil {
		e.t.Fatal(err)
	}
	return tl
}

// exchange sends req and returns its answer's status and the error the
// body carries: nil, with the decoding's error, when the body is not the
// error shape (as a success's is not).
func exchange(t *testing.T, req *http.Request) (int, *api.Error, error) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var eb api.ErrorBody
	err = api.Decode(resp.Body, &eb)
	return resp.StatusCode, eb.Error, err
}

// answerCode sends req and returns its answer's status and, unless it
// succeeded (2xx), the error code its body carries; a failure whose body
// is not the error shape fails the test.
func answerCode(t *testing.T, req *http.Request) (int, api.Code) {
	t.Helper()
	st, ae, err := exchange(t, req)
	if st/100 == 2 {
		return st, ""
	}
	if err != nil || ae == nil {
		t.Fatalf("error body is not {\"error\":...}: %v", err)
	}
	return st, ae.Code
}

// stamp sets the four headers of a signed request (idKey
// api.HeaderDeviceID, proofKey api.HeaderSignature) or of a session's
// (api.HeaderSessionID, api.HeaderSessionMAC): who, when, the nonce and
// the proof.
func stamp(h http.Header, idKey, id, ts, nonce, proofKey, proof string) {
	h.Set(idKey, id)
	h.Set(api.HeaderTimestamp, ts)
	h.Set(api.HeaderNonce, nonce)
	h.Set(proofKey, proof)
}

func apiCode(err error) api.Code {
	var ae *api.Error
	if errors.As(err, &ae) {
		return ae.Code
	}
	return ""
}

// rolePurpose is the purpose a test device of each role declares unless
// a call says otherwise.
var rolePurpose = map[api.Role]api.Purpose{
	api.RoleSelfService: api.PurposeSelfService,
	api.RoleCounter:     api.PurposeCounter,
	api.RoleVenue:       api.PurposeVenueEntry,
	api.RoleHospital:    api.PurposeHospital,
	api.RoleHealthCloud: api.PurposeHealthCloud,
}

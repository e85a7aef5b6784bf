package syncer_test

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/server/servertest"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/internal/clocktest"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/pii/piitest"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

var start = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// faults sits in front of the real service's handler and misbehaves on
// request.
type faults struct {
	next http.Handler
	mode atomic.Value // string
	busy atomic.Int64 // requests being handled
}

// idle waits until no request is being handled.
func (f *faults) idle() {
	for f.busy.Load() > 0 {
		time.Sleep(time.Millisecond)
	}
}

// The fault modes. "-after" modes let the service process the request
// first, so the kiosk loses an answer the service already acted on.
const (
	faultNone        = ""
	fault500         = "500"
	fault500After    = "500-after"
	faultGarbage     = "garbage"
	faultTruncated   = "truncated"
	faultClose       = "close"
	faultCloseAfter  = "close-after"
	faultSlow        = "slow"
	kioskHTTPTimeout = 1500 * time.Millisecond
)

func (f *faults) set(m string) { f.mode.Store(m) }

func (f *faults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.busy.Add(1)
	defer f.busy.Add(-1)
	m, _ := f.mode.Load().(string)
	var rec *httptest.ResponseRecorder
	if m == fault500After || m == faultGarbage || m == faultTruncated || m == faultCloseAfter {
		rec = httptest.NewRecorder()
		f.next.ServeHTTP(rec, r)
	}
	switch m {
	case fault500:
		http.Error(w, "upstream broke", http.StatusInternalServerError)
	case fault500After:
		http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
	case faultGarbage:
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("\x00\xff{not json at all"))
	case faultTruncated:
		b := rec.Body.Bytes()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b[:len(b)/2])
	case faultClose, faultCloseAfter:
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	case faultSlow:
		// Answer only after the kiosk gave up waiting, but still do the
		// work, as an overloaded service does.
		// Reading the whole body first lets net/http watch the connection
		// and cancel the context when the kiosk hangs up.
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		<-r.Context().Done()
		f.next.ServeHTTP(httptest.NewRecorder(), r.WithContext(context.WithoutCancel(r.Context())))
	default:
		f.next.ServeHTTP(w, r)
	}
}

// service is the real reference code service on a real listener, with a
// fault wrapper and a network that can be cut and restored.
type service struct {
	t      testing.TB
	clk    *clocktest.Clock
	svc    *server.Service
	dbPath string
	faults *faults
	addr   string
	mu     sync.Mutex
	hs     *http.Server
}

func startService(t testing.TB) *service { return startServiceWith(t, server.Options{}) }

// startServiceWith starts the service with opt; its clock, logger and
// password cost are the harness's.
func startServiceWith(t testing.TB, opt server.Options) *service {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "codes.db")
	clk := clocktest.New(start)
	opt.Now, opt.Logger = clk.Now, quiet
	if opt.SelfLimits == (store.SelfLimits{}) {
		opt.SelfLimits = store.SelfLimits{PerDevice: -1, PerResident: -1} // the tests enrol many from one kiosk
	}
	if opt.LookupLimits == nil {
		opt.LookupLimits = map[api.Role]server.Limit{}
	}
	svc := servertest.At(t, dbPath, opt)
	s := &service{t: t, clk: clk, svc: svc, dbPath: dbPath, faults: &faults{next: server.NewHandler(svc)}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	t.Cleanup(func() {
		s.cut()
		s.faults.idle() // no handler may outlive the test
	})
	return s
}

func (s *service) serve(ln net.Listener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hs = &http.Server{Handler: s.faults, ErrorLog: nil}
	go s.hs.Serve(ln)
}

func (s *service) url() string { return "http://" + s.addr }

// cut closes the listener and every connection: the network is down.
func (s *service) cut() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hs != nil {
		s.hs.Close()
		s.hs = nil
	}
}

// restore listens again on the same address.
func (s *service) restore() {
	s.t.Helper()
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			s.serve(ln)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.t.Fatalf("relisten on %s: %v", s.addr, err)
}

// enrolments counts the service's enrolment rows: all, accepted, and the
// distinct residents the accepted ones created.
func (s *service) enrolments() (all, accepted, residents int) {
	s.t.Helper()
	db, err := sql.Open("sqlite3", "file:"+s.dbPath+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		s.t.Fatal(err)
	}
	defer db.Close()
	err = db.QueryRow(`SELECT count(*), coalesce(sum(outcome = 'accepted'), 0), count(DISTINCT resident_id) FROM enrolments`).
		Scan(&all, &accepted, &residents)
	if err != nil {
		s.t.Fatal(err)
	}
	return all, accepted, residents
}

// kiosk is a registered kiosk: its store and engine, with a settable
// clock of its own.
type kiosk struct {
	clk  *clocktest.Clock
	st   *localstore.Store
	eng  *syncer.Engine
	rm   *syncer.ClientRemote
	path string
}

// keyFile is where the tests keep a kiosk database's key file: in a
// folder of its own beside it.
func keyFile(path string) string {
	return filepath.Join(filepath.Dir(path), "keys", filepath.Base(path)+".key")
}

func newKiosk(t testing.TB, s *service, path string, kioskTime time.Time) *kiosk {
	t.Helper()
	ctx := context.Background()
	if path == "" {
		path = filepath.Join(t.TempDir(), "kiosk.db")
	}
	clk := clocktest.New(kioskTime)
	st, err := localstore.Open(ctx, path, localstore.Options{Now: clk.Now, KeyFile: keyFile(path)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	id, err := syncer.LoadIdentity(ctx, st)
	if err != nil {
		code, _, err := s.svc.ProvisionDevice(ctx, "test kiosk", api.RoleCounter)
		if err != nil {
			t.Fatal(err)
		}
		if id, err = syncer.Register(ctx, st, client.Provisioning{BaseURL: s.url(), Code: code, Fingerprint: s.svc.Fingerprint(nil),
			Name: "kiosk-1", Timeout: 5 * time.Second}); err != nil {
			t.Fatal(err)
		}
	}
	clock := syncer.NewClock(clk.Now, 0)
	rm := syncer.NewClientRemote(s.url(), &http.Client{Timeout: kioskHTTPTimeout}, id, clock)
	rm.C.Purpose = api.PurposeSelfService
	eng, err := syncer.New(ctx, syncer.Config{Store: st, Remote: rm, Clock: clock, Logger: quiet,
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, Interval: 20 * time.Millisecond,
		LiveTimeout: kioskHTTPTimeout, BatchSize: 20})
	if err != nil {
		t.Fatal(err)
	}
	return &kiosk{clk: clk, st: st, eng: eng, rm: rm, path: path}
}

// resident makes a valid ID number for a Shanghai resident: day picks the
// birth date, n the sequence.
func resident(t testing.TB, day, n int) pii.IDNumber {
	t.Helper()
	birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, day)
	id, err := piitest.ShanghaiID(birth.Format("20060102"), n, start)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

var names = []pii.Name{"张三丰", "李秀英", "周建国", "王淑芬", "陈国强", "刘桂兰", "欧阳明华"}

// selfEnrolment is a resident enrolling herself at the kiosk's
// self-service screen.
func selfEnrolment(id pii.IDNumber, i int) syncer.Enrolment {
	return syncer.Enrolment{IDNumber: id, Name: names[i%len(names)], Phone: "13812345678",
		Consent: api.Consent{Given: true, By: api.ActorSelf, Version: "kiosk-self-test"}, Actor: api.Actor{Kind: api.ActorSelf},
		Channel: api.ChannelKiosk}
}

// workerSession logs worker id (added with password pw if new) in at the
// service from k's device and returns her session.
func (k *kiosk) workerSession(t testing.TB, s *service, id, pw string) string {
	t.Helper()
	ctx := context.Background()
	if _, err := s.svc.Store.Worker(ctx, id); err != nil {
		if err := s.svc.AddWorker(ctx, id, "王老师", pw); err != nil {
			t.Fatal(err)
		}
	}
	ws, err := k.rm.C.WorkerLogin(ctx, id, pw)
	if err != nil {
		t.Fatal(err)
	}
	return ws.Session
}

func (k *kiosk) enrol(t testing.TB, id pii.IDNumber, i int) syncer.Receipt {
	t.Helper()
	r, err := k.eng.Enrol(context.Background(), selfEnrolment(id, i))
	if err != nil {
		t.Fatalf("enrol: %v", err)
	}
	return r
}

// enrolledKiosk starts a service and a kiosk on it, enrols the resident
// (day, n) at the kiosk and syncs.
func enrolledKiosk(t testing.TB, day, n int) (*service, *kiosk, pii.IDNumber) {
	t.Helper()
	s := startService(t)
	k := newKiosk(t, s, "", start)
	id := resident(t, day, n)
	k.enrol(t, id, 0)
	k.syncOnce(t, context.Background())
	return s, k, id
}

// syncOnce runs one round of sync, which must succeed.
func (k *kiosk) syncOnce(t testing.TB, ctx context.Context) {
	t.Helper()
	if err := k.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
}

func (k *kiosk) summary(t testing.TB) syncer.Summary {
	t.Helper()
	s, err := k.eng.Summary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

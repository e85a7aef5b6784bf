package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/store"
)

// Worker-session defaults (Options.WorkerSessionTTL, Options.QueueGrace,
// and the login lockout).
//
// A session serves calls for an hour: a stretch of counter work, after
// which the worker types her password again (the kiosk logs her out
// after five idle minutes anyway, finding 11). An item queued under a
// session (an enrolment or a correction made while the network was
// down) is accepted for a day after the session was issued: long enough
// for an outage of a working day, short enough that a session taken from
// a stolen kiosk's memory is soon worth nothing.
const (
	DefaultWorkerSessionTTL = time.Hour
	DefaultQueueGrace       = 24 * time.Hour
	MaxWorkerLoginFailures  = 5
	WorkerLockout           = 15 * time.Minute
)

// Worker-session errors; match them with errors.Is.
var (
	// ErrBadLogin: a worker ID and password the service does not accept
	// (unknown, disabled or wrong: one answer for all three).
	ErrBadLogin = errors.New("worker id or password not accepted")
	// ErrWorkerLocked: too many failed logins of this worker; wait.
	ErrWorkerLocked = errors.New("worker locked out after failed logins")
	// ErrWorkerSession: a worker action without a session the service
	// accepts for this device and this worker.
	ErrWorkerSession = errors.New("worker session required")
	// ErrRoleForbidden: the device's role may not do this.
	ErrRoleForbidden = errors.New("the device's role does not allow this")
)

const secretWorkerSession = "worker-session-key" // 32 random bytes

// workerClaims are what a worker session says, MACed by the service.
type workerClaims struct {
	Device  string `json:"d"`
	Worker  string `json:"w"`
	Issued  int64  `json:"i"` // unix seconds
	Expires int64  `json:"e"`
}

const workerSessionPrefix = "W1."

// signWorkerSession is W1.<payload>.<HMAC-SHA256 of it>, both unpadded
// base64url, under the service's worker-session key.
func (s *Service) signWorkerSession(c workerClaims) string {
	p, _ := json.Marshal(c) // strings and integers only: cannot fail
	payload := base64.RawURLEncoding.EncodeToString(p)
	return workerSessionPrefix + payload + "." + base64.RawURLEncoding.EncodeToString(s.workerMAC(payload))
}

func (s *Service) workerMAC(payload string) []byte {
	m := hmac.New(sha256.New, s.workerKey)
	m.Write([]byte("KSV1 worker session\n" + payload))
	return m.Sum(nil)
}

// WorkerLogin checks a worker's password with the service's own slow
// hash and, if it matches, returns a session for this device. The
// caller has checked the device's role. After MaxWorkerLoginFailures
// consecutive failures the worker is locked out for WorkerLockout (kept
// in this instance's memory: a restart or another instance starts
// afresh, so the lockout bounds guessing, it is not an audit).
func (s *Service) WorkerLogin(ctx context.Context, deviceID, workerID, password string) (api.WorkerSessionResponse, error) {
	now := s.Now()
	if workerID == "" || len(workerID) > 64 || password == "" || len(password) > 256 {
		return api.WorkerSessionResponse{}, ErrBadLogin
	}
	if s.logins.locked(workerID, now) {
		return api.WorkerSessionResponse{}, ErrWorkerLocked
	}
	w, err := s.Store.Worker(ctx, workerID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return api.WorkerSessionResponse{}, err
	}
	hash := w.PasswordHash
	if err != nil || w.Disabled {
		hash = s.dummy() // the same slow check, so the time says nothing
	}
	ok, herr := api.CheckPassword(hash, password)
	if err != nil || w.Disabled || herr != nil || !ok {
		s.logins.fail(workerID, now)
		s.opt.Logger.Warn("Worker login refused", "device", deviceID)
		return api.WorkerSessionResponse{}, ErrBadLogin
	}
	s.logins.clear(workerID)
	exp := now.Add(s.opt.WorkerSessionTTL).Truncate(time.Second)
	text := s.signWorkerSession(workerClaims{Device: deviceID, Worker: w.ID, Issued: now.Unix(), Expires: exp.Unix()})
	s.opt.Logger.Info("Worker session", "device", deviceID, "worker", w.ID)
	return api.WorkerSessionResponse{Session: text, WorkerID: w.ID, DisplayName: w.DisplayName, ExpiresAt: exp}, nil
}

// dummy is a hash of a random password with the service's parameters,
// made on first use.
func (s *Service) dummy() string {
	s.dummyOnce.Do(func() {
		s.dummyHash, _ = api.HashPassword(base64.RawURLEncoding.EncodeToString(s.workerKey), s.opt.Argon2)
	})
	return s.dummyHash
}

// WorkerOf checks a worker session presented by deviceID and returns its
// worker, who must still be enabled. A call made now (queued false)
// needs an unexpired session; an item queued under one (queued true)
// needs one issued within QueueGrace. Anything else is ErrWorkerSession.
func (s *Service) WorkerOf(ctx context.Context, deviceID, text string, queued bool) (string, error) {
	rest, ok := strings.CutPrefix(text, workerSessionPrefix)
	payload, mac, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || len(text) > 512 {
		return "", ErrWorkerSession
	}
	got, err := base64.RawURLEncoding.DecodeString(mac)
	if err != nil || !hmac.Equal(got, s.workerMAC(payload)) {
		return "", ErrWorkerSession
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	var c workerClaims
	if err != nil || json.Unmarshal(raw, &c) != nil || c.Device != deviceID || c.Worker == "" {
		return "", ErrWorkerSession
	}
	now := s.Now().Unix()
	if queued && now-c.Issued >= int64(s.opt.QueueGrace/time.Second) || !queued && now >= c.Expires {
		return "", ErrWorkerSession
	}
	w, err := s.Store.Worker(ctx, c.Worker)
	if errors.Is(err, store.ErrNotFound) || err == nil && w.Disabled {
		return "", ErrWorkerSession
	}
	return c.Worker, err
}

// loginFailures counts consecutive failed logins per worker ID in this
// instance's memory. It holds at most loginTableSize workers and starts
// afresh when full.
type loginFailures struct {
	mu sync.Mutex
	m  capped[loginState]
}

type loginState struct {
	failures int
	until    time.Time
}

const loginTableSize = 1 << 14

func (l *loginFailures) locked(id string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.m.get(id)
	return st != nil && now.Before(st.until)
}

func (l *loginFailures) fail(id string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.m.entry(id, loginTableSize, func() *loginState { return &loginState{} })
	if st.failures++; st.failures >= MaxWorkerLoginFailures {
		st.failures, st.until = 0, now.Add(WorkerLockout)
	}
}

func (l *loginFailures) clear(id string) {
	l.mu.Lock()
	l.m.drop(id)
	l.mu.Unlock()
}

// workerLogin is POST /v1/worker-sessions (counter devices only).
func (h *Handler) workerLogin(w http.ResponseWriter, r *http.Request, c *call) {
	var req api.WorkerLoginRequest
	if err := decode(c.body, &req); err != nil {
		h.fail(w, err)
		return
	}
	resp, err := h.svc.WorkerLogin(r.Context(), c.deviceID, req.WorkerID, req.Password)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, resp)
}

// worker returns the worker of the call's X-Worker-Session, or "" when
// the call has none; a session that is present and not accepted is
// ErrWorkerSession.
func (h *Handler) worker(r *http.Request, c *call) (string, error) {
	text := first(r.Header, hkWorkerSession)
	if text == "" {
		return "", nil
	}
	return h.svc.WorkerOf(r.Context(), c.deviceID, text, false)
}

// needWorker is worker for an action that only a worker may do: no
// session is ErrWorkerSession too. A worker_id in the body must be the
// session's.
func (h *Handler) needWorker(r *http.Request, c *call, bodyWorker string) (string, error) {
	wid, err := h.worker(r, c)
	if err == nil && (wid == "" || bodyWorker != "" && bodyWorker != wid) {
		err = ErrWorkerSession
	}
	return wid, err
}

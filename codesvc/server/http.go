package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/pii"
)

// Body limits. Enrolment batches are the only large bodies.
const (
	MaxBody      = 16 << 10
	MaxBatchBody = 1 << 20
)

// Handler serves the /v1 API.
type Handler struct {
	svc      *Service
	log      *slog.Logger
	mux      *http.ServeMux
	sessions sessionCache // sessions this instance has read
	devices  deviceCache  // the devices' names and roles, for access records
	m        *metrics
	routes   []string // the patterns, in the order routed
}

// Routes lists the patterns the handler serves.
func (h *Handler) Routes() []string { return append([]string(nil), h.routes...) }

// NewHandler returns the API handler for svc.
func NewHandler(svc *Service) *Handler {
	h := &Handler{svc: svc, log: svc.opt.Logger, mux: http.NewServeMux(), m: newMetrics(svc)}
	h.route("/", h.noRoute)
	h.route("GET /healthz", h.healthz)
	h.route("GET /readyz", h.readyz)
	h.route("GET /v1/health", h.health)
	h.route("POST /v1/devices/register", h.register)
	h.route("GET /v1/trust-list", h.trustList)
	h.route("GET /v1/service-keys", h.serviceKeys)
	if svc.opt.SessionTTL > 0 {
		h.handle("POST /v1/sessions", MaxBody, h.createSession)
	}
	h.handle("POST /v1/status", MaxBody, h.status)
	h.handle("POST /v1/enrolments", MaxBatchBody, h.enrol)
	h.handle("POST /v1/tokens", MaxBody, h.issue)
	h.handle("POST /v1/tokens/lost", MaxBody, h.lost)
	h.handle("POST /v1/tokens/{token_id}/reissue", MaxBody, h.reissue)
	h.handle("GET /v1/tokens/{token_id}", 0, h.tokenStatus)
	h.handle("POST /v1/prints", MaxBody, h.print)
	h.handle("POST /v1/credentials", MaxBody, h.issueCredential)
	h.handle("GET /v1/credentials/{token_id}", 0, h.credentialDetails)
	h.handle("GET /v1/feed", 0, h.feed)
	h.handle("GET /v1/workers", 0, h.workers)
	h.handle("POST /v1/worker-sessions", MaxBody, h.workerLogin)
	h.handle("POST /v1/corrections", MaxBody, h.fileCorrection)
	h.handle("GET /v1/corrections", 0, h.corrections)
	h.handle("GET /v1/corrections/{id}", 0, h.correction)
	h.handle("GET /v1/watch", 0, h.watch)
	h.handle("POST /v1/access-records", MaxBody, h.accessRecords)
	h.handle("POST /v1/health-services", MaxBody, h.healthServices)
	h.handle("POST /v1/health-consent", MaxBody, h.healthConsent)
	h.handle("POST /v1/resident-codes", MaxBody, h.residentCodes)
	h.handle("GET /v1/export", 0, h.export)
	return h
}

// ServeHTTP adds the service time header and turns a panic into a 500
// that reveals nothing. Routing happens once, in the mux; what no route
// takes lands in noRoute.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header()[hkServerTime] = []string{strconv.FormatInt(h.svc.Now().Unix(), 10)}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			// The panic value may hold request data: log its type only.
			h.log.Error("Handler panic", "route", r.Pattern, "panicType", fmt.Sprintf("%T", p))
			writeError(w, http.StatusInternalServerError, api.CodeInternal, "internal error")
		}
	}()
	h.mux.ServeHTTP(w, r)
}

// noRoute answers, in JSON, a path no route has (404) or a route asked
// with another method (405).
func (h *Handler) noRoute(w http.ResponseWriter, r *http.Request) {
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, p := h.mux.Handler(r2); p != "" && p != "/" {
			writeError(w, http.StatusMethodNotAllowed, api.CodeMethodNotAllowed, "method not allowed on this path")
			return
		}
	}
	writeError(w, http.StatusNotFound, api.CodeNotFound, "no such endpoint")
}

// Canonical forms of the header keys the handler reads and writes, so
// that the hot path indexes the header map without canonicalising.
var (
	hkServerTime    = http.CanonicalHeaderKey(api.HeaderServerTime)
	hkDeviceID      = http.CanonicalHeaderKey(api.HeaderDeviceID)
	hkTimestamp     = http.CanonicalHeaderKey(api.HeaderTimestamp)
	hkNonce         = http.CanonicalHeaderKey(api.HeaderNonce)
	hkSignature     = http.CanonicalHeaderKey(api.HeaderSignature)
	hkSessionID     = http.CanonicalHeaderKey(api.HeaderSessionID)
	hkSessionMAC    = http.CanonicalHeaderKey(api.HeaderSessionMAC)
	hkWorkerSession = http.CanonicalHeaderKey(api.HeaderWorkerSession)
	hkContentType   = http.CanonicalHeaderKey("Content-Type")
	hkCacheControl  = http.CanonicalHeaderKey("Cache-Control")
	hkContentLen    = http.CanonicalHeaderKey("Content-Length")
)

// first is h.Get for a key already in canonical form.
func first(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// maxStampDigits bounds X-Timestamp: ten decimal digits reach the year
// 2286, and a longer field is refused before any arithmetic on it.
const maxStampDigits = 10

// parseUnix reads X-Timestamp: decimal unix seconds, at most
// maxStampDigits digits.
func parseUnix(s string) (int64, bool) {
	if len(s) == 0 || len(s) > maxStampDigits {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeJSON encodes v into a pooled buffer and sends it with its length.
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 64<<10 {
			bufPool.Put(buf)
		}
	}()
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"internal error"}}` + "\n")
		status = http.StatusInternalServerError
	}
	writeRaw(w, status, buf.Bytes())
}

// writeRaw sends an encoded JSON body.
func writeRaw(w http.ResponseWriter, status int, b []byte) {
	hd := w.Header()
	hd[hkContentType] = []string{"application/json"}
	hd[hkCacheControl] = []string{"no-store"}
	hd[hkContentLen] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	w.Write(b)
}

func writeError(w http.ResponseWriter, status int, code api.Code, msg string) {
	writeJSON(w, status, api.ErrorBody{Error: &api.Error{Code: code, Message: msg}})
}

// call is an authenticated request.
type call struct {
	deviceID   string
	role       api.Role // the device's, fixed at provisioning
	viaSession bool     // authenticated by a session MAC rather than Ed25519
	body       []byte
}

// handle registers an authenticated route: the body read within limit,
// the device authenticated, its role checked against routeRoles.
func (h *Handler) handle(pattern string, limit int64, fn func(http.ResponseWriter, *http.Request, *call)) {
	roles := rolesOf(pattern)
	h.route(pattern, func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if limit > 0 {
			var err error
			if body, err = readBody(w, r, limit); err != nil {
				h.fail(w, err)
				return
			}
		} else if r.ContentLength > 0 {
			writeError(w, http.StatusBadRequest, api.CodeBadRequest, "this endpoint takes no body")
			return
		}
		c := &call{body: body}
		var err error
		if _, ok := r.Header[hkSessionID]; ok {
			c.viaSession = true
			c.deviceID, c.role, err = h.authenticateSession(r, body)
		} else {
			var d store.Device
			d, err = h.authenticate(r, body)
			c.deviceID, c.role = d.ID, d.Role
		}
		if err == nil && !allowed(roles, c.role) {
			err = ErrRoleForbidden
		}
		if err != nil {
			h.fail(w, err)
			return
		}
		fn(w, r, c)
	})
}

type tooLarge struct{}

func (tooLarge) Error() string { return "body too large" }

func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, tooLarge{}
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, tooLarge{}
	case err != nil:
		return nil, &authError{http.StatusBadRequest, api.CodeBadRequest, "cannot read body"}
	}
	return b, nil
}

// authenticate checks a signed request: headers, clock window, device,
// signature, then the nonce (last, so that only a correctly signed
// request can use up a nonce).
func (h *Handler) authenticate(r *http.Request, body []byte) (store.Device, error) {
	a, err := ParseAuthHeaders(r.Header)
	if err != nil {
		return store.Device{}, err
	}
	now := h.svc.Now()
	if err := h.checkWindow(now, a.Timestamp); err != nil {
		return store.Device{}, err
	}
	d, err := h.svc.Store.Device(r.Context(), a.DeviceID)
	if errors.Is(err, store.ErrNotFound) {
		return d, &authError{http.StatusUnauthorized, api.CodeUnknownDevice, "unknown device"}
	}
	if err != nil {
		return d, err
	}
	if !d.RevokedAt.IsZero() {
		return d, &authError{http.StatusForbidden, api.CodeDeviceRevoked, "device revoked"}
	}
	msg := api.CanonicalString(r.Method, r.URL.RequestURI(), a.Timestamp, a.Nonce, body)
	if !ed25519.Verify(d.PublicKey, []byte(msg), a.Signature) {
		return d, &authError{http.StatusUnauthorized, api.CodeBadSignature, "signature does not verify"}
	}
	return d, h.useNonce(r.Context(), a.DeviceID, a.Nonce, a.Timestamp, now)
}

// checkWindow refuses a timestamp outside the window. The comparison is
// in whole seconds as int64: converting the difference to a
// time.Duration first would wrap for a timestamp about 584 years away and
// let it in.
func (h *Handler) checkWindow(now time.Time, ts int64) error {
	skew, window := now.Unix()-ts, int64(Window/time.Second)
	if skew > window || skew < -window {
		return &authError{http.StatusUnauthorized, api.CodeClockSkew, "X-Timestamp is outside the service's window; correct the clock by X-Server-Time"}
	}
	return nil
}

// useNonce records (device, nonce) in the store until the timestamp
// leaves the window and refuses a pair already seen, by this instance or
// any other on the same database.
func (h *Handler) useNonce(ctx context.Context, deviceID, nonce string, ts int64, now time.Time) error {
	exp := time.Unix(ts, 0).Add(Window + time.Second)
	fresh, err := h.svc.Store.UseNonce(ctx, deviceID, nonce, exp, now)
	if err != nil {
		return err
	}
	if !fresh {
		return &authError{http.StatusUnauthorized, api.CodeReplay, "nonce already used"}
	}
	return nil
}

// fail maps an error to a response. Unknown errors are logged (they carry
// no personal data: the store and service wrap none into errors) and
// answered with a bare 500.
func (h *Handler) fail(w http.ResponseWriter, err error) {
	var ae *authError
	var synErr *json.SyntaxError
	var typErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &ae) && ae.code == api.CodeClockSkew:
		writeJSON(w, ae.status, api.ErrorBody{Error: &api.Error{Code: ae.code, Message: ae.msg, ServerTime: h.svc.Now().Truncate(time.Second)}})
		return
	case errors.As(err, &ae):
		writeError(w, ae.status, ae.code, ae.msg)
		return
	case errors.As(err, new(tooLarge)):
		writeError(w, http.StatusRequestEntityTooLarge, api.CodeBodyTooLarge, "request body too large")
		return
	case errors.As(err, &synErr):
		writeError(w, http.StatusBadRequest, api.CodeBadRequest, "malformed JSON")
		return
	case errors.As(err, &typErr):
		writeError(w, http.StatusBadRequest, api.CodeBadRequest, "wrong type for field "+typErr.Field)
		return
	}
	for _, e := range errorTable {
		if errors.Is(err, e.err) {
			msg := e.msg
			if msg == "" {
				msg = err.Error()
			}
			writeError(w, e.status, e.code, msg)
			return
		}
	}
	if h.svc.unavailable(err) {
		h.log.Warn("Database unavailable", "err", err)
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, api.CodeUnavailable, "the service's database is out of reach; retry later")
		return
	}
	h.log.Error("Request failed", "err", err)
	writeError(w, http.StatusInternalServerError, api.CodeInternal, "internal error")
}

// errorTable maps the service's and the store's errors to responses, first
// match wins. An empty message sends the error's own text: those errors
// name a field or a rule, never a value.
var errorTable = []struct {
	err    error
	status int
	code   api.Code
	msg    string
}{
	{api.ErrTrailingData, http.StatusBadRequest, api.CodeBadRequest, "malformed JSON"},
	{errBadJSON, http.StatusBadRequest, api.CodeBadRequest, ""},
	{pii.ErrInvalidID, http.StatusBadRequest, api.CodeInvalidID, ""},
	{store.ErrCodeInvalid, http.StatusForbidden, api.CodeCodeInvalid, "provisioning code unknown"},
	{store.ErrCodeExpired, http.StatusForbidden, api.CodeCodeExpired, "provisioning code expired"},
	{store.ErrCodeUsed, http.StatusForbidden, api.CodeCodeUsed, "provisioning code already used"},
	{store.ErrKeyInUse, http.StatusConflict, api.CodeKeyInUse, "this public key is registered to another device"},
	{ErrNotEnrolled, http.StatusNotFound, api.CodeNotEnrolled, "resident not enrolled"},
	{ErrUnknownWorker, http.StatusBadRequest, api.CodeUnknownWorker, "unknown or disabled worker"},
	{ErrRoleForbidden, http.StatusForbidden, api.CodeRoleForbidden, "this device's role does not allow this"},
	{ErrWorkerSession, http.StatusUnauthorized, api.CodeWorkerSession, "a worker session of this device and this worker is required; log in again"},
	{ErrBadLogin, http.StatusUnauthorized, api.CodeBadLogin, "worker id or password not accepted"},
	{ErrWorkerLocked, http.StatusTooManyRequests, api.CodeRateLimited, "too many failed logins for this worker; wait 15 minutes"},
	{store.ErrActiveToken, http.StatusConflict, api.CodeActiveToken, "the resident has an active paper code; re-issue it or set replace"},
	{store.ErrTokenNotActive, http.StatusConflict, api.CodeTokenNotActive, "token is not active"},
	{store.ErrConflict, http.StatusConflict, api.CodeConflict, "client ID already used with different content"},
	{ErrUnsealable, http.StatusBadRequest, api.CodeUnsealable, "sealed does not open with the service's sealing key for this purpose"},
	{ErrInvalidField, http.StatusBadRequest, api.CodeInvalidField, ""},
	{ErrBadCursor, http.StatusBadRequest, api.CodeBadCursor, "cursor not recognised"},
	{ErrUnknownPurpose, http.StatusBadRequest, api.CodeUnknownPurpose, "purpose missing or not on the list"},
	{ErrPurposeRefused, http.StatusForbidden, api.CodePurposeRefused, "this device's role may not declare this purpose here"},
	{ErrConsentRequired, http.StatusForbidden, api.CodeConsentRequired, "the resident has not agreed to share her health services"},
	{ErrNoHealthRecord, http.StatusNotFound, api.CodeNoHealthRecord, "the health cloud has no record of the resident"},
	{store.ErrNotFound, http.StatusNotFound, api.CodeNotFound, "not found"},
	{context.Canceled, http.StatusServiceUnavailable, api.CodeInternal, "request cancelled"},
}

var errBadJSON = errors.New("bad request")

// answer is a handler's last step: v with status, or err's answer when
// err is not nil.
func (h *Handler) answer(w http.ResponseWriter, status int, v any, err error) {
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, status, v)
}

// decodeFor reads a request's body into req and checks the purpose it
// declares (p) for the worker it names; both point into req. false means
// the answer has been written.
func (h *Handler) decodeFor(w http.ResponseWriter, r *http.Request, c *call, req any, p *api.Purpose, worker *string) (accessor, bool) {
	if err := decode(c.body, req); err != nil {
		h.fail(w, err)
		return accessor{}, false
	}
	a, err := h.purposeFor(r, c, *p, *worker)
	if err != nil {
		h.fail(w, err)
		return a, false
	}
	return a, true
}

// queryLimit reads a page's optional "limit" from the query: 0 when it
// is absent. false means the answer (a 400) has been written.
func queryLimit(w http.ResponseWriter, q url.Values) (int, bool) {
	s := q.Get("limit")
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		writeError(w, http.StatusBadRequest, api.CodeInvalidField, "limit must be a positive integer")
		return 0, false
	}
	return n, true
}

// decode reads one JSON body strictly (unknown fields refused).
func decode(body []byte, v any) error {
	if err := api.DecodeBytes(body, v); err != nil {
		var synErr *json.SyntaxError
		var typErr *json.UnmarshalTypeError
		if errors.As(err, &synErr) || errors.As(err, &typErr) || errors.Is(err, api.ErrTrailingData) {
			return err
		}
		return fmt.Errorf("%w: %s", errBadJSON, sanitize(err.Error()))
	}
	return nil
}

// sanitize keeps decoder messages ("json: unknown field \"x\"") but caps
// their length; they never contain field values.
func sanitize(s string) string {
	if len(s) > 120 {
		return s[:120]
	}
	return s
}

func parseID(s string, now time.Time) (pii.IDNumber, error) { return pii.ParseIDNumber(s, now) }

func (h *Handler) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "server_time": h.svc.Now().Truncate(time.Second)})
}

func (h *Handler) register(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r, MaxBody)
	if err != nil {
		h.fail(w, err)
		return
	}
	var req api.RegisterRequest
	if err := decode(body, &req); err != nil {
		h.fail(w, err)
		return
	}
	pub, err := base64.RawURLEncoding.DecodeString(req.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		writeError(w, http.StatusBadRequest, api.CodeInvalidKey, "public_key must be a 32-byte Ed25519 key in unpadded base64url")
		return
	}
	if req.Name == "" || len(req.Name) > 100 || req.Code == "" || len(req.Code) > 64 {
		writeError(w, http.StatusBadRequest, api.CodeInvalidField, "name (1-100 bytes) and code are required")
		return
	}
	d, err := h.svc.RegisterDevice(r.Context(), req.Code, req.Name, pub)
	if err != nil {
		h.fail(w, err)
		return
	}
	tl, _, err := h.svc.SignedTrustList(r.Context())
	if err != nil {
		h.fail(w, err)
		return
	}
	h.log.Info("Device registered", "device", d.ID)
	writeJSON(w, http.StatusCreated, api.RegisterResponse{DeviceID: d.ID, ServerTime: h.svc.Now().Truncate(time.Second),
		SealingKey: h.svc.SealingKey().String(), TrustRootKey: base64.RawURLEncoding.EncodeToString(h.svc.RootPublicKey()), TrustList: tl})
}

// serviceKeys is GET /v1/service-keys: the public keys a registering
// device checks against its service fingerprint before it sends its code.
func (h *Handler) serviceKeys(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, api.ServiceKeys{TrustRootKey: base64.RawURLEncoding.EncodeToString(h.svc.RootPublicKey()),
		SealingKey: h.svc.SealingKey().String()})
}

func (h *Handler) trustList(w http.ResponseWriter, r *http.Request) {
	b, _, err := h.svc.SignedTrustList(r.Context())
	if err != nil {
		h.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request, c *call) {
	var req api.StatusRequest
	if id, p, ok := plainStatusRequest(c.body); ok {
		req.IDNumber, req.Purpose = id, api.Purpose(p)
	} else if err := decode(c.body, &req); err != nil {
		h.fail(w, err)
		return
	}
	a, err := h.purposeFor(r, c, req.Purpose, "")
	if err != nil {
		h.fail(w, err)
		return
	}
	id, err := parseID(req.IDNumber, h.svc.Now())
	if err != nil {
		h.fail(w, err)
		return
	}
	if !h.lookup(w, c) {
		return
	}
	resp, err := h.svc.StatusFor(r.Context(), id)
	if err == nil {
		err = h.record(r.Context(), a, h.svc.ResidentKey(id))
	}
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// plainStatusRequest recognises the body every client sends,
// {"id_number":"...","purpose":"..."} with printable ASCII and no escapes
// inside the quotes, without the reflective decoder. It accepts nothing
// the strict decoder would refuse and gives the same strings; any other
// body takes the decoder.
func plainStatusRequest(b []byte) (id, purpose string, ok bool) {
	const pre, mid, post = `{"id_number":"`, `","purpose":"`, `"}`
	if len(b) < len(pre)+len(mid)+len(post) || string(b[:len(pre)]) != pre || string(b[len(b)-len(post):]) != post {
		return "", "", false
	}
	v := b[len(pre) : len(b)-len(post)]
	i := bytes.Index(v, []byte(mid))
	if i < 0 {
		return "", "", false
	}
	for _, c := range v[:i] {
		if !plain(c) {
			return "", "", false
		}
	}
	for _, c := range v[i+len(mid):] {
		if !plain(c) {
			return "", "", false
		}
	}
	return string(v[:i]), string(v[i+len(mid):]), true
}

// plain is a byte that stands for itself inside a JSON string.
func plain(c byte) bool { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' }

func (h *Handler) enrol(w http.ResponseWriter, r *http.Request, c *call) {
	var req api.EnrolmentBatch
	if err := decode(c.body, &req); err != nil {
		h.fail(w, err)
		return
	}
	if len(req.Items) == 0 || len(req.Items) > api.MaxBatchItems {
		writeError(w, http.StatusBadRequest, api.CodeTooManyItems, fmt.Sprintf("a batch has 1 to %d items", api.MaxBatchItems))
		return
	}
	// A session that is not accepted vouches for no item, and the items
	// fall back on the sessions sealed into them: a batch is never
	// refused whole for it. Each item's purpose is its channel, sealed
	// inside it: an item whose purpose the device may not declare is
	// rejected alone.
	wid, _ := h.worker(r, c)
	who := map[api.Purpose]accessor{}
	allowed := func(p api.Purpose) bool {
		if _, ok := who[p]; ok {
			return true
		}
		a, err := h.purposeFor(r, c, p, wid)
		if err != nil {
			return false
		}
		who[p] = a
		return true
	}
	res, touched, err := h.svc.EnrolFor(r.Context(), Caller{DeviceID: c.deviceID, Role: c.role, WorkerID: wid}, req.Items, allowed)
	for p, keys := range touched {
		if err == nil {
			err = h.record(r.Context(), who[p], keys...)
		}
	}
	if err != nil {
		h.fail(w, err)
		return
	}
	h.countIntake(res)
	writeJSON(w, http.StatusOK, api.EnrolmentResponse{Results: res})
}

// pathToken reads the {token_id} path segment. A malformed one is answered
// like an unknown one, so the shape of a token ID leaks nothing.
func pathToken(w http.ResponseWriter, r *http.Request) (string, bool) {
	tid := r.PathValue("token_id")
	if _, err := token.ParseTokenID(tid); err != nil {
		writeError(w, http.StatusNotFound, api.CodeUnknownToken, "unknown token")
		return "", false
	}
	return tid, true
}

// answerToken is answer for a call about one token: not found is the
// token's 404, any other error goes through fail.
func (h *Handler) answerToken(w http.ResponseWriter, status int, v any, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, api.CodeUnknownToken, "unknown token")
	case err != nil:
		h.fail(w, err)
	default:
		writeJSON(w, status, v)
	}
}

func (h *Handler) issue(w http.ResponseWriter, r *http.Request, c *call) {
	var req api.IssueTokenRequest
	a, id, ok := h.forCard(w, r, c, &req, &req.Purpose, &req.IDNumber, &req.WorkerID)
	if !ok {
		return
	}
	resp, err := h.svc.IssueToken(r.Context(), c.deviceID, a.worker, id, req.Replace)
	err = h.recorded(r.Context(), aboutHer(err), a, err, h.svc.ResidentKey(id))
	h.answer(w, http.StatusCreated, resp, err)
}

// forCard reads the body of a request to issue something for one
// resident into req, checks what it declares (its purpose and her ID
// number; p, idNumber and workerID point into req), finds its worker,
// and spends a look-up. Without a worker session it is a resident alone,
// for the card on the reader; a worker named in the body must be the
// session's. false means the answer has been written.
func (h *Handler) forCard(w http.ResponseWriter, r *http.Request, c *call, req any, p *api.Purpose, idNumber, workerID *string) (accessor, pii.IDNumber, bool) {
	a, ok := h.decodeFor(w, r, c, req, p, workerID)
	if !ok {
		return a, "", false
	}
	id, err := parseID(*idNumber, h.svc.Now())
	if err != nil {
		h.fail(w, err)
		return a, "", false
	}
	wid, err := h.worker(r, c)
	if err == nil && *workerID != "" && *workerID != wid {
		err = ErrWorkerSession
	}
	if err != nil {
		h.fail(w, err)
		return a, "", false
	}
	if !h.lookup(w, c) {
		return a, "", false
	}
	a.worker = wid
	return a, id, true
}

func (h *Handler) reissue(w http.ResponseWriter, r *http.Request, c *call) {
	var req api.ReissueRequest
	a, ok := h.decodeFor(w, r, c, &req, &req.Purpose, &req.WorkerID)
	if !ok {
		return
	}
	tid, ok := pathToken(w, r)
	if !ok {
		return
	}
	wid, err := h.needWorker(r, c, req.WorkerID)
	if err != nil {
		h.fail(w, err)
		return
	}
	a.worker = wid
	resp, key, err := h.svc.reissueToken(r.Context(), c.deviceID, wid, tid)
	err = h.recorded(r.Context(), key != nil, a, err, key)
	h.answerToken(w, http.StatusCreated, resp, err)
}

func (h *Handler) lost(w http.ResponseWriter, r *http.Request, c *call) {
	var req api.LostRequest
	a, ok := h.decodeFor(w, r, c, &req, &req.Purpose, &req.WorkerID)
	if !ok {
		return
	}
	id, err := parseID(req.IDNumber, h.svc.Now())
	if err != nil {
		h.fail(w, err)
		return
	}
	wid, err := h.needWorker(r, c, req.WorkerID)
	if err != nil {
		h.fail(w, err)
		return
	}
	a.worker = wid
	revoked, err := h.svc.ReportLost(r.Context(), c.deviceID, wid, id)
	err = h.recorded(r.Context(), aboutHer(err), a, err, h.svc.ResidentKey(id))
	if err != nil {
		h.fail(w, err)
		return
	}
	if revoked == nil {
		revoked = []string{}
	}
	writeJSON(w, http.StatusOK, api.LostResponse{Revoked: revoked})
}

// aboutHer reports whether a call's outcome answers something about the
// resident: her data, or that she is not enrolled or holds an active
// code. Those are accesses and are recorded; a refusal before she was
// looked up (an unknown worker) or a failure of the service is not.
func aboutHer(err error) bool {
	return err == nil || errors.Is(err, ErrNotEnrolled) || errors.Is(err, store.ErrActiveToken) || errors.Is(err, store.ErrTokenNotActive)
}

// queryFor checks the purpose a GET declares in its query, which the
// request's signature covers, and returns who is asking. false means the
// answer has been written.
func (h *Handler) queryFor(w http.ResponseWriter, r *http.Request, c *call) (accessor, bool) {
	a, err := h.purposeFor(r, c, api.Purpose(r.URL.Query().Get(api.ParamPurpose)), "")
	if err != nil {
		h.fail(w, err)
		return a, false
	}
	return a, true
}

func (h *Handler) tokenStatus(w http.ResponseWriter, r *http.Request, c *call) {
	byToken(h, w, r, c, h.svc.tokenStatus)
}

// byToken answers a GET about one token ID, whose purpose is in the
// query: the purpose checked, the look-up counted, get asked, its access
// record written, then the answer.
func byToken[T any](h *Handler, w http.ResponseWriter, r *http.Request, c *call,
	get func(ctx context.Context, tokenID string) (T, []byte, error)) {
	a, ok := h.queryFor(w, r, c)
	if !ok {
		return
	}
	tid, ok := pathToken(w, r)
	if !ok || !h.lookup(w, c) {
		return
	}
	resp, key, err := get(r.Context(), tid)
	if err == nil {
		err = h.record(r.Context(), a, key)
	}
	h.answerToken(w, http.StatusOK, resp, err)
}

func (h *Handler) print(w http.ResponseWriter, r *http.Request, c *call) {
	var req api.PrintRequest
	if err := decode(c.body, &req); err != nil {
		h.fail(w, err)
		return
	}
	if !api.ValidClientID(req.ClientID) || req.PrintedAt.IsZero() {
		writeError(w, http.StatusBadRequest, api.CodeInvalidField, "client_id (8-64 of [A-Za-z0-9_-]) and printed_at are required")
		return
	}
	if req.WorkerID != "" && c.role != api.RoleCounter {
		h.fail(w, ErrRoleForbidden) // nobody works at a self-service kiosk
		return
	}
	dup, err := h.svc.RecordPrint(r.Context(), c.deviceID, req)
	h.answerToken(w, http.StatusOK, api.PrintResponse{ClientID: req.ClientID, Duplicate: dup}, err)
}

func (h *Handler) feed(w http.ResponseWriter, r *http.Request, c *call) {
	q := r.URL.Query()
	a, ok := h.queryFor(w, r, c)
	if !ok {
		return
	}
	limit, ok := queryLimit(w, q)
	if !ok {
		return
	}
	if cur, err := DecodeCursor(q.Get("cursor")); err == nil && cur.Through > 0 {
		h.m.feedLag.Observe(max(0, h.svc.Now().Sub(time.Unix(0, cur.Through)).Seconds()))
	}
	resp, keys, err := h.svc.feed(r.Context(), c.deviceID, q.Get("cursor"), limit)
	if err == nil {
		err = h.record(r.Context(), a, keys...)
	}
	h.answer(w, http.StatusOK, resp, err)
}

func (h *Handler) workers(w http.ResponseWriter, r *http.Request, c *call) {
	ws, err := h.svc.Store.Workers(r.Context())
	if err != nil {
		h.fail(w, err)
		return
	}
	out := api.WorkerList{Workers: []api.Worker{}}
	for _, x := range ws {
		out.Workers = append(out.Workers, api.Worker{WorkerID: x.ID, DisplayName: x.DisplayName, PasswordHash: x.PasswordHash,
			Disabled: x.Disabled, UpdatedAt: x.UpdatedAt})
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) fileCorrection(w http.ResponseWriter, r *http.Request, c *call) {
	var req api.CorrectionRequest
	a, ok := h.decodeFor(w, r, c, &req, &req.Purpose, &req.WorkerID)
	if !ok {
		return
	}
	wid, _ := h.worker(r, c) // as for enrolments: the sealed session is the fallback
	a.worker = wid
	resp, key, err := h.svc.fileCorrection(r.Context(), Caller{DeviceID: c.deviceID, Role: c.role, WorkerID: wid}, req)
	err = h.recorded(r.Context(), key != nil, a, err, key)
	h.answer(w, http.StatusCreated, resp, err)
}

func (h *Handler) corrections(w http.ResponseWriter, r *http.Request, c *call) {
	a, ok := h.queryFor(w, r, c)
	if !ok {
		return
	}
	cs, err := h.svc.Store.Corrections(r.Context(), c.deviceID, "")
	if err != nil {
		h.fail(w, err)
		return
	}
	out := api.CorrectionList{Corrections: []api.Correction{}}
	ids := make([]int64, 0, len(cs))
	for _, x := range cs {
		out.Corrections = append(out.Corrections, apiCorrection(x))
		ids = append(ids, x.ResidentID)
	}
	h.answer(w, http.StatusOK, out, h.recordResidents(r.Context(), a, ids...))
}

// watch answers the stuck-status watchdog for the calling device.
func (h *Handler) watch(w http.ResponseWriter, r *http.Request, c *call) {
	a, ok := h.queryFor(w, r, c)
	if !ok {
		return
	}
	out, keys, err := h.svc.watch(r.Context(), c.deviceID)
	if err == nil {
		err = h.record(r.Context(), a, keys...)
	}
	h.answer(w, http.StatusOK, out, err)
}

func (h *Handler) correction(w http.ResponseWriter, r *http.Request, c *call) {
	a, ok := h.queryFor(w, r, c)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusNotFound, api.CodeNotFound, "no such correction")
		return
	}
	x, err := h.svc.Store.Correction(r.Context(), id)
	if err != nil || x.DeviceID != c.deviceID {
		writeError(w, http.StatusNotFound, api.CodeNotFound, "no such correction")
		return
	}
	h.answer(w, http.StatusOK, apiCorrection(x), h.recordResidents(r.Context(), a, x.ResidentID))
}

// NewHTTPServer wraps h in an http.Server with timeouts that bound slow
// clients: headers in 5 s, a whole request in 30 s.
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
}

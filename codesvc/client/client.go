package client

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/verify"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/sealbox"
)

// Client calls the service as one registered device.
//
// Signed calls go under a session when the service offers them: the client
// obtains one with an Ed25519-signed POST /v1/sessions (an X25519 exchange
// derives the key), MACs each request with HMAC-SHA256 instead of signing
// it, renews the session shortly before it expires, and obtains a new one
// when the service reports it unknown or expired. If the service refuses
// sessions (an older service, or one with sessions off) it signs every
// request with Ed25519, as before, and asks again after a while. A Client
// is safe for concurrent use; its goroutines share one session.
type Client struct {
	BaseURL  string       // e.g. "http://127.0.0.1:8443"
	HTTP     *http.Client // default http.DefaultClient
	DeviceID string
	Key      ed25519.PrivateKey
	// Now is the device's clock; default time.Now. The client adds the
	// skew it has observed from the service's X-Server-Time.
	Now func() time.Time
	// NoSessions makes the client sign every request with Ed25519 and
	// never ask for a session.
	NoSessions bool
	// Purpose is declared with every request about a resident that has
	// none of its own, neither in its request body nor in its context
	// (WithPurpose): the purpose of the device's role (docs/api.md,
	// "Purposes and access records").
	Purpose api.Purpose
	// OnResult, when set, is called after every API call with its
	// outcome: nil, or the error the caller gets. It lets one observer
	// (the kiosk's sync engine) learn from every call made with this
	// client whether the service answers and what its clock says. Set it
	// before the client is shared; it must be quick and must not call the
	// client.
	OnResult func(err error)

	skew atomic.Int64 // service minus device, in seconds

	sess       atomic.Pointer[session]
	sessMu     sync.Mutex   // one session request at a time
	refusedTil atomic.Int64 // unix nanoseconds (device clock): no session request before
}

var _ verify.Live = (*Client)(nil)

// MaxSkew bounds the clock offset a client adopts from the service: a
// larger one is ignored (and the request fails on its timestamp, which
// the doctor's clock check explains). A kiosk whose clock is a timezone
// off (8 hours) still gets in; an answer that would move its clock by
// days, to make an old cached status look fresh, is not taken.
const MaxSkew = 24 * time.Hour

// learnClock adopts the service's X-Server-Time as the skew, only from an
// answer that authenticates the service: to a request this device
// signed, over TLS or loopback, and from the service itself (a success,
// or an error body with the service's code; a proxy's bare 502 is
// neither), and only within MaxSkew.
func (c *Client) learnClock(resp *http.Response, mode authMode) {
	if mode == authNone || !secureChannel(resp) {
		return
	}
	st, err := strconv.ParseInt(resp.Header.Get(api.HeaderServerTime), 10, 64)
	if err != nil {
		return
	}
	d := st - c.now().Unix()
	if d > int64(MaxSkew/time.Second) || d < -int64(MaxSkew/time.Second) {
		return
	}
	c.skew.Store(d)
}

// Skew is the service's clock minus the device's, as last observed.
func (c *Client) Skew() time.Duration { return time.Duration(c.skew.Load()) * time.Second }

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) httpc() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// Register enrols a new device with a one-time provisioning code and
// returns a client for it, trusting whatever answers at baseURL: for
// tests and the load generator. A kiosk registers with Provision, which
// checks the service against its fingerprint first.
func Register(ctx context.Context, baseURL string, httpc *http.Client, code, name string, key ed25519.PrivateKey) (*Client, api.RegisterResponse, error) {
	c := &Client{BaseURL: baseURL, HTTP: httpc, Key: key}
	req := api.RegisterRequest{Code: code, Name: name, PublicKey: base64.RawURLEncoding.EncodeToString(key.Public().(ed25519.PublicKey))}
	var resp api.RegisterResponse
	if err := c.do(ctx, http.MethodPost, "/v1/devices/register", req, &resp, false); err != nil {
		return nil, resp, err
	}
	c.DeviceID = resp.DeviceID
	return c, resp, nil
}

// Sign sets the four signed-request headers on r for body.
func (c *Client) Sign(r *http.Request, body []byte) error {
	var nb [18]byte
	if _, err := rand.Read(nb[:]); err != nil {
		return err
	}
	nonce := base64.RawURLEncoding.EncodeToString(nb[:])
	ts := c.now().Add(c.Skew()).Unix()
	msg := api.CanonicalString(r.Method, r.URL.RequestURI(), ts, nonce, body)
	r.Header.Set(api.HeaderDeviceID, c.DeviceID)
	r.Header.Set(api.HeaderTimestamp, strconv.FormatInt(ts, 10))
	r.Header.Set(api.HeaderNonce, nonce)
	r.Header.Set(api.HeaderSignature, base64.RawURLEncoding.EncodeToString(ed25519.Sign(c.Key, []byte(msg))))
	return nil
}

// authMode says how once authenticates a request.
type authMode int

const (
	authNone    authMode = iota // registration, trust list
	authSigned                  // Ed25519 only (session requests)
	authSession                 // a session if there is or can be one, else Ed25519
)

// call sends one signed request, in as its JSON body (none when nil),
// and decodes the answer into a T.
func call[T any](ctx context.Context, c *Client, method, path string, in any) (T, error) {
	var out T
	err := c.do(ctx, method, path, in, &out, true)
	return out, err
}

// get is call for a GET of path with the query q.
func get[T any](ctx context.Context, c *Client, path string, q url.Values) (T, error) {
	return call[T](ctx, c, http.MethodGet, path+"?"+q.Encode(), nil)
}

// do sends one request. A clock_skew answer updates the skew and is
// retried once with a fresh timestamp and nonce; a session the service no
// longer knows is dropped and the request retried once.
func (c *Client) do(ctx context.Context, method, path string, in, out any, signed bool) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	mode := authNone
	if signed {
		mode = authSession
	}
	err := c.send(ctx, method, path, body, out, mode)
	if c.OnResult != nil {
		c.OnResult(err)
	}
	return err
}

func (c *Client) send(ctx context.Context, method, path string, body []byte, out any, mode authMode) error {
	skewRetried, sessionRetried := false, false
	for {
		err := c.once(ctx, method, path, body, out, mode)
		var ae *api.Error
		if mode == authNone || !errors.As(err, &ae) {
			return err
		}
		switch {
		case ae.Code == api.CodeClockSkew && !skewRetried:
			skewRetried = true
		case sessionCode(ae.Code) && !sessionRetried:
			sessionRetried = true // once dropped the session
		default:
			return err
		}
	}
}

// sessionCode reports the codes after which a session is useless. The
// service refused the request before acting on it, so a retry is safe.
func sessionCode(c api.Code) bool {
	return c == api.CodeUnknownSession || c == api.CodeSessionExpired || c == api.CodeBadMAC
}

func (c *Client) once(ctx context.Context, method, path string, body []byte, out any, mode authMode) error {
	if !httpsURL(c.BaseURL) {
		if err := CheckURL(c.BaseURL); err != nil {
			return err
		}
	}
	var s *session
	if mode == authSession {
		var err error
		if s, err = c.session(ctx); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	} else {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	if w := workerOf(ctx); w != "" {
		req.Header.Set(api.HeaderWorkerSession, w)
	}
	switch {
	case s != nil:
		if err := c.signSession(req, body, s); err != nil {
			return err
		}
	case mode != authNone:
		if err := c.Sign(req, body); err != nil {
			return err
		}
	}
	resp, err := c.httpc().Do(req)
	if err != nil {
		return fmt.Errorf("code service: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("code service: read response: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		var eb api.ErrorBody
		if json.Unmarshal(data, &eb) != nil || eb.Error == nil {
			return &api.Error{Status: resp.StatusCode, Code: api.CodeInternal, Message: http.StatusText(resp.StatusCode)}
		}
		eb.Error.Status = resp.StatusCode
		c.learnClock(resp, mode)
		if s != nil && (sessionCode(eb.Error.Code) || eb.Error.Code == api.CodeDeviceRevoked || eb.Error.Code == api.CodeUnknownDevice) {
			c.sess.CompareAndSwap(s, nil)
		}
		return eb.Error
	}
	c.learnClock(resp, mode)
	if out == nil {
		return nil
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = data
		return nil
	}
	if raw, ok := out.(*rawResponse); ok {
		raw.body, raw.header = data, resp.Header
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("code service: decode response: %w", err)
	}
	return nil
}

// Status looks up a resident's status. The ID number goes in the signed
// body only.
func (c *Client) Status(ctx context.Context, id pii.IDNumber) (api.StatusResponse, error) {
	return call[api.StatusResponse](ctx, c, http.MethodPost, "/v1/status", api.StatusRequest{IDNumber: id.Reveal(), Purpose: c.purpose(ctx)})
}

// Enrol sends a batch of sealed enrolments.
func (c *Client) Enrol(ctx context.Context, items []api.EnrolmentItem) (api.EnrolmentResponse, error) {
	return call[api.EnrolmentResponse](ctx, c, http.MethodPost, "/v1/enrolments", api.EnrolmentBatch{Items: items})
}

// IssueToken asks for a new paper code.
func (c *Client) IssueToken(ctx context.Context, req api.IssueTokenRequest) (api.TokenResponse, error) {
	req.Purpose = c.declared(ctx, req.Purpose)
	return call[api.TokenResponse](ctx, c, http.MethodPost, "/v1/tokens", req)
}

// ReissueToken supersedes tokenID with a new paper code.
func (c *Client) ReissueToken(ctx context.Context, tokenID string, req api.ReissueRequest) (api.TokenResponse, error) {
	req.Purpose = c.declared(ctx, req.Purpose)
	return call[api.TokenResponse](ctx, c, http.MethodPost, "/v1/tokens/"+url.PathEscape(tokenID)+"/reissue", req)
}

// ReportLost revokes a resident's active paper codes.
func (c *Client) ReportLost(ctx context.Context, req api.LostRequest) (api.LostResponse, error) {
	req.Purpose = c.declared(ctx, req.Purpose)
	return call[api.LostResponse](ctx, c, http.MethodPost, "/v1/tokens/lost", req)
}

// Token returns the live state of a token.
func (c *Client) Token(ctx context.Context, tokenID string) (api.TokenStatusResponse, error) {
	return get[api.TokenStatusResponse](ctx, c, "/v1/tokens/"+url.PathEscape(tokenID), c.purposeQuery(ctx))
}

// TokenStatus implements verify.Live, for the purpose in ctx or the
// client's. The service's unknown_token answer matches
// verify.ErrUnknownToken (and stays an *api.Error too).
func (c *Client) TokenStatus(ctx context.Context, tokenID string) (verify.LiveStatus, error) {
	t, err := c.Token(ctx, tokenID)
	if err != nil {
		return verify.LiveStatus{}, unknownToken(err)
	}
	return verify.LiveStatus{State: t.State, MaskedName: t.MaskedName, Status: RulesStatus(t.Status)}, nil
}

// unknownToken makes the service's unknown_token answer match
// verify.ErrUnknownToken, keeping the *api.Error in the chain; other
// errors pass unchanged.
func unknownToken(err error) error {
	var ae *api.Error
	if errors.As(err, &ae) && ae.Code == api.CodeUnknownToken {
		return fmt.Errorf("%w: %w", verify.ErrUnknownToken, err)
	}
	return err
}

// RulesStatus converts a wire status back to rules.Status.
func RulesStatus(s api.Status) rules.Status {
	return rules.Status{Colour: s.Colour, Reason: s.Reason, AsOf: s.AsOf, ValidUntil: s.ValidUntil, Version: s.Version}
}

// RecordPrint records a printed slip.
func (c *Client) RecordPrint(ctx context.Context, req api.PrintRequest) (api.PrintResponse, error) {
	return call[api.PrintResponse](ctx, c, http.MethodPost, "/v1/prints", req)
}

// Feed reads one page of the device's feed.
func (c *Client) Feed(ctx context.Context, cursor string, limit int) (api.FeedResponse, error) {
	return get[api.FeedResponse](ctx, c, "/v1/feed", c.pageQuery(ctx, cursor, limit))
}

// TrustList fetches the signed trust list (unauthenticated).
func (c *Client) TrustList(ctx context.Context) ([]byte, error) {
	var raw []byte
	err := c.do(ctx, http.MethodGet, "/v1/trust-list", nil, &raw, false)
	return raw, err
}

// Workers lists the community workers with their password hashes.
func (c *Client) Workers(ctx context.Context) (api.WorkerList, error) {
	return call[api.WorkerList](ctx, c, http.MethodGet, "/v1/workers", nil)
}

// SealCorrection builds a correction request whose ID number and reason
// are sealed to the service's sealing key (RegisterResponse.SealingKey)
// with api.CorrectionSealInfo: the caller, and anyone who reads the
// request where it is queued, cannot open it again.
func SealCorrection(key *sealbox.PublicKey, clientID, workerID, session string, id pii.IDNumber, reason string) (api.CorrectionRequest, error) {
	plain, err := json.Marshal(api.CorrectionPayload{IDNumber: id.Reveal(), Reason: reason, WorkerSession: session})
	if err != nil {
		return api.CorrectionRequest{}, fmt.Errorf("seal correction: %w", err)
	}
	box, err := sealbox.Seal(key, plain, []byte(api.CorrectionSealInfo))
	clear(plain)
	if err != nil {
		return api.CorrectionRequest{}, fmt.Errorf("seal correction: %w", err)
	}
	return api.CorrectionRequest{ClientID: clientID, Purpose: api.PurposeCorrection, WorkerID: workerID,
		Sealed: base64.RawURLEncoding.EncodeToString(box)}, nil
}

// FileCorrection files a correction request made by SealCorrection.
func (c *Client) FileCorrection(ctx context.Context, req api.CorrectionRequest) (api.Correction, error) {
	if req.Purpose == "" {
		req.Purpose = api.PurposeCorrection // queued before requests declared one
	}
	return call[api.Correction](ctx, c, http.MethodPost, "/v1/corrections", req)
}

// Watch fetches the stuck-status watch list for this device (GET
// /v1/watch): residents whose status needs a 纠错 check, with the reason.
func (c *Client) Watch(ctx context.Context) (api.WatchList, error) {
	return get[api.WatchList](ctx, c, "/v1/watch", c.purposeQuery(ctx))
}

// Corrections lists the corrections this device filed.
func (c *Client) Corrections(ctx context.Context) (api.CorrectionList, error) {
	return get[api.CorrectionList](ctx, c, "/v1/corrections", url.Values{api.ParamPurpose: {string(api.PurposeCorrection)}})
}

package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/shcommunity/kiosk/healthcode"
)

// Signed-request headers. Every /v1 call except registration, the trust
// list and health carries all four.
const (
	HeaderDeviceID   = "X-Device-ID"
	HeaderTimestamp  = "X-Timestamp" // unix seconds, decimal
	HeaderNonce      = "X-Nonce"     // 16 to 64 characters of [A-Za-z0-9_-]
	HeaderSignature  = "X-Signature" // Ed25519 signature, unpadded base64url
	HeaderServerTime = "X-Server-Time"
)

// SignatureScheme is the first line of the canonical string; it changes
// if the canonical form ever does.
const SignatureScheme = "KSV1"

// SealInfo is the HPKE info string for enrolment payloads.
const SealInfo = "kiosk-enrolment-v1"

// CorrectionSealInfo is the HPKE info string for correction payloads. It
// differs from SealInfo so that an enrolment box never opens as a
// correction, nor a correction box as an enrolment.
const CorrectionSealInfo = "kiosk-correction-v1"

// CanonicalString is the text a device signs: the scheme, the method, the
// path with its query exactly as sent, the timestamp, the nonce and the
// lower-case hex SHA-256 of the body (of the empty string for no body),
// joined by "\n" with no trailing newline.
func CanonicalString(method, pathQuery string, ts int64, nonce string, body []byte) string {
	sum := sha256.Sum256(body)
	return strings.Join([]string{
		SignatureScheme, method, pathQuery,
		strconv.FormatInt(ts, 10), nonce, hex.EncodeToString(sum[:]),
	}, "\n")
}

// ValidNonce reports whether s may be used as X-Nonce.
func ValidNonce(s string) bool {
	if len(s) < 16 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Code is a stable machine-readable error code.
type Code string

// The error codes. Clients act on these, never on messages.
const (
	CodeBadRequest       Code = "bad_request"        // malformed JSON, wrong types, unknown fields
	CodeBodyTooLarge     Code = "body_too_large"     // over the endpoint's size limit
	CodeNotFound         Code = "not_found"          // no such route or object
	CodeMethodNotAllowed Code = "method_not_allowed" // route exists, method does not
	CodeInternal         Code = "internal"           // the service's fault; nothing is revealed
	CodeUnavailable      Code = "unavailable"        // 503: the service's database is out of reach; retry later

	CodeAuthMissing    Code = "auth_missing"   // a signed-request header is absent
	CodeAuthMalformed  Code = "auth_malformed" // a header is present but unreadable
	CodeUnknownDevice  Code = "unknown_device" // X-Device-ID not registered
	CodeDeviceRevoked  Code = "device_revoked" // the device was revoked
	CodeClockSkew      Code = "clock_skew"     // X-Timestamp outside ±5 minutes
	CodeReplay         Code = "replay"         // nonce already seen in the window
	CodeBadSignature   Code = "bad_signature"  // signature does not verify
	CodeCodeInvalid    Code = "provisioning_code_invalid"
	CodeCodeExpired    Code = "provisioning_code_expired"
	CodeCodeUsed       Code = "provisioning_code_used"
	CodeKeyInUse       Code = "public_key_in_use" // another device has this key
	CodeInvalidKey     Code = "invalid_public_key"
	CodeInvalidID      Code = "invalid_id_number"
	CodeNotEnrolled    Code = "resident_not_enrolled"
	CodeActiveToken    Code = "active_token_exists"
	CodeTokenNotActive Code = "token_not_active"
	CodeUnknownToken   Code = "unknown_token"
	CodeUnknownWorker  Code = "unknown_worker"
	CodeBadCursor      Code = "bad_cursor"
	CodeConflict       Code = "conflict" // same client ID, different content
	CodeTooManyItems   Code = "too_many_items"
	CodeInvalidField   Code = "invalid_field"
	CodeUnsealable     Code = "unsealable" // a sealed field does not open for its purpose
	// CodeRoleForbidden (403): the device's role may not call this
	// endpoint, or not this way (docs/security.md, "1. Every device could do a worker's work").
	CodeRoleForbidden Code = "role_forbidden"
	// CodeWorkerSession (401): a worker action without a worker session
	// the service accepts: none, forged, expired, another device's or
	// another worker's. The worker logs in again.
	CodeWorkerSession Code = "worker_session_required"
	// CodeBadLogin (401): a worker ID and password the service does not
	// accept; one answer for an unknown worker, a disabled one and a wrong
	// password.
	CodeBadLogin Code = "bad_login"
	// CodeRateLimited (429): too many requests of this kind from this
	// device; Retry-After says when to ask again.
	CodeRateLimited Code = "rate_limited"
)

// Error is the body of every non-2xx response:
// {"error":{"code":"...","message":"..."}}. Status is the HTTP status and
// is not on the wire.
type Error struct {
	Status     int       `json:"-"`
	Code       Code      `json:"code"`
	Message    string    `json:"message"`
	ServerTime time.Time `json:"server_time,omitzero"` // set with clock_skew
}

func (e *Error) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("code service: %d %s: %s", e.Status, e.Code, e.Message)
	}
	return fmt.Sprintf("code service: %s: %s", e.Code, e.Message)
}

// Is matches another *Error with the same code, so callers can write
// errors.Is(err, &api.Error{Code: api.CodeReplay}).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// ErrorBody wraps Error on the wire.
type ErrorBody struct {
	Error *Error `json:"error"`
}

// ErrTrailingData is returned by Decode for a body with more than one JSON
// value.
var ErrTrailingData = errors.New("trailing data after json value")

// Decode reads exactly one JSON value from r into v, refusing unknown
// fields, trailing data, a key given twice in one object
// (ErrDuplicateKey) and a key that names a field only when case is
// ignored (ErrKeyCase).
func Decode(r io.Reader, v any) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return DecodeBytes(b, v)
}

// DecodeBytes is Decode on a byte slice.
func DecodeBytes(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return ErrTrailingData
	}
	// encoding/json matches keys without regard to case and keeps the
	// last of two equal keys; a second pass over the same bytes refuses
	// both.
	return checkKeys(json.NewDecoder(bytes.NewReader(b)), reflect.TypeOf(v))
}

// RegisterRequest is POST /v1/devices/register (not signed: the one-time
// provisioning code is the credential).
type RegisterRequest struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	PublicKey string `json:"public_key"` // Ed25519, 32 bytes, base64url
}

// RegisterResponse tells a new device who it is and what it must trust.
type RegisterResponse struct {
	DeviceID     string          `json:"device_id"`
	ServerTime   time.Time       `json:"server_time"`
	SealingKey   string          `json:"sealing_key"` // sealbox text form
	TrustRootKey string          `json:"trust_root_key"`
	TrustList    json.RawMessage `json:"trust_list"` // as from GET /v1/trust-list
}

// Status is a resident's colour as rules.Evaluate computed it.
type Status struct {
	Colour       healthcode.Colour `json:"colour"`
	Reason       string            `json:"reason"`
	AsOf         time.Time         `json:"as_of"`
	ValidUntil   time.Time         `json:"valid_until,omitzero"` // absent: no change scheduled
	Version      uint64            `json:"version"`
	RulesVersion string            `json:"rules_version"`
}

// StatusRequest is POST /v1/status. The ID number travels in the signed
// body, never in a URL.
type StatusRequest struct {
	IDNumber string  `json:"id_number"`
	Purpose  Purpose `json:"purpose"`
}

// StatusResponse answers a status lookup. Known is false for an ID number
// the service has no record of; its status is still the rules' answer.
type StatusResponse struct {
	Known       bool   `json:"known"`
	ResidentRef string `json:"resident_ref,omitempty"`
	MaskedName  string `json:"masked_name,omitempty"`
	MaskedID    string `json:"masked_id"`
	Status      Status `json:"status"`
}

// EnrolmentBatch is POST /v1/enrolments: at most MaxBatchItems items.
type EnrolmentBatch struct {
	Items []EnrolmentItem `json:"items"`
}

// MaxBatchItems bounds a batch.
const MaxBatchItems = 100

// EnrolmentItem is one sealed enrolment.
type EnrolmentItem struct {
	ClientID string `json:"client_id"` // 8 to 64 characters of [A-Za-z0-9_-]
	Sealed   string `json:"sealed"`    // sealbox box of an EnrolmentPayload, base64url
}

// ValidClientID reports whether s is an acceptable client-generated ID.
func ValidClientID(s string) bool {
	if len(s) < 8 || len(s) > 64 {
		return false
	}
	return validLoose(s)
}

func validLoose(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// EnrolmentPayload is the plaintext inside EnrolmentItem.Sealed.
type EnrolmentPayload struct {
	IDNumber string  `json:"id_number"`
	Name     string  `json:"name"`
	Phone    string  `json:"phone"`
	Consent  Consent `json:"consent"`
	Actor    Actor   `json:"actor"`
	// Channel is where the enrolment was taken: ChannelKiosk (a resident
	// alone at a self-service kiosk) or ChannelCounter (a worker's
	// counter). Empty in enrolments from kiosks older than the field,
	// which were all taken at a counter.
	Channel   string    `json:"channel,omitempty"`
	DeviceID  string    `json:"device_id"`
	CreatedAt time.Time `json:"created_at"`
	// WorkerSession is the session of Actor.WorkerID when the item was
	// made at a counter (HeaderWorkerSession); the service accepts the
	// worker only under it. Sealed with the rest, so a copy of the
	// kiosk's outbox does not give it away.
	WorkerSession string `json:"worker_session,omitempty"`
}

// Enrolment channels.
const (
	ChannelKiosk   = "kiosk"
	ChannelCounter = "counter"
)

// Consent records who agreed to the enrolment, when, and to which text.
type Consent struct {
	Given bool      `json:"given"`
	By    string    `json:"by"` // "self", "family" or "worker"
	At    time.Time `json:"at"`
	// Version names the consent text shown (and read aloud) to the
	// resident; required for a self-enrolment at a kiosk.
	Version string `json:"version,omitempty"`
}

// Actor kinds.
const (
	ActorSelf   = "self"
	ActorWorker = "worker"
	ActorFamily = "family"
)

// Actor is who performed the enrolment at the kiosk.
type Actor struct {
	Kind           string `json:"kind"`
	WorkerID       string `json:"worker_id,omitempty"`
	FamilyIDNumber string `json:"family_id_number,omitempty"`
	// Guardian (with kind family): the family member is the guardian of
	// a resident under healthcode.MinorAge, whose ID number was typed
	// from the household register (户口簿) at a counter.
	Guardian bool `json:"guardian,omitempty"`
}

// Item outcomes.
const (
	OutcomeAccepted  = "accepted"
	OutcomeRejected  = "rejected"
	OutcomeDuplicate = "duplicate"
	OutcomeConflict  = "conflict"
	// OutcomeRateLimited: a self-enrolment over the service's limits for
	// its device or its resident. Nothing was recorded; send the same item
	// again later (a kiosk keeps it queued and backs off).
	OutcomeRateLimited = "rate_limited"
)

// Rejection reasons.
const (
	ReasonUnsealable       = "unsealable"
	ReasonBadPayload       = "bad_payload"
	ReasonInvalidClientID  = "invalid_client_id"
	ReasonInvalidIDNumber  = "invalid_id_number"
	ReasonInvalidName      = "invalid_name"
	ReasonInvalidPhone     = "invalid_phone"
	ReasonConsentMissing   = "consent_missing"
	ReasonInvalidActor     = "invalid_actor"
	ReasonUnknownWorker    = "unknown_worker"
	ReasonDeviceMismatch   = "device_mismatch"
	ReasonProxyCapExceeded = "proxy_cap_exceeded"
	// ReasonWorkerCapExceeded: the worker already has as many enrolments
	// accepted in the last 24 hours as the service allows one worker.
	ReasonWorkerCapExceeded = "worker_cap_exceeded"
	// ReasonWorkerSession: an item naming a worker came without a worker
	// session of that worker on this device that the service accepts
	// (docs/security.md, "1. Every device could do a worker's work").
	ReasonWorkerSession = "worker_session_required"
	// ReasonRoleForbidden: the device's role may not send this item (a
	// self-service kiosk sending a counter's enrolment, or the reverse).
	ReasonRoleForbidden = "role_forbidden"
	// ReasonPurposeRefused: the device's role may not enrol on the
	// item's channel (a kiosk's channel is the purpose self_service, a
	// counter's counter_service).
	ReasonPurposeRefused = "purpose_refused"
)

// EnrolmentResult is the outcome of one item. For a duplicate, Original
// holds the outcome first recorded ("accepted" or "rejected") and Reason
// and ResidentRef repeat it.
type EnrolmentResult struct {
	ClientID    string `json:"client_id"`
	Outcome     string `json:"outcome"`
	Original    string `json:"original,omitempty"`
	Reason      string `json:"reason,omitempty"`
	ResidentRef string `json:"resident_ref,omitempty"`
}

// EnrolmentResponse lists one result per item, in order.
type EnrolmentResponse struct {
	Results []EnrolmentResult `json:"results"`
}

// IssueTokenRequest is POST /v1/tokens. With Replace, active tokens of the
// resident are superseded; without it an active token is a conflict.
type IssueTokenRequest struct {
	IDNumber string  `json:"id_number"`
	Purpose  Purpose `json:"purpose"`
	WorkerID string  `json:"worker_id,omitempty"`
	Replace  bool    `json:"replace,omitempty"`
}

// ReissueRequest is POST /v1/tokens/{token_id}/reissue.
type ReissueRequest struct {
	Purpose  Purpose `json:"purpose"`
	WorkerID string  `json:"worker_id,omitempty"`
}

// ResidentRequest is the body of a request about one resident by her ID
// number: the purpose it declares and, at a counter, the worker serving
// her. LostRequest, AccessRequest, HealthRequest and CodesRequest are its
// names on their endpoints.
type ResidentRequest struct {
	IDNumber string  `json:"id_number"`
	Purpose  Purpose `json:"purpose"`
	WorkerID string  `json:"worker_id,omitempty"`
}

// LostRequest is POST /v1/tokens/lost: every active token of the resident
// is revoked.
type LostRequest = ResidentRequest

// LostResponse lists what was revoked.
type LostResponse struct {
	Revoked []string `json:"revoked"`
}

// TokenResponse is a freshly signed paper code.
type TokenResponse struct {
	TokenID     string    `json:"token_id"`
	Text        string    `json:"text"` // the QR content
	IssuedAt    time.Time `json:"issued_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	KeyID       string    `json:"key_id"`
	ResidentRef string    `json:"resident_ref"`
	MaskedName  string    `json:"masked_name"`
	MaskedID    string    `json:"masked_id"`
	Status      Status    `json:"status"`
	Superseded  []string  `json:"superseded,omitempty"`
}

// Token states.
const (
	StateActive     = "active"
	StateRevoked    = "revoked"
	StateSuperseded = "superseded"
	StateExpired    = "expired"
)

// TokenStatusResponse is GET /v1/tokens/{token_id}: what a verifier needs.
type TokenStatusResponse struct {
	TokenID    string    `json:"token_id"`
	State      string    `json:"state"`
	IssuedAt   time.Time `json:"issued_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	MaskedName string    `json:"masked_name"`
	Status     Status    `json:"status"`
}

// PrintRequest is POST /v1/prints: one printed slip.
type PrintRequest struct {
	ClientID  string    `json:"client_id"`
	TokenID   string    `json:"token_id"`
	WorkerID  string    `json:"worker_id,omitempty"`
	PrintedAt time.Time `json:"printed_at"`
}

// PrintResponse acknowledges a print record.
type PrintResponse struct {
	ClientID  string `json:"client_id"`
	Duplicate bool   `json:"duplicate"`
}

// FeedResponse is GET /v1/feed?cursor=...&limit=...
type FeedResponse struct {
	Entries          []FeedEntry `json:"entries"`
	NextCursor       string      `json:"next_cursor"`
	More             bool        `json:"more"`
	ServerTime       time.Time   `json:"server_time"`
	TrustListVersion uint64      `json:"trust_list_version"`
}

// FeedEntry is the current state of one resident the device serves: it
// replaces whatever the device cached for that resident.
type FeedEntry struct {
	ResidentRef string       `json:"resident_ref"`
	Cause       string       `json:"cause"` // "change" or "scheduled"
	MaskedName  string       `json:"masked_name"`
	MaskedID    string       `json:"masked_id"`
	Status      Status       `json:"status"`
	Tokens      []TokenState `json:"tokens"`
}

// TokenState is a token's state in a feed entry.
type TokenState struct {
	TokenID   string    `json:"token_id"`
	State     string    `json:"state"`
	ExpiresAt time.Time `json:"expires_at"`
}

// CorrectionRequest is POST /v1/corrections (纠错). The resident's ID
// number and the reason (free text that may name the resident) travel
// only inside Sealed, so a kiosk can queue the request on disk without
// being able to read it back.
type CorrectionRequest struct {
	ClientID string  `json:"client_id"` // 8 to 64 characters of [A-Za-z0-9_-]
	Purpose  Purpose `json:"purpose"`   // PurposeCorrection
	WorkerID string  `json:"worker_id,omitempty"`
	Sealed   string  `json:"sealed"` // sealbox box of a CorrectionPayload (info CorrectionSealInfo), base64url
}

// CorrectionPayload is the plaintext inside CorrectionRequest.Sealed.
type CorrectionPayload struct {
	IDNumber string `json:"id_number"`
	Reason   string `json:"reason"` // 1 to MaxCorrectionReason bytes
	// WorkerSession is the session of CorrectionRequest.WorkerID when it
	// was filed, as in EnrolmentPayload.
	WorkerSession string `json:"worker_session,omitempty"`
}

// MaxCorrectionReason bounds a correction's reason, in bytes.
const MaxCorrectionReason = 2000

// Correction states.
const (
	CorrectionOpen     = "open"
	CorrectionAccepted = "accepted"
	CorrectionRejected = "rejected"
)

// Correction is a correction request and its resolution.
type Correction struct {
	ID          int64     `json:"id"`
	ClientID    string    `json:"client_id"`
	ResidentRef string    `json:"resident_ref"`
	DeviceID    string    `json:"device_id"`
	WorkerID    string    `json:"worker_id,omitempty"`
	Reason      string    `json:"reason"`
	FiledAt     time.Time `json:"filed_at"`
	State       string    `json:"state"`
	ResolvedAt  time.Time `json:"resolved_at,omitzero"`
	Note        string    `json:"note,omitempty"`
	EventKind   string    `json:"event_kind,omitempty"`
}

// Why a resident is on the watch list (Watched.Reason): her status
// should have changed by the rules' own schedule and did not, or what she
// was shown may have been wrong.
const (
	// WatchStillYellow: her arrival's yellow ended and she is still
	// yellow, by another state (Detail names it).
	WatchStillYellow = "still_yellow_after_arrival"
	// WatchContactOpen: a close-contact observation began more than
	// WatchContactDays ago and no end is recorded.
	WatchContactOpen = "close_contact_open"
	// WatchCorrectionPending: a 纠错 request filed here has been open
	// more than WatchCorrectionHours.
	WatchCorrectionPending = "correction_pending"
	// WatchLateEvent: an event recorded more than WatchLateHours after it
	// happened changed her colour for the time in between: she was shown
	// the wrong one.
	WatchLateEvent = "late_event"
)

// The watch list's thresholds and window.
const (
	WatchContactDays     = 14
	WatchCorrectionHours = 24
	WatchLateHours       = 24
	// WatchWindowDays: what happened longer ago than this is not listed.
	WatchWindowDays = 14
)

// Watched is one resident on the watch list, for a 纠错 check.
type Watched struct {
	ResidentRef string            `json:"resident_ref"`
	MaskedName  string            `json:"masked_name"`
	MaskedID    string            `json:"masked_id"`
	Reason      string            `json:"reason"`
	Detail      string            `json:"detail,omitempty"` // the state that holds, the event's kind
	Since       time.Time         `json:"since"`            // when it should have changed, was filed, happened
	Colour      healthcode.Colour `json:"colour"`           // her colour now
}

// WatchList is GET /v1/watch: residents this device serves, or filed a
// correction for, whose status needs a 纠错 check, oldest first.
type WatchList struct {
	Residents []Watched `json:"residents"`
}

// CorrectionList is GET /v1/corrections: those this device filed.
type CorrectionList struct {
	Corrections []Correction `json:"corrections"`
}

// Worker is a community worker as devices see them, with the slow hash
// so that a kiosk can check a login offline.
type Worker struct {
	WorkerID     string    `json:"worker_id"`
	DisplayName  string    `json:"display_name"`
	PasswordHash string    `json:"password_hash"` // PHC string, argon2id
	Disabled     bool      `json:"disabled"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// WorkerList is GET /v1/workers.
type WorkerList struct {
	Workers []Worker `json:"workers"`
}

package store

import (
	"context"
	"crypto/ed25519"
	"errors"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
)

// Sentinel errors; match them with errors.Is.
var (
	ErrNotFound       = errors.New("not found")
	ErrCodeInvalid    = errors.New("provisioning code unknown")
	ErrCodeExpired    = errors.New("provisioning code expired")
	ErrCodeUsed       = errors.New("provisioning code already used")
	ErrKeyInUse       = errors.New("public key registered to another device")
	ErrConflict       = errors.New("same client id with different content")
	ErrActiveToken    = errors.New("resident has an active token")
	ErrTokenNotActive = errors.New("token is not active")
	ErrExists         = errors.New("already exists")
	ErrNotOpen        = errors.New("correction is not open")
	// ErrRateLimited: a self-enrolment over its device's or resident's
	// limit (IntakeRequest.Limits). Nothing is recorded: the same item
	// may be sent again later and is then taken as new.
	ErrRateLimited = errors.New("self-enrolment rate limit reached")

	// ErrWrongKEK: the key-encryption key given at start is not the one
	// this database's secrets are wrapped with. Start must stop here: a
	// service that regenerated its keys would orphan every code and every
	// sealed enrolment.
	ErrWrongKEK = errors.New("the key file does not match this database")
	// ErrSecretMoved: a wrapped secret does not open under its own row
	// (its purpose is the additional data), so it was altered or copied
	// from another row.
	ErrSecretMoved = errors.New("a wrapped secret does not belong to its row")
)

// ProvisioningCode is a one-time code an admin hands to an installer. Only
// its SHA-256 is stored.
type ProvisioningCode struct {
	Hash      []byte
	Note      string
	CreatedAt time.Time
	ExpiresAt time.Time
	// Role is what the device registered with this code may do;
	// RegisterDevice copies it to the device.
	Role api.Role
}

// Device is a registered kiosk.
type Device struct {
	ID           string
	Name         string
	PublicKey    ed25519.PublicKey
	RegisteredAt time.Time
	RevokedAt    time.Time // zero while active
	// Role is fixed when the device registers: its provisioning code's.
	// A device registered before roles existed has "" and is allowed
	// nothing a role guards.
	Role api.Role
}

// Resident is what the service keeps about a person.
type Resident struct {
	ID            int64  // internal row ID
	Key           []byte // HMAC-SHA256(service secret, ID number)
	Ref           string // opaque public reference
	MaskedName    string
	MaskedID      string
	ContactSealed []byte // sealbox box of the name and phone, to the service's key
	CreatedAt     time.Time
}

// Event is one recorded fact about a resident. Kind is a rules.EventKind
// wire name; the store does not interpret it.
type Event struct {
	Seq        int64
	Kind       string
	At         time.Time
	RecordedAt time.Time
	Source     string // "admin", "correction:<id>", "dev"
}

// Enrolment outcomes as stored.
const (
	Accepted = "accepted"
	Rejected = "rejected"
)

// Enrolment channels as stored.
const (
	ChannelKiosk   = "kiosk"   // a resident alone at a self-service kiosk
	ChannelCounter = "counter" // a worker's counter (and every enrolment before channels were recorded)
)

// Enrolment is the recorded outcome of one intake item.
type Enrolment struct {
	ClientID    string
	DeviceID    string
	Digest      []byte // SHA-256 of the opened plaintext
	Outcome     string // Accepted or Rejected
	Reason      string
	ResidentRef string
	CreatedAt   time.Time
	// Channel is ChannelKiosk or ChannelCounter; Actor is "self",
	// "worker" or "family"; ConsentVersion names the consent text the
	// resident was shown (required for ChannelKiosk).
	Channel        string
	Actor          string
	ConsentVersion string
	// WorkerID is the worker whose session the item came under ("" for
	// a resident alone); the per-worker cap counts by it.
	WorkerID string
}

// ProxyCaps bounds family proxies.
type ProxyCaps struct {
	ResidentsPerProxy  int // one proxy may act for at most this many residents
	ProxiesPerResident int // one resident may have at most this many proxies
	// WorkerPerDay: one worker may have at most this many enrolments
	// accepted in the 24 hours before an item; 0 is no cap. Over it the
	// item is rejected with reason "worker_cap_exceeded".
	WorkerPerDay int
}

// SelfLimits bound self-enrolments (ChannelKiosk) by the service's clock:
// at most PerDevice accepted from the same device in the DeviceWindow
// before the item, and at most PerResident for the same resident in the
// ResidentWindow. A zero count is no limit.
type SelfLimits struct {
	PerDevice      int
	DeviceWindow   time.Duration
	PerResident    int
	ResidentWindow time.Duration
}

// IntakeRequest is one enrolment item after validation. If Enrolment.Outcome
// is Rejected it is only recorded; otherwise the resident is created or
// updated, the proxy link checked against Caps, and the device starts
// serving the resident.
type IntakeRequest struct {
	Enrolment Enrolment
	Resident  Resident // Key, MaskedName, MaskedID, ContactSealed, Ref (used if new)
	ProxyKey  []byte   // HMAC of the family member's ID number; nil unless a family proxy
	Caps      ProxyCaps
	// Limits apply to an item of ChannelKiosk: over them Intake records
	// nothing and fails with ErrRateLimited.
	Limits SelfLimits
}

// Token is a paper code as stored (the signed text is not kept).
type Token struct {
	ID           string
	ResidentID   int64
	KeyID        string
	IssuedAt     time.Time
	ExpiresAt    time.Time
	State        string // "active", "revoked", "superseded"
	StateAt      time.Time
	SupersededBy string
	DeviceID     string
	WorkerID     string
	// RevokedDevice and RevokedWorker say who revoked it (a report of
	// loss); "" unless State is "revoked" by RevokeTokens.
	RevokedDevice string
	RevokedWorker string
}

// Credential is a medical-visit credential (就医凭证) as the service keeps
// it: enough to answer a hospital desk that asks by its token ID, and
// nothing of the resident in the clear.
type Credential struct {
	ID         string // token ID, text form
	ResidentID int64
	KeyID      string
	IssuedAt   time.Time
	ExpiresAt  time.Time
	DeviceID   string
	WorkerID   string
	// Sealed is a sealbox box, to the service's own sealing key and bound
	// to ID, of what a registration desk may see: full name, gender,
	// birth date and social-security card number.
	Sealed []byte
}

// Print is one printed slip.
type Print struct {
	ClientID   string
	TokenID    string
	DeviceID   string
	WorkerID   string
	PrintedAt  time.Time
	RecordedAt time.Time
}

// Change is a feed row: something about a resident changed at Seq.
type Change struct {
	Seq        int64
	ResidentID int64
}

// Boundary is a scheduled instant at which a resident's colour changes by
// rule alone.
type Boundary struct {
	At         time.Time
	ResidentID int64
}

// Correction is a 纠错 request.
type Correction struct {
	ID          int64
	ClientID    string
	ResidentID  int64
	ResidentRef string
	DeviceID    string
	WorkerID    string
	Reason      string
	FiledAt     time.Time
	State       string // "open", "accepted", "rejected"
	ResolvedAt  time.Time
	Note        string
	EventKind   string
}

// Worker is a community worker.
type Worker struct {
	ID           string
	DisplayName  string
	PasswordHash string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Disabled     bool
}

// SigningKey is a token-signing key. RetiredAt is zero for the key in use.
// RevokedAt is zero unless the key was revoked (leaked): then it is out of
// the trust list at once and its tokens are refused.
type SigningKey struct {
	KeyID      string
	Issuer     string
	PrivateKey ed25519.PrivateKey
	CreatedAt  time.Time
	RetiredAt  time.Time
	RevokedAt  time.Time
}

// Session is a device session: the key the device and the service
// derived when it was opened, and the device it speaks for. Stores keep
// the key wrapped with the key-encryption key, so that every service
// instance on the database can check a request made under a session
// another opened.
type Session struct {
	ID        string
	DeviceID  string
	Key       []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Scheduler returns the future instants at which a resident's colour
// changes by rule alone, given all its events.
type Scheduler func(events []Event) []time.Time

// Store is the service's storage.
type Store interface {
	// Secret returns a named service secret, creating it with gen on first
	// use (in one transaction, so two processes agree on it).
	Secret(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error)

	CreateProvisioningCode(ctx context.Context, c ProvisioningCode) error
	// RegisterDevice consumes the code with this hash and stores d, or
	// fails with ErrCodeInvalid, ErrCodeExpired, ErrCodeUsed or ErrKeyInUse.
	RegisterDevice(ctx context.Context, codeHash []byte, d Device) error
	Device(ctx context.Context, id string) (Device, error)
	Devices(ctx context.Context) ([]Device, error)
	RevokeDevice(ctx context.Context, id string, at time.Time) error

	// ResidentByKey returns the resident and its events in Seq order.
	ResidentByKey(ctx context.Context, key []byte) (Resident, []Event, error)
	// ResidentByID is ResidentByKey by row ID, with the resident's tokens.
	ResidentByID(ctx context.Context, id int64) (Resident, []Event, []Token, error)
	// EnsureResident returns the resident with r.Key, creating it from r.
	EnsureResident(ctx context.Context, r Resident) (Resident, error)
	// AddEvent records e for the resident, replaces its boundaries after
	// e.RecordedAt with those schedule computes from all its events
	// (including e), and logs a change, in one transaction.
	AddEvent(ctx context.Context, residentID int64, e Event, schedule Scheduler) (Event, error)

	// Intake records one enrolment item. An existing client ID with the
	// same digest returns the stored enrolment and dup=true; with another
	// digest it fails with ErrConflict.
	Intake(ctx context.Context, req IntakeRequest) (e Enrolment, dup bool, err error)

	// IssueToken stores t as active. Active tokens of the resident make it
	// fail with ErrActiveToken unless replace, in which case they become
	// superseded by t (returned). The issuing device starts serving the
	// resident. supersede, if set, must be an active token of the same
	// resident and is superseded whatever replace says.
	IssueToken(ctx context.Context, t Token, replace bool, supersede string) (superseded []string, err error)
	Token(ctx context.Context, id string) (Token, error)
	// RevokeTokens revokes every active token of the resident,
	// recording the device and the worker that reported the loss.
	RevokeTokens(ctx context.Context, residentID int64, at time.Time, deviceID, workerID string) ([]string, error)
	// RecordPrint stores p once per client ID; dup reports a repeat.
	RecordPrint(ctx context.Context, p Print) (dup bool, err error)

	// IssueCredential stores a medical-visit credential (ErrExists for an
	// ID already used) and deletes those that expired before purgeBefore,
	// in one transaction.
	IssueCredential(ctx context.Context, c Credential, purgeBefore time.Time) error
	// Credential returns a medical-visit credential by its token ID, or
	// ErrNotFound (never issued, or purged).
	Credential(ctx context.Context, id string) (Credential, error)

	// Changes returns up to limit changes after seq for residents the
	// device serves, in Seq order.
	Changes(ctx context.Context, deviceID string, afterSeq int64, limit int) ([]Change, error)
	// Boundaries returns up to limit boundaries of residents the device
	// serves with after < At <= through, ordered by (At, ResidentID) and
	// strictly after the position (posAt, posResident).
	Boundaries(ctx context.Context, deviceID string, after, through time.Time, posAt time.Time, posResident int64, limit int) ([]Boundary, error)

	FileCorrection(ctx context.Context, c Correction) (Correction, bool, error)
	Correction(ctx context.Context, id int64) (Correction, error)
	Corrections(ctx context.Context, deviceID string, state string) ([]Correction, error)
	// ResolveCorrection closes an open correction; an accepted one with a
	// non-nil event adds it as AddEvent does, in the same transaction.
	ResolveCorrection(ctx context.Context, id int64, state, note string, at time.Time, e *Event, schedule Scheduler) (Correction, error)

	PutWorker(ctx context.Context, w Worker) error
	Worker(ctx context.Context, id string) (Worker, error)
	Workers(ctx context.Context) ([]Worker, error)

	// CreateSession stores s (its ID unused so far). The device then keeps
	// at most max sessions: the oldest beyond go. Sessions expired by
	// s.CreatedAt are removed.
	CreateSession(ctx context.Context, s Session, max int) error
	// Session returns the session with this ID and its device, read
	// together, so that a device revoked through any instance is refused
	// by every other at once; ErrNotFound if there is none. An expired
	// session may still be returned: the caller compares ExpiresAt.
	Session(ctx context.Context, id string) (Session, Device, error)
	// UseNonce records the device's nonce until expires and reports
	// whether it was fresh: never recorded, or its record had expired by
	// now. Two calls with the same pair, from any instances at once, see
	// fresh once.
	UseNonce(ctx context.Context, deviceID, nonce string, expires, now time.Time) (fresh bool, err error)
	// UseSessionNonce is UseNonce for the device of the session with this
	// ID, done only while the session exists, is unexpired at now and its
	// device is not revoked, all in one statement: once an instance knows
	// a session's key (sessions never change), a request under it costs
	// one write and no read. When ok is false, Session tells whether the
	// session ended or expired or its device was revoked; if none of
	// these, the nonce was used before.
	UseSessionNonce(ctx context.Context, sessionID, nonce string, expires, now time.Time) (ok bool, err error)

	AddSigningKey(ctx context.Context, k SigningKey, retireOthersAt time.Time) error
	SigningKeys(ctx context.Context) ([]SigningKey, error)
	// RevokeSigningKey marks the key revoked at at (and retired, if it was
	// not). It fails with ErrNotFound for an unknown key; revoking a
	// revoked key again keeps the first time.
	RevokeSigningKey(ctx context.Context, keyID string, at time.Time) error

	// RecordAccess writes the access records, all or none.
	RecordAccess(ctx context.Context, recs []AccessRecord) error
	// AccessGroups groups the resident's access records at or after
	// since by place and purpose, the group with the latest access
	// first (of two as late, the one recorded last), at most limit
	// groups.
	AccessGroups(ctx context.Context, residentKey []byte, since time.Time, limit int) ([]AccessGroup, error)
	// AccessRecords lists the resident's access records at or after
	// since, oldest first.
	AccessRecords(ctx context.Context, residentKey []byte, since time.Time) ([]AccessRecord, error)
	// PurgeAccess deletes every access record dated before before and
	// reports how many went.
	PurgeAccess(ctx context.Context, before time.Time) (int64, error)

	// SetHealthConsent records c, the resident's agreement to share with
	// the health cloud or its withdrawal, and appends export to the
	// export (hashed with chain), in one transaction. While her newest
	// consent is given she has an export mark (ExportMark): c.Subject
	// and the colour of the last ExportColour entry of export.
	SetHealthConsent(ctx context.Context, c HealthConsent, export []ExportEntry, chain ExportChain) error
	// HealthConsent returns the resident's newest consent row;
	// ErrNotFound if she never gave one.
	HealthConsent(ctx context.Context, residentID int64) (HealthConsent, error)
	// ExportMark returns the mark of a resident who shares with the
	// health cloud now; ErrNotFound if she does not.
	ExportMark(ctx context.Context, residentID int64) (ExportMark, error)
	// ExportState returns how far the export has read.
	ExportState(ctx context.Context) (ExportState, error)
	// ExportChanges returns up to limit changes after afterSeq of
	// residents who share with the health cloud now, in Seq order.
	ExportChanges(ctx context.Context, afterSeq int64, limit int) ([]ExportChange, error)
	// ExportBoundaries returns up to limit scheduled boundaries of
	// residents who share with the health cloud now, after from's
	// (Through, ThroughResident) and at or before through, in (At,
	// ResidentID) order.
	ExportBoundaries(ctx context.Context, from ExportState, through time.Time, limit int) ([]Boundary, error)
	// AppendExport appends entries (hashed with chain, their Seq
	// assigned), updates the marks of their residents and moves the
	// state from from to to, in one transaction; if the state is no
	// longer from (another instance moved it) it changes nothing and
	// fails with ErrConflict.
	AppendExport(ctx context.Context, from, to ExportState, entries []ExportEntry, chain ExportChain) error
	// Exports returns up to limit export entries after afterSeq, in Seq
	// order.
	Exports(ctx context.Context, afterSeq int64, limit int) ([]ExportEntry, error)

	Close() error
}

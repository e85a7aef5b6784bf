package server

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/healthcloud"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/sealbox"
)

// Names of the secrets kept in the store.
const (
	secretResidentKey = "resident-hmac"   // 32 random bytes
	secretSealing     = "sealing-key"     // sealbox private key
	secretTrustRoot   = "trust-root-seed" // Ed25519 seed of the trust-list root
	contactInfo       = "codesvc-contact-v1"
)

// Options configure a Service. Zero fields take the documented defaults.
type Options struct {
	Rules         rules.Rules   // default rules.Default()
	Issuer        string        // default "SH"
	TokenValidity time.Duration // default token.DefaultValidity (180 days)
	Caps          store.ProxyCaps
	// SelfLimits bound self-enrolments at self-service kiosks; default
	// DefaultSelfLimits. A negative PerDevice or PerResident turns that
	// limit off.
	SelfLimits   store.SelfLimits
	Argon2       api.Argon2Params // default api.DefaultArgon2
	CodeValidity time.Duration    // provisioning codes; default 24h
	// SessionTTL is how long a session (POST /v1/sessions) lasts; default
	// DefaultSessionTTL. Negative: sessions are off (the route answers 404
	// and clients sign every request with Ed25519).
	SessionTTL time.Duration
	// MaxSessionsPerDevice bounds the live sessions of one device; the
	// oldest goes first. Default DefaultMaxSessionsPerDevice.
	MaxSessionsPerDevice int
	// WorkerSessionTTL is how long a worker session serves calls;
	// QueueGrace how long after it was issued it still vouches for an
	// item queued under it. Defaults DefaultWorkerSessionTTL and
	// DefaultQueueGrace.
	WorkerSessionTTL time.Duration
	QueueGrace       time.Duration
	// LookupLimits bound each device's look-ups by its role; nil means
	// DefaultLookupLimits, and a role without an entry is not limited.
	LookupLimits map[api.Role]Limit
	// HealthCloud answers for residents' health services; default
	// healthcloud.None (no records).
	HealthCloud healthcloud.Directory
	// AccessRetention is how long access records are kept before
	// PurgeAccess removes them; default DefaultAccessRetention.
	AccessRetention time.Duration
	Now             func() time.Time // default time.Now
	Rand            io.Reader        // default crypto/rand.Reader
	Logger          *slog.Logger     // default slog.Default()
}

// Service is the code service's logic over a store.
type Service struct {
	Store store.Store
	opt   Options

	residentKey []byte
	exportKey   []byte // the health cloud's pseudonyms (HealthSubject)
	sealing     *sealbox.PrivateKey
	root        ed25519.PrivateKey

	workerKey []byte // MACs worker sessions
	dummyOnce sync.Once
	dummyHash string        // checked for an unknown worker, to take the same time
	logins    loginFailures // failed worker logins
	lookups   buckets       // look-ups per device
}

// DefaultSelfLimits bound self-enrolments at self-service kiosks.
//
// A kiosk: 60 accepted in any hour. A resident alone needs a minute or
// more at the kiosk (card, consent, keypad, slip), so one kiosk cannot
// take more; a faster stream is a copied device key or a replayed queue.
// A burst that a kiosk sends when the network returns after a long outage
// is slowed, not lost: the items over the limit are answered rate_limited
// and the kiosk sends them again after its backoff.
//
// A resident: 3 in any 24 hours. A resident is enrolled once; she may come
// back to change her phone number, but a fourth enrolment of the same ID
// card in a day is someone else holding it.
var DefaultSelfLimits = store.SelfLimits{PerDevice: 60, DeviceWindow: time.Hour, PerResident: 3, ResidentWindow: 24 * time.Hour}

// DefaultCaps are the proxy caps: one family member acts for at most 8
// residents, and a resident has at most 3 family proxies. One worker has
// at most 150 enrolments accepted in any 24 hours: a busy counter sees
// a resident every few minutes for a working day, and more is a worker's
// session being used to enrol people who are not there.
var DefaultCaps = store.ProxyCaps{ResidentsPerProxy: 8, ProxiesPerResident: 3, WorkerPerDay: 150}

// New loads (creating on first use) the service's secrets and a signing
// key from st.
func New(ctx context.Context, st store.Store, opt Options) (*Service, error) {
	optionDefaults(&opt)
	if err := opt.Rules.Validate(); err != nil {
		return nil, err
	}
	s := &Service{Store: st, opt: opt}
	random := func(n int) func() ([]byte, error) {
		return func() ([]byte, error) {
			b := make([]byte, n)
			_, err := io.ReadFull(opt.Rand, b)
			return b, err
		}
	}
	var err error
	if s.residentKey, err = st.Secret(ctx, secretResidentKey, random(32)); err != nil {
		return nil, err
	}
	if s.exportKey, err = st.Secret(ctx, secretExportKey, random(32)); err != nil {
		return nil, err
	}
	sk, err := st.Secret(ctx, secretSealing, func() ([]byte, error) {
		k, err := sealbox.GenerateKey()
		if err != nil {
			return nil, err
		}
		return k.Bytes(), nil
	})
	if err != nil {
		return nil, err
	}
	if s.sealing, err = sealbox.ParsePrivateKey(sk); err != nil {
		return nil, fmt.Errorf("sealing key: %w", err)
	}
	seed, err := st.Secret(ctx, secretTrustRoot, random(ed25519.SeedSize))
	if err != nil {
		return nil, err
	}
	s.root = ed25519.NewKeyFromSeed(seed)
	if s.workerKey, err = st.Secret(ctx, secretWorkerSession, random(32)); err != nil {
		return nil, err
	}
	keys, err := st.SigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		if _, err := s.RotateKey(ctx); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// optionDefaults fills the options left zero with their defaults.
func optionDefaults(opt *Options) {
	if opt.Rules.Version == "" {
		opt.Rules = rules.Default()
	}
	if opt.Issuer == "" {
		opt.Issuer = "SH"
	}
	if opt.TokenValidity == 0 {
		opt.TokenValidity = token.DefaultValidity
	}
	if opt.Caps == (store.ProxyCaps{}) {
		opt.Caps = DefaultCaps
	}
	if opt.SelfLimits == (store.SelfLimits{}) {
		opt.SelfLimits = DefaultSelfLimits
	}
	if opt.Argon2 == (api.Argon2Params{}) {
		opt.Argon2 = api.DefaultArgon2
	}
	if opt.CodeValidity == 0 {
		opt.CodeValidity = 24 * time.Hour
	}
	if opt.SessionTTL == 0 {
		opt.SessionTTL = DefaultSessionTTL
	}
	if opt.MaxSessionsPerDevice <= 0 {
		opt.MaxSessionsPerDevice = DefaultMaxSessionsPerDevice
	}
	if opt.HealthCloud == nil {
		opt.HealthCloud = healthcloud.None{}
	}
	if opt.AccessRetention <= 0 {
		opt.AccessRetention = DefaultAccessRetention
	}
	workerDefaults(opt)
	if opt.Rand == nil {
		opt.Rand = rand.Reader
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
}

// workerDefaults fills the defaults of the worker-session and look-up
// options, and the clock's.
func workerDefaults(opt *Options) {
	if opt.WorkerSessionTTL <= 0 {
		opt.WorkerSessionTTL = DefaultWorkerSessionTTL
	}
	if opt.QueueGrace <= 0 {
		opt.QueueGrace = DefaultQueueGrace
	}
	if opt.LookupLimits == nil {
		opt.LookupLimits = DefaultLookupLimits
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
}

// unavailable reports whether err from the store means its database is
// out of reach for now (a store that can tell says so through an
// Unavailable method), so the request may be retried.
func (s *Service) unavailable(err error) bool {
	u, ok := s.Store.(interface{ Unavailable(error) bool })
	return ok && u.Unavailable(err)
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.opt.Now().UTC() }

// Rules returns the rules in force.
func (s *Service) Rules() rules.Rules { return s.opt.Rules }

// SealingKey is the public key kiosks seal enrolments to.
func (s *Service) SealingKey() *sealbox.PublicKey { return s.sealing.Public() }

// RootPublicKey is the trust-list root key kiosks pin.
func (s *Service) RootPublicKey() ed25519.PublicKey { return s.root.Public().(ed25519.PublicKey) }

// Fingerprint is the service fingerprint a provisioning code goes with
// (api.Fingerprint): over spki, the SPKI hash of the TLS certificate
// kiosks will pin (nil when the certificate chains to the kiosks' roots,
// or for loopback without TLS), the trust root and the sealing key.
func (s *Service) Fingerprint(spki []byte) string {
	return api.Fingerprint(spki, s.RootPublicKey(), s.SealingKey().String())
}

// ResidentKey is the store key of an ID number: HMAC-SHA256 under the
// service secret, so a copied database does not list ID numbers.
func (s *Service) ResidentKey(id pii.IDNumber) []byte {
	m := hmac.New(sha256.New, s.residentKey)
	m.Write([]byte("resident\x00"))
	m.Write([]byte(id.Reveal()))
	return m.Sum(nil)
}

var refEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func (s *Service) randomString(prefix string, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.opt.Rand, b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return prefix + refEncoding.EncodeToString(b), nil
}

func toRulesEvents(evs []store.Event) []rules.Event {
	out := make([]rules.Event, len(evs))
	for i, e := range evs {
		out[i] = rules.Event{Seq: e.Seq, Kind: rules.EventKind(e.Kind), At: e.At}
	}
	return out
}

// Evaluate is the only place the service computes a colour.
func (s *Service) Evaluate(evs []store.Event, now time.Time) rules.Status {
	return rules.Evaluate(s.opt.Rules, toRulesEvents(evs), now)
}

// APIStatus converts a rules.Status for the wire.
func (s *Service) APIStatus(st rules.Status) api.Status {
	return api.Status{Colour: st.Colour, Reason: st.Reason, AsOf: st.AsOf, ValidUntil: st.ValidUntil,
		Version: st.Version, RulesVersion: s.opt.Rules.Version}
}

// maxBoundaries bounds the schedule of one resident; rules produce a
// handful of boundaries at most.
const maxBoundaries = 32

// schedule returns the scheduler that lists the instants after from at
// which the colour changes by rule alone.
func (s *Service) schedule(from time.Time) store.Scheduler {
	return func(evs []store.Event) []time.Time {
		re := toRulesEvents(evs)
		var out []time.Time
		t := from
		for range maxBoundaries {
			st := rules.Evaluate(s.opt.Rules, re, t)
			if st.ValidUntil.IsZero() || !st.ValidUntil.After(t) {
				break
			}
			out = append(out, st.ValidUntil)
			t = st.ValidUntil
		}
		return out
	}
}

// Domain errors the handlers map to codes.
var (
	ErrNotEnrolled   = errors.New("resident not enrolled")
	ErrUnknownWorker = errors.New("unknown worker")
	ErrInvalidEvent  = errors.New("invalid event")
	// ErrUnsealable: a sealed field does not open with the service's
	// sealing key for its purpose (wrong key, wrong info string, or
	// damaged). Answered as 400 unsealable.
	ErrUnsealable = errors.New("sealed payload does not open")
	// ErrInvalidField: a field, or a field inside a sealed payload, is
	// missing or out of range. Its message names the field, never a
	// value. Answered as 400 invalid_field.
	ErrInvalidField = errors.New("invalid field")
)

// AddEvent records an event for the resident with this ID number (created
// if new, with the masked ID only). It refuses kinds the rules do not know
// and events dated in the future.
func (s *Service) AddEvent(ctx context.Context, id pii.IDNumber, kind rules.EventKind, at time.Time, source string) (store.Event, error) {
	now := s.Now()
	ev, err := newEvent(kind, at, now, source)
	if err != nil {
		return store.Event{}, err
	}
	ref, err := s.randomString("R", 10)
	if err != nil {
		return store.Event{}, err
	}
	r, err := s.Store.EnsureResident(ctx, store.Resident{Key: s.ResidentKey(id), Ref: ref, MaskedID: id.Masked(), CreatedAt: now})
	if err != nil {
		return store.Event{}, fmt.Errorf("add event: %w", err)
	}
	e, err := s.Store.AddEvent(ctx, r.ID, ev, s.schedule(now))
	if err != nil {
		return store.Event{}, fmt.Errorf("add event: %w", err)
	}
	return e, nil
}

// newEvent is an event of kind at at (now when zero), recorded now from
// source. It refuses, as ErrInvalidEvent, kinds the rules do not know and
// events dated in the future.
func newEvent(kind rules.EventKind, at, now time.Time, source string) (store.Event, error) {
	if !kind.Valid() {
		return store.Event{}, fmt.Errorf("%w: kind %q", ErrInvalidEvent, kind)
	}
	if at.IsZero() {
		at = now
	}
	if at.After(now) {
		return store.Event{}, fmt.Errorf("%w: dated in the future", ErrInvalidEvent)
	}
	return store.Event{Kind: string(kind), At: at.UTC(), RecordedAt: now, Source: source}, nil
}

// StatusFor looks a resident up by ID number and evaluates the rules now.
func (s *Service) StatusFor(ctx context.Context, id pii.IDNumber) (api.StatusResponse, error) {
	now := s.Now()
	r, evs, err := s.Store.ResidentByKey(ctx, s.ResidentKey(id))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return api.StatusResponse{MaskedID: id.Masked(), Status: s.APIStatus(s.Evaluate(nil, now))}, nil
	case err != nil:
		return api.StatusResponse{}, err
	}
	return api.StatusResponse{Known: true, ResidentRef: r.Ref, MaskedName: r.MaskedName, MaskedID: r.MaskedID,
		Status: s.APIStatus(s.Evaluate(evs, now))}, nil
}

// ProvisionDevice creates a one-time provisioning code, valid for the
// configured CodeValidity, for a device of this role, and returns its
// text (shown once). The role is kept with the code and becomes the
// device's when it registers; it fails with ErrInvalidField for a role
// not in api.Roles.
func (s *Service) ProvisionDevice(ctx context.Context, note string, role api.Role) (string, time.Time, error) {
	if !role.Valid() {
		return "", time.Time{}, fmt.Errorf("%w: role %q is not one of %v", ErrInvalidField, role, api.Roles)
	}
	raw, err := s.randomString("", 10) // 16 base32 characters, 80 bits
	if err != nil {
		return "", time.Time{}, err
	}
	code := raw[0:4] + "-" + raw[4:8] + "-" + raw[8:12] + "-" + raw[12:16]
	now := s.Now()
	exp := now.Add(s.opt.CodeValidity)
	err = s.Store.CreateProvisioningCode(ctx, store.ProvisioningCode{Hash: codeHash(code), Note: note, CreatedAt: now, ExpiresAt: exp,
		Role: role})
	return code, exp, err
}

// codeHash normalises a provisioning code (case, dashes, spaces) and
// hashes it.
func codeHash(code string) []byte {
	c := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
	h := sha256.Sum256([]byte("provisioning\x00" + c))
	return h[:]
}

// DeviceID derives a device's ID from its public key.
func DeviceID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return "D" + refEncoding.EncodeToString(h[:10])
}

// RegisterDevice consumes a provisioning code and registers the key,
// with the role the code was made for.
func (s *Service) RegisterDevice(ctx context.Context, code, name string, pub ed25519.PublicKey) (store.Device, error) {
	d := store.Device{ID: DeviceID(pub), Name: name, PublicKey: pub, RegisteredAt: s.Now()}
	if err := s.Store.RegisterDevice(ctx, codeHash(code), d); err != nil {
		return store.Device{}, err
	}
	return s.Store.Device(ctx, d.ID)
}

// AddWorker adds or replaces a community worker with a slow password hash.
func (s *Service) AddWorker(ctx context.Context, id, name, password string) error {
	if id == "" || name == "" || len(password) < 6 {
		return fmt.Errorf("worker: need an ID, a name and a password of at least 6 characters")
	}
	h, err := api.HashPassword(password, s.opt.Argon2)
	if err != nil {
		return err
	}
	now := s.Now()
	created := now
	if old, err := s.Store.Worker(ctx, id); err == nil {
		created = old.CreatedAt
	}
	return s.Store.PutWorker(ctx, store.Worker{ID: id, DisplayName: name, PasswordHash: h, CreatedAt: created, UpdatedAt: now})
}

// RotateKey makes a new signing key current. The old one stays in the
// trust list until the last token it signed has expired.
func (s *Service) RotateKey(ctx context.Context) (string, error) {
	pub, priv, err := ed25519.GenerateKey(s.opt.Rand)
	if err != nil {
		return "", fmt.Errorf("rotate key: %w", err)
	}
	now := s.Now().Truncate(time.Second)
	k := store.SigningKey{KeyID: token.KeyIDFor(pub), Issuer: s.opt.Issuer, PrivateKey: priv, CreatedAt: now}
	if err := s.Store.AddSigningKey(ctx, k, now); err != nil {
		return "", fmt.Errorf("rotate key: %w", err)
	}
	return k.KeyID, nil
}

// RevokeKey takes a signing key out of the trust list at once, for good
// (a leaked key): checkers refuse its tokens offline from their next
// trust-list pull (the feed announces the new version), and the service
// answers "revoked" for them at once. If it is the key in use, a new one
// is made first, so that the service keeps signing. The revocation is
// dated so that the list's version grows even within the second of the
// last change. It returns the new list's version; an unknown key fails
// with store.ErrNotFound, and a revoked key again changes nothing.
func (s *Service) RevokeKey(ctx context.Context, keyID string) (uint64, error) {
	keys, err := s.Store.SigningKeys(ctx)
	if err != nil {
		return 0, err
	}
	i := slices.IndexFunc(keys, func(k store.SigningKey) bool { return k.KeyID == keyID })
	if i < 0 {
		return 0, fmt.Errorf("revoke key %s: %w", keyID, store.ErrNotFound)
	}
	if keys[i].RetiredAt.IsZero() && keys[i].RevokedAt.IsZero() {
		if _, err := s.RotateKey(ctx); err != nil {
			return 0, err
		}
	}
	before, err := s.TrustList(ctx)
	if err != nil {
		return 0, err
	}
	if keys[i].RevokedAt.IsZero() {
		at := max(s.Now().Truncate(time.Second).Unix(), int64(before.Version)+1)
		if err := s.Store.RevokeSigningKey(ctx, keyID, time.Unix(at, 0).UTC()); err != nil {
			return 0, err
		}
	}
	after, err := s.TrustList(ctx)
	return after.Version, err
}

// keyRevoked reports whether the key with this ID was revoked.
func (s *Service) keyRevoked(ctx context.Context, keyID string) (bool, error) {
	keys, err := s.Store.SigningKeys(ctx)
	if err != nil {
		return false, err
	}
	i := slices.IndexFunc(keys, func(k store.SigningKey) bool { return k.KeyID == keyID })
	return i >= 0 && !keys[i].RevokedAt.IsZero(), nil
}

// currentSigner returns the newest unretired, unrevoked key as a
// token.Signer.
func (s *Service) currentSigner(ctx context.Context) (*token.Signer, error) {
	keys, err := s.Store.SigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	for i := len(keys) - 1; i >= 0; i-- {
		if keys[i].RetiredAt.IsZero() && keys[i].RevokedAt.IsZero() {
			k := keys[i]
			return token.NewSigner(k.Issuer, k.KeyID, k.PrivateKey), nil
		}
	}
	return nil, errors.New("no signing key in use")
}

// TrustList builds the current trust list: the key in use and every
// retired key whose tokens may still be unexpired, but never a revoked
// key. Its version is the latest of the keys' creations, revocations and
// the ends of retired keys' tokens.
func (s *Service) TrustList(ctx context.Context) (token.TrustList, error) {
	keys, err := s.Store.SigningKeys(ctx)
	if err != nil {
		return token.TrustList{}, err
	}
	now := s.Now().Truncate(time.Second)
	tl := token.TrustList{Issuer: s.opt.Issuer, IssuedAt: now, NextUpdate: now.Add(24 * time.Hour)}
	var version int64
	for _, k := range keys {
		version = max(version, k.CreatedAt.Unix())
		if !k.RevokedAt.IsZero() {
			version = max(version, k.RevokedAt.Unix())
			continue
		}
		if !k.RetiredAt.IsZero() {
			if !k.RetiredAt.After(k.CreatedAt) {
				continue // retired within the second it was made: it signed nothing listable
			}
			gone := k.RetiredAt.Add(s.opt.TokenValidity)
			if !gone.After(now) {
				version = max(version, gone.Unix())
				continue
			}
		}
		tl.Keys = append(tl.Keys, token.TrustedKey{KeyID: k.KeyID, Issuer: k.Issuer,
			PublicKey: k.PrivateKey.Public().(ed25519.PublicKey), NotBefore: k.CreatedAt, NotAfter: k.RetiredAt})
	}
	tl.Version = uint64(version)
	return tl, nil
}

// SignedTrustList is TrustList signed by the root key.
func (s *Service) SignedTrustList(ctx context.Context) ([]byte, uint64, error) {
	tl, err := s.TrustList(ctx)
	if err != nil {
		return nil, 0, err
	}
	b, err := token.SignTrustList(tl, s.root)
	return b, tl.Version, err
}

type contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

func (s *Service) sealContact(name pii.Name, phone string) ([]byte, error) {
	b, err := json.Marshal(contact{Name: name.Reveal(), Phone: phone})
	if err != nil {
		return nil, err
	}
	return sealbox.Seal(s.sealing.Public(), b, []byte(contactInfo))
}

// SeedResident creates a resident (or refreshes its masked name and
// sealed contact) without an enrolment: for --dev data and imports.
func (s *Service) SeedResident(ctx context.Context, id pii.IDNumber, name pii.Name, phone string) (store.Resident, error) {
	sealed, err := s.sealContact(name, phone)
	if err != nil {
		return store.Resident{}, err
	}
	ref, err := s.randomString("R", 10)
	if err != nil {
		return store.Resident{}, err
	}
	return s.Store.EnsureResident(ctx, store.Resident{Key: s.ResidentKey(id), Ref: ref, MaskedName: name.Masked(),
		MaskedID: id.Masked(), ContactSealed: sealed, CreatedAt: s.Now()})
}

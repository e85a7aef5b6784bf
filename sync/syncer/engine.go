package syncer

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/sealbox"
	"github.com/shcommunity/kiosk/sync/localstore"
)

// Outbox item kinds.
const (
	KindEnrolment  = "enrolment"
	KindPrint      = "print"
	KindCorrection = "correction"
)

// Defaults of Config.
const (
	DefaultBatchSize     = 50
	DefaultFeedLimit     = 200
	DefaultFreshness     = 24 * time.Hour
	DefaultInterval      = time.Minute
	DefaultMinBackoff    = time.Second
	DefaultMaxBackoff    = 5 * time.Minute
	DefaultLiveTimeout   = 3 * time.Second
	DefaultWorkerRefresh = time.Hour
)

// Config configures an Engine. Store and Remote are required; the device
// identity comes from the store's settings (SaveIdentity) unless given.
type Config struct {
	Store  *localstore.Store
	Remote Remote
	// Clock is the service-corrected clock; when nil one is made over
	// time.Now with the skew saved in the store.
	Clock *Clock

	DeviceID   string             // default: the saved identity's
	SealingKey *sealbox.PublicKey // default: the saved identity's

	BatchSize     int           // enrolments per request; ≤ api.MaxBatchItems
	FeedLimit     int           // feed entries per page
	Freshness     time.Duration // how long after its as-of a cached status may be shown
	Interval      time.Duration // between syncs while all is well
	MinBackoff    time.Duration // first retry delay after a failure
	MaxBackoff    time.Duration // cap of the retry delay
	LiveTimeout   time.Duration // how long a live status lookup may take before the cache answers
	WorkerRefresh time.Duration // how often the worker list is fetched

	// Jitter randomises a backoff delay; the default picks uniformly in
	// [d/2, d] so that kiosks coming back together do not stampede.
	Jitter func(d time.Duration) time.Duration
	Logger *slog.Logger
}

// Engine is the sync engine. Its methods are safe for concurrent use.
type Engine struct {
	cfg   Config
	st    *localstore.Store
	rm    Remote
	clock *Clock
	log   *slog.Logger
	wake  chan struct{}

	syncMu   sync.Mutex // one sync at a time
	inFlight atomic.Int64
	worker   atomic.Pointer[string] // the logged-in worker's session (SetWorkerSession)

	mu          sync.Mutex
	lastSuccess time.Time
	lastError   string
	lastErrorAt time.Time
	online      bool
	workersAt   time.Time
	savedSkew   time.Duration
	damaged     error // the store's damage, once seen: the kiosk stops serving
}

// Settings keys the engine keeps in the store.
const (
	setDeviceID     = "device_id"
	setSealingKey   = "service_sealing_key"
	setTrustRoot    = "trust_root_key"
	setTrustList    = "trust_list"
	setTrustVersion = "trust_list_version"
	setTLSPin       = "service_tls_pin"
	setFeedCursor   = "feed_cursor"
	setClockSkew    = "clock_skew_ns"
	setLastSuccess  = "last_sync_success"
)

// LastSuccess returns when the engine that keeps its state in st last
// completed a sync round, and false if it never has. The doctor reads it
// without starting an engine.
func LastSuccess(ctx context.Context, st *localstore.Store) (time.Time, bool, error) {
	b, ok, err := st.Setting(ctx, setLastSuccess)
	if err != nil || !ok || len(b) != 8 {
		return time.Time{}, false, err
	}
	return time.UnixMilli(int64(binary.BigEndian.Uint64(b))).UTC(), true, nil
}

// positiveOr sets *v to def when it is zero or less: a Config field
// left unset takes its default.
func positiveOr[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// New makes an engine. It does not start syncing: call Run.
func New(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.Store == nil || cfg.Remote == nil {
		return nil, errors.New("syncer: store and remote are required")
	}
	positiveOr(&cfg.BatchSize, DefaultBatchSize)
	cfg.BatchSize = min(cfg.BatchSize, api.MaxBatchItems)
	positiveOr(&cfg.FeedLimit, DefaultFeedLimit)
	positiveOr(&cfg.Freshness, DefaultFreshness)
	positiveOr(&cfg.Interval, DefaultInterval)
	positiveOr(&cfg.MinBackoff, DefaultMinBackoff)
	positiveOr(&cfg.MaxBackoff, DefaultMaxBackoff)
	positiveOr(&cfg.LiveTimeout, DefaultLiveTimeout)
	positiveOr(&cfg.WorkerRefresh, DefaultWorkerRefresh)
	if cfg.Jitter == nil {
		cfg.Jitter = func(d time.Duration) time.Duration { return d/2 + rand.N(d/2+1) }
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	e := &Engine{cfg: cfg, st: cfg.Store, rm: cfg.Remote, log: cfg.Logger.With("subsystem", "syncer"), wake: make(chan struct{}, 1)}
	id, err := LoadIdentity(ctx, cfg.Store)
	if err != nil && (cfg.DeviceID == "" || cfg.SealingKey == nil) {
		return nil, err
	}
	if cfg.DeviceID == "" {
		e.cfg.DeviceID = id.DeviceID
	}
	if cfg.SealingKey == nil {
		e.cfg.SealingKey = id.SealingKey
	}
	if b, ok, err := cfg.Store.Setting(ctx, setClockSkew); err != nil {
		return nil, err
	} else if ok && len(b) == 8 {
		e.savedSkew = time.Duration(binary.BigEndian.Uint64(b))
	}
	e.clock = cfg.Clock
	if e.clock == nil {
		e.clock = NewClock(nil, e.savedSkew)
	} else if !e.clock.Known() {
		// Until the service answers, the skew last measured is the best
		// estimate: a kiosk restarted offline keeps judging freshness by
		// the service's clock.
		e.clock.skew.Store(int64(e.savedSkew))
	}
	if e.lastSuccess, _, err = LastSuccess(ctx, cfg.Store); err != nil {
		return nil, err
	}
	if err := e.resealLegacyCorrections(ctx); err != nil {
		return nil, err
	}
	if r, ok := cfg.Remote.(callReporter); ok {
		r.reportTo(e.noteCall)
	}
	return e, nil
}

// Clock returns the engine's service-corrected clock.
func (e *Engine) Clock() *Clock { return e.clock }

// Store returns the engine's store.
func (e *Engine) Store() *localstore.Store { return e.st }

// SyncNow asks the running loop to sync at once (the UI's "sync now"
// button, or a hint that the network is back). It does not wait.
func (e *Engine) SyncNow() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Run syncs until ctx is done: at once, then every Interval while all is
// well, and after a failure again after an exponential backoff with
// jitter, capped at MaxBackoff, so that the kiosk starts syncing by
// itself when the network returns. SyncNow cuts any wait short. Run
// returns nil when ctx is done, and an error only for a damaged store.
func (e *Engine) Run(ctx context.Context) error {
	failures := 0
	for {
		err := e.SyncOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, localstore.ErrCorrupt) {
			return err
		}
		wait := e.cfg.Interval
		if err != nil {
			failures++
			wait = e.backoff(failures)
		} else {
			failures = 0
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-e.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// backoff is MinBackoff·2^(n-1), capped at MaxBackoff, jittered.
func (e *Engine) backoff(n int) time.Duration {
	d := e.cfg.MinBackoff
	for i := 1; i < n && d < e.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return e.cfg.Jitter(min(d, e.cfg.MaxBackoff))
}

// SyncOnce pushes the outbox and then pulls the feed, the trust list and
// (every WorkerRefresh) the workers. It returns the first error.
func (e *Engine) SyncOnce(ctx context.Context) error {
	e.syncMu.Lock()
	defer e.syncMu.Unlock()
	err := e.push(ctx)
	if err == nil {
		err = e.pull(ctx)
	}
	if err == nil {
		if _, perr := e.st.PurgeAcked(ctx); perr != nil {
			err = perr
		}
	}
	return e.record(ctx, err)
}

// Push sends the outbox now, without pulling the feed: the short path for
// an enrolment whose resident waits at the kiosk for her first code. It
// runs under the same lock as a sync, so it never interleaves with one.
func (e *Engine) Push(ctx context.Context) error {
	e.syncMu.Lock()
	defer e.syncMu.Unlock()
	err := e.push(ctx)
	if err != nil {
		e.damage(err)
	}
	return err
}

// record notes the outcome of a sync round: the summary's fields, and on
// success the time and the clock skew, kept in the store. It returns the
// round's error, or the store's if the success could not be kept.
func (e *Engine) record(ctx context.Context, err error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.clock.Now()
	if err != nil {
		if ctx.Err() == nil {
			e.lastError, e.lastErrorAt = err.Error(), now
			e.online = errors.Is(err, ErrDeferred) // the service answered "later"
			e.log.Warn("Sync failed", "err", err)
		}
		e.noteDamage(err)
		return err
	}
	e.lastSuccess, e.online = now, true
	e.lastError = ""
	err = e.st.InTx(ctx, func(tx *localstore.Tx) error {
		if err := tx.SetSetting(setLastSuccess, binary.BigEndian.AppendUint64(nil, uint64(now.UnixMilli()))); err != nil {
			return err
		}
		if skew := e.clock.Skew(); (skew - e.savedSkew).Abs() >= time.Second {
			e.savedSkew = skew
			return tx.SetSetting(setClockSkew, binary.BigEndian.AppendUint64(nil, uint64(skew)))
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		// The round itself went well; the store would not keep it.
		e.lastError, e.lastErrorAt = "record the sync: "+err.Error(), now
		e.log.Error("Sync not recorded", "err", err)
		e.noteDamage(err)
	}
	return err
}

// damage is noteDamage for a caller that does not hold e.mu.
func (e *Engine) damage(err error) {
	e.mu.Lock()
	e.noteDamage(err)
	e.mu.Unlock()
}

// noteDamage remembers a damaged store; e.mu is held.
func (e *Engine) noteDamage(err error) {
	if e.damaged == nil && errors.Is(err, localstore.ErrCorrupt) {
		e.damaged = err
		e.log.Error("The local store is damaged: this kiosk stops recording", "err", err)
	}
}

// Damaged returns the damage the engine found in its store (an error
// matching localstore.ErrCorrupt), or nil. A kiosk whose store is damaged
// can record nothing, so it must say it is out of service.
func (e *Engine) Damaged() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.damaged
}

// noteCall sets the online state from one call's outcome, so that the
// status bar is right between syncs: a live status look-up, or a token or
// venue call made with the remote's client, is newer news than the last
// sync. A call its caller cancelled says nothing about the service.
func (e *Engine) noteCall(err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	on := answered(err)
	e.mu.Lock()
	e.online = on
	e.mu.Unlock()
}

// Quarantined is an outbox item the service refused, with its reason.
type Quarantined struct {
	Seq       int64
	ClientID  string
	Kind      string
	Receipt   string
	Reason    string // the service's code, e.g. "invalid_phone"
	Attempts  int
	CreatedAt time.Time
}

// Summary is the sync state for the UI.
type Summary struct {
	Pending     int
	InFlight    int
	Quarantined []Quarantined
	Online      bool      // the service answered the latest call (a sync, a status look-up, any call with the remote's client)
	LastSuccess time.Time // service time; zero: never
	LastError   string    // empty after a success
	LastErrorAt time.Time
	Skew        time.Duration
}

// Summary reports the outbox, the last sync's outcome and whether the
// service answered the latest call.
func (e *Engine) Summary(ctx context.Context) (Summary, error) {
	c, err := e.st.Counts(ctx)
	if err != nil {
		e.damage(err)
		return Summary{}, err
	}
	q, err := e.st.Quarantined(ctx)
	if err != nil {
		e.damage(err)
		return Summary{}, err
	}
	e.mu.Lock()
	s := Summary{Pending: c.Pending, InFlight: int(e.inFlight.Load()), Online: e.online, LastSuccess: e.lastSuccess,
		LastError: e.lastError, LastErrorAt: e.lastErrorAt, Skew: e.clock.Skew()}
	e.mu.Unlock()
	for _, it := range q {
		s.Quarantined = append(s.Quarantined, Quarantined{Seq: it.Seq, ClientID: it.ClientID, Kind: it.Kind,
			Receipt: it.Receipt, Reason: it.Reason, Attempts: it.Attempts, CreatedAt: it.CreatedAt})
	}
	return s, nil
}

// Retry puts a quarantined item back in the queue after a fix and wakes
// the loop. An enrolment gets a new client ID: the service records a
// refused enrolment under its client ID and would answer the same ID
// with the same refusal; the refused one created nothing, so the new ID
// cannot make a duplicate.
func (e *Engine) Retry(ctx context.Context, seq int64) error {
	it, err := e.st.Item(ctx, seq)
	if err != nil {
		return err
	}
	newID := ""
	if it.Kind == KindEnrolment {
		newID = newClientID()
	}
	if err := e.st.Retry(ctx, seq, newID); err != nil {
		return err
	}
	if err := e.st.InTx(ctx, func(tx *localstore.Tx) error {
		_, err := tx.Audit("", "outbox_retry", it.Resident, it.Kind+" "+it.Receipt)
		return err
	}); err != nil {
		return err
	}
	e.SyncNow()
	return nil
}

func (e *Engine) observe(server time.Time) { e.clock.Observe(server, e.clock.Kiosk()) }

// call runs one remote call and learns the service's clock from a
// clock_skew refusal.
func (e *Engine) call(err error) error {
	var ae *api.Error
	if errors.As(err, &ae) && ae.Code == api.CodeClockSkew {
		e.observe(ae.ServerTime)
	}
	return err
}

func wrapf(err error, format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, err)...)
}

package syncer

import (
	"context"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/sync/localstore"
)

// Answer is what the kiosk can say about a resident's status.
type Answer struct {
	Source     healthcode.Source
	Colour     healthcode.Colour // empty unless Source is live or cached
	Reason     string
	AsOf       time.Time // service time the colour was computed
	ValidUntil time.Time
	// ShowUntil is when a screen must take the colour off: the end of
	// the freshness bound from AsOf (healthcode.Status.ShowUntil).
	ShowUntil time.Time
	// Known: the service knows the resident, by its live answer, or
	// this kiosk holds an answer about her (however old).
	Known      bool
	Receipt    string // pending: the receipt number
	MaskedName string
	MaskedID   string
	// Why explains an unknown answer: "offline, no cached status",
	// "cached status past its valid-until", "cached status older than
	// the freshness bound".
	Why string
}

// Status is the answer as a screen or a slip may show it.
func (a Answer) Status() healthcode.Status {
	return healthcode.Status{Source: a.Source, Colour: a.Colour, Reason: a.Reason, AsOf: a.AsOf, ValidUntil: a.ValidUntil,
		ShowUntil: a.ShowUntil}
}

// VenueStatus is Status for a card tapped at a venue check: the service's
// live answer, never written to the cache, so that a venue checker keeps
// no trace of who passed (docs/security.md, finding 3). Offline it reads
// the cache as Status does; a venue checker serves nobody through the
// feed, so that is "unknown" and the staff check the paper code instead.
func (e *Engine) VenueStatus(ctx context.Context, id pii.IDNumber) (Answer, error) {
	return e.status(ctx, id, false)
}

// Status answers "what is this resident's colour?" without ever giving a
// stale green: the service's live answer when it can be reached within
// LiveTimeout; otherwise the cached answer only until its valid_until and
// within the freshness bound of its as-of, both judged by the
// service-corrected clock; otherwise, for a resident enrolled here and
// not yet confirmed, "pending" with the receipt; otherwise "unknown".
// Errors are returned only for a refusal about the request itself (for
// example an invalid ID number) or a store failure.
func (e *Engine) Status(ctx context.Context, id pii.IDNumber) (Answer, error) {
	return e.status(ctx, id, true)
}

// status is Status, writing the live answer to the cache only with keep.
func (e *Engine) status(ctx context.Context, id pii.IDNumber, keep bool) (Answer, error) {
	key := e.st.KeyOf(id)
	lctx, cancel := context.WithTimeout(ctx, e.cfg.LiveTimeout)
	resp, err := e.rm.Status(lctx, id)
	cancel()
	e.noteCall(err) // for a Remote that does not report its calls; a second note of the same outcome is harmless
	if err == nil {
		if resp.Known && resp.ResidentRef != "" && keep {
			err := e.st.InTx(ctx, func(tx *localstore.Tx) error {
				if _, err := tx.PutStatus(cachedFromAPI(resp.ResidentRef, key, resp.MaskedName, resp.MaskedID, resp.Status)); err != nil {
					return err
				}
				// A slip that said her status could not be checked is
				// answered now.
				return tx.UncheckedDone(key, localstore.UncheckedLiveAnswer)
			})
			if err != nil {
				return Answer{}, err
			}
		} else if a, ok, err := e.pending(ctx, key); err != nil || ok {
			// Not known yet, but its enrolment is in our outbox.
			e.SyncNow()
			return a, err
		}
		return Answer{Source: healthcode.SourceLive, Colour: resp.Status.Colour, Reason: resp.Status.Reason, AsOf: resp.Status.AsOf,
			ValidUntil: resp.Status.ValidUntil, ShowUntil: e.showUntil(resp.Status.AsOf), Known: resp.Known, MaskedName: resp.MaskedName, MaskedID: resp.MaskedID}, nil
	}
	err = e.call(err)
	if cl, _ := classify(err); cl == permanent {
		return Answer{}, wrapf(err, "status")
	}
	if ctx.Err() != nil {
		return Answer{}, ctx.Err()
	}
	return e.offlineStatus(ctx, key)
}

// CachedStatus is Status without asking the service.
func (e *Engine) CachedStatus(ctx context.Context, id pii.IDNumber) (Answer, error) {
	return e.offlineStatus(ctx, e.st.KeyOf(id))
}

func (e *Engine) offlineStatus(ctx context.Context, key localstore.ResidentKey) (Answer, error) {
	c, ok, err := e.st.StatusByKey(ctx, key)
	if err != nil {
		return Answer{}, err
	}
	why := "offline, no cached status"
	if ok {
		now := e.clock.Now()
		switch {
		case !c.ValidUntil.IsZero() && !now.Before(c.ValidUntil):
			why = "cached status past its valid-until"
		case now.Sub(c.AsOf) >= e.cfg.Freshness:
			why = "cached status older than the freshness bound"
		default:
			// The cache keeps no reason and no masked forms (docs/sync.md,
			// "The local store"): the card in hand gives the latter.
			return Answer{Source: healthcode.SourceCached, Colour: c.Colour, AsOf: c.AsOf, ValidUntil: c.ValidUntil,
				ShowUntil: e.showUntil(c.AsOf), Known: true}, nil
		}
	}
	if a, ok, err := e.pending(ctx, key); err != nil || ok {
		return a, err
	}
	return Answer{Source: healthcode.SourceUnknown, Why: why, Known: ok}, nil
}

// showUntil is the end of the freshness bound of an answer made at asOf:
// from then on, no screen may show its colour.
func (e *Engine) showUntil(asOf time.Time) time.Time {
	if asOf.IsZero() {
		return time.Time{}
	}
	return asOf.Add(e.cfg.Freshness)
}

func (e *Engine) pending(ctx context.Context, key localstore.ResidentKey) (Answer, bool, error) {
	it, ok, err := e.st.PendingFor(ctx, KindEnrolment, key)
	if err != nil || !ok {
		return Answer{}, false, err
	}
	return Answer{Source: healthcode.SourcePending, Receipt: it.Receipt, Why: "enrolment not yet confirmed by the service"}, true, nil
}

// Reprintable decides what this kiosk may print again for a resident
// while the service cannot be reached, given the answer Status or
// CachedStatus gave: the newest paper code printed here that is still
// active, unexpired by the service's clock and has its token text, and
// only when the answer is a cached one that may still be shown. ok is
// false otherwise; then the resident gets a pending receipt, never an old
// colour.
func (e *Engine) Reprintable(ctx context.Context, id pii.IDNumber, ans Answer) (code localstore.PrintedCode, ok bool, err error) {
	if ans.Source != healthcode.SourceCached {
		return localstore.PrintedCode{}, false, nil
	}
	codes, err := e.st.PrintedFor(ctx, e.st.KeyOf(id))
	if err != nil {
		return localstore.PrintedCode{}, false, err
	}
	now := e.clock.Now()
	for _, c := range codes { // newest first
		if c.State == api.StateActive && now.Before(c.ExpiresAt) && c.TokenText != "" {
			return c, true, nil
		}
	}
	return localstore.PrintedCode{}, false, nil
}

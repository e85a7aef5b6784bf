package syncer

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/internal/crashpoint"
	"github.com/shcommunity/kiosk/sync/localstore"
)

// pull reads the feed from the saved cursor to its end, then the trust
// list if the feed says a newer one exists, then the workers if due.
func (e *Engine) pull(ctx context.Context) error {
	tlVersion, err := e.pullFeed(ctx)
	if err != nil {
		return err
	}
	if err := e.pullTrustList(ctx, tlVersion); err != nil {
		return err
	}
	e.mu.Lock()
	due := e.workersAt.IsZero() || e.clock.Now().Sub(e.workersAt) >= e.cfg.WorkerRefresh
	e.mu.Unlock()
	if due {
		return e.pullWorkers(ctx)
	}
	return nil
}

// pullFeed applies feed pages until the feed says there is no more. Each
// page is one transaction, and the cursor advances in that transaction:
// a crash re-reads at most one page, and applying a page twice is
// harmless (the cache never goes back a version).
func (e *Engine) pullFeed(ctx context.Context) (trustVersion uint64, err error) {
	for {
		cur, _, err := e.st.Setting(ctx, setFeedCursor)
		if err != nil {
			return 0, err
		}
		page, err := e.rm.Feed(ctx, string(cur), e.cfg.FeedLimit)
		if err != nil {
			err = e.call(err)
			var ae *api.Error
			if errors.As(err, &ae) && ae.Code == api.CodeBadCursor {
				// The service no longer knows our position: start over.
				// The full feed replaces every cached entry, so this is safe.
				e.log.Warn("Feed cursor refused; reading the feed from the start")
				if err := e.st.InTx(ctx, func(tx *localstore.Tx) error { return tx.SetSetting(setFeedCursor, nil) }); err != nil {
					return 0, err
				}
				continue
			}
			if cl, _ := classify(err); cl == device {
				return 0, deviceError(err)
			}
			return 0, wrapf(err, "pull feed")
		}
		e.observe(page.ServerTime)
		if page.NextCursor == "" && page.More {
			return 0, fmt.Errorf("pull feed: more pages but no cursor: %w", ErrGarbled)
		}
		if err := e.applyFeedPage(ctx, page); err != nil {
			return 0, err
		}
		if !page.More {
			return page.TrustListVersion, nil
		}
	}
}

// applyFeedPage applies one page in one transaction.
func (e *Engine) applyFeedPage(ctx context.Context, page api.FeedResponse) error {
	return e.st.InTx(ctx, func(tx *localstore.Tx) error {
		for i, en := range page.Entries {
			if i == len(page.Entries)/2 {
				crashpoint.Hit(crashpoint.FeedMidPage)
			}
			if en.ResidentRef == "" {
				return fmt.Errorf("feed entry without resident ref: %w", ErrGarbled)
			}
			if _, err := tx.ApplyFeedStatus(cachedFromAPI(en.ResidentRef, localstore.ResidentKey{}, en.MaskedName, en.MaskedID, en.Status)); err != nil {
				return err
			}
			issued := false
			for _, t := range en.Tokens {
				if _, err := tx.SetTokenState(t.TokenID, t.State); err != nil {
					return err
				}
				issued = issued || t.State == api.StateActive
			}
			if issued { // her code was printed, here or at another kiosk
				if err := tx.CodeIssued(en.ResidentRef); err != nil {
					return err
				}
			}
		}
		return tx.SetSetting(setFeedCursor, []byte(page.NextCursor))
	})
}

func cachedFromAPI(ref string, key localstore.ResidentKey, maskedName, maskedID string, s api.Status) localstore.CachedStatus {
	return localstore.CachedStatus{ResidentRef: ref, Resident: key, Colour: s.Colour, AsOf: s.AsOf,
		ValidUntil: s.ValidUntil, Version: s.Version, RulesVersion: s.RulesVersion, MaskedName: maskedName, MaskedID: maskedID}
}

// ErrOldTrustList: a trust list that verifies but is not newer than the
// one the kiosk holds. It is refused: taking it would bring back a key
// the newer list had dropped (a revoked one).
var ErrOldTrustList = errors.New("trust list not newer than the one held")

// pullTrustList fetches the trust list when the feed announced a newer
// version, checks its signature against the pinned root and its version
// against the one held, and stores it.
func (e *Engine) pullTrustList(ctx context.Context, version uint64) error {
	have, _, err := e.st.Setting(ctx, setTrustVersion)
	if err != nil {
		return err
	}
	held, _ := strconv.ParseUint(string(have), 10, 64)
	if held >= version && len(have) > 0 {
		return nil
	}
	raw, err := e.rm.TrustList(ctx)
	if err != nil {
		return wrapf(e.call(err), "pull trust list")
	}
	id, err := LoadIdentity(ctx, e.st)
	if err != nil {
		return err
	}
	tl, err := token.ParseTrustList(raw, id.TrustRoot)
	if err != nil {
		// A list that does not verify is never stored; keep the old one.
		return fmt.Errorf("pull trust list: %w", err)
	}
	if len(have) > 0 && tl.Version <= held {
		return fmt.Errorf("pull trust list: version %d, held %d: %w", tl.Version, held, ErrOldTrustList)
	}
	return e.st.InTx(ctx, func(tx *localstore.Tx) error {
		if err := tx.SetSetting(setTrustList, raw); err != nil {
			return err
		}
		crashpoint.Hit(crashpoint.TrustMidUpdate)
		return tx.SetSetting(setTrustVersion, strconv.AppendUint(nil, tl.Version, 10))
	})
}

// pullWorkers refreshes the cached worker verifiers. Only a counter
// device gets them (docs/security.md, "1. Every device could do a
// worker's work"): another is refused for its role, which is no fault,
// and then holds none.
func (e *Engine) pullWorkers(ctx context.Context) error {
	list, err := e.rm.Workers(ctx)
	var ae *api.Error
	if errors.As(err, &ae) && ae.Code == api.CodeRoleForbidden {
		e.mu.Lock()
		e.workersAt = e.clock.Now()
		e.mu.Unlock()
		return nil
	}
	if err != nil {
		return wrapf(e.call(err), "pull workers")
	}
	err = e.st.InTx(ctx, func(tx *localstore.Tx) error {
		for _, w := range list.Workers {
			if err := tx.PutWorker(localstore.Worker{ID: w.WorkerID, DisplayName: w.DisplayName, PasswordHash: w.PasswordHash,
				Disabled: w.Disabled, UpdatedAt: w.UpdatedAt}); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		e.mu.Lock()
		e.workersAt = e.clock.Now()
		e.mu.Unlock()
	}
	return err
}

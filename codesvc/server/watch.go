package server

import (
	"context"
	"slices"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/healthcode"
)

// watchScan bounds the feed changes Watch reads to find the residents a
// device serves.
const watchScan = 100000

// Watch is the stuck-status watchdog for one device: the residents it
// serves (or filed a correction for) whose status should have changed by
// the rules' own schedule and did not, or whose colour was wrong for a
// while because an event was recorded late, or whose correction waits;
// each with the reason, for a 纠错 check at the counter (api.WatchList).
func (s *Service) Watch(ctx context.Context, deviceID string) (api.WatchList, error) {
	out, _, err := s.watch(ctx, deviceID)
	return out, err
}

// watch is Watch with the keys of the residents it lists, for their
// access records.
func (s *Service) watch(ctx context.Context, deviceID string) (api.WatchList, [][]byte, error) {
	out, keyOf, err := s.watchList(ctx, deviceID)
	var keys [][]byte
	for _, w := range out.Residents {
		keys = append(keys, keyOf[w.ResidentRef])
	}
	return out, keys, err
}

// watchList is the list and each listed resident's key by her reference.
func (s *Service) watchList(ctx context.Context, deviceID string) (api.WatchList, map[string][]byte, error) {
	keyOf := map[string][]byte{}
	now := s.Now()
	out := api.WatchList{Residents: []api.Watched{}}
	changes, err := s.Store.Changes(ctx, deviceID, 0, watchScan)
	if err != nil {
		return out, keyOf, err
	}
	seen := map[int64]bool{}
	for _, c := range changes {
		if seen[c.ResidentID] {
			continue
		}
		seen[c.ResidentID] = true
		r, evs, _, err := s.Store.ResidentByID(ctx, c.ResidentID)
		if err != nil {
			return out, keyOf, err
		}
		keyOf[r.Ref] = r.Key
		out.Residents = append(out.Residents, s.watchEvents(r, evs, now)...)
	}
	open, err := s.Store.Corrections(ctx, deviceID, "open")
	if err != nil {
		return out, keyOf, err
	}
	for _, c := range open {
		if now.Sub(c.FiledAt) < api.WatchCorrectionHours*time.Hour {
			continue
		}
		r, evs, _, err := s.Store.ResidentByID(ctx, c.ResidentID)
		if err != nil {
			return out, keyOf, err
		}
		keyOf[r.Ref] = r.Key
		out.Residents = append(out.Residents, watched(r, s.Evaluate(evs, now), api.WatchCorrectionPending, "", c.FiledAt))
	}
	slices.SortStableFunc(out.Residents, func(a, b api.Watched) int { return a.Since.Compare(b.Since) })
	return out, keyOf, nil
}

// watchEvents judges one resident's events at now.
func (s *Service) watchEvents(r store.Resident, evs []store.Event, now time.Time) []api.Watched {
	re := toRulesEvents(evs)
	st := rules.Evaluate(s.opt.Rules, re, now)
	window := now.Add(-api.WatchWindowDays * 24 * time.Hour)
	var out []api.Watched
	// Her latest arrival's yellow has ended, and she is yellow still.
	var arrival, contact time.Time
	contactOpen := false
	for _, e := range re {
		switch e.Kind {
		case rules.ArrivalKeyArea:
			arrival = e.At
		case rules.CloseContactStart:
			contact, contactOpen = e.At, true
		case rules.CloseContactEnd:
			contactOpen = false
		}
	}
	if end := arrival.Add(s.opt.Rules.ArrivalYellow); !arrival.IsZero() && !end.After(now) && end.After(window) &&
		st.Colour == healthcode.Yellow {
		out = append(out, watched(r, st, api.WatchStillYellow, st.Reason, end))
	}
	if due := contact.Add(api.WatchContactDays * 24 * time.Hour); contactOpen && !due.After(now) {
		out = append(out, watched(r, st, api.WatchContactOpen, "", due))
	}
	// An event recorded late that changed what she was shown before it
	// was recorded.
	for i, e := range evs {
		if e.RecordedAt.Sub(e.At) < api.WatchLateHours*time.Hour || e.RecordedAt.Before(window) {
			continue
		}
		without := slices.Delete(slices.Clone(re), i, i+1)
		for _, t := range []time.Time{e.At, e.RecordedAt.Add(-time.Second)} {
			if rules.Evaluate(s.opt.Rules, without, t).Colour != rules.Evaluate(s.opt.Rules, re, t).Colour {
				out = append(out, watched(r, st, api.WatchLateEvent, e.Kind, e.At))
				break
			}
		}
	}
	return out
}

func watched(r store.Resident, st rules.Status, reason, detail string, since time.Time) api.Watched {
	return api.Watched{ResidentRef: r.Ref, MaskedName: r.MaskedName, MaskedID: r.MaskedID, Reason: reason,
		Detail: detail, Since: since.UTC(), Colour: st.Colour}
}

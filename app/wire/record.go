package wire

import (
	"context"
	"errors"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

// Record implements flow.CounterBackend: her status from the engine (live,
// else cached while it may be shown), her paper codes from the service
// under the worker's session (not known offline), and her enrolment and
// correction still queued here or refused.
func (c *Counter) Record(ctx context.Context, workerID string, r flow.Resident) (flow.Record, error) {
	ctx = client.WithPurpose(ctx, api.PurposeCounter)
	rec := flow.Record{Enrolled: true}
	st, err := c.Status(ctx, r)
	switch {
	case errors.Is(err, flow.ErrNotEnrolled):
		rec.Enrolled = false
	case err != nil && !errors.Is(err, flow.ErrServiceUnavailable):
		return flow.Record{}, err
	}
	rec.Status = st
	if wctx, cancel, werr := c.atCounter(ctx, workerID); werr == nil {
		codes, cerr := c.Client.ResidentCodes(wctx, r.Number, workerID)
		cancel()
		switch cerr = classify(cerr); {
		case cerr == nil:
			rec.Codes, rec.CodesKnown = codesOf(codes.Codes), true
		case errors.Is(cerr, flow.ErrNotEnrolled):
			rec.Enrolled, rec.CodesKnown = false, true
		case errors.Is(cerr, flow.ErrLoginAgain):
			return flow.Record{}, cerr
		}
	}
	k := c.Store().KeyOf(r.Number)
	for _, kind := range []string{syncer.KindEnrolment, syncer.KindCorrection} {
		it, ok, err := c.Store().PendingFor(ctx, kind, k)
		if err != nil {
			return flow.Record{}, classify(err)
		}
		if ok {
			p := flow.PendingItem{Kind: kind, Receipt: it.Receipt, Since: it.CreatedAt}
			if it.State == localstore.StateQuarantined {
				p.Refused = it.Reason
			}
			rec.Pending = append(rec.Pending, p)
		}
	}
	return rec, nil
}

// codesOf turns the service's list into the flow's.
func codesOf(list []api.CodeEntry) []flow.Code {
	out := make([]flow.Code, 0, len(list))
	for _, e := range list {
		out = append(out, flow.Code{TokenID: e.TokenID, IssuedAt: e.IssuedAt, ExpiresAt: e.ExpiresAt, Place: e.Place,
			State: flow.CodeState(e.State), StateAt: e.StateAt})
	}
	return out
}

// ReportLost implements flow.CounterBackend: every active code of hers is
// revoked, and no new one issued.
func (c *Counter) ReportLost(ctx context.Context, workerID string, r flow.Resident) (int, error) {
	ctx, cancel, err := c.atCounter(ctx, workerID)
	if err != nil {
		return 0, err
	}
	defer cancel()
	lost, err := c.Client.ReportLost(ctx, api.LostRequest{IDNumber: r.Number.Reveal(), WorkerID: workerID})
	if err != nil {
		return 0, classify(err)
	}
	return len(lost.Revoked), nil
}

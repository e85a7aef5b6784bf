package wire

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

var _ flow.CounterBackend = (*Counter)(nil)

// Counter is the counter's backend over the same engine and client as
// the self-service Backend; every action runs under the worker's ID.
// Enrol waits for the service's confirmation as long as the Backend's
// ConfirmWait says.
type Counter struct {
	*Backend
}

// Login implements flow.CounterBackend (offline, against the cached
// slow hashes; lockout after repeated failures).
func (c *Counter) Login(ctx context.Context, workerID, password string) (string, error) {
	w, err := c.Engine.Login(ctx, workerID, password)
	if err != nil {
		return "", err
	}
	return w.DisplayName, nil
}

// Enrol implements flow.CounterBackend.
func (c *Counter) Enrol(ctx context.Context, workerID string, e flow.Enrolment) (flow.Ticket, error) {
	actor := api.Actor{Kind: api.ActorWorker, WorkerID: workerID}
	by := api.ActorSelf
	if e.Family.Number != "" {
		actor.Kind, by = api.ActorFamily, api.ActorFamily
		actor.Guardian = e.Guardian
	}
	return c.enrol(ctx, syncer.Enrolment{
		IDNumber: e.Resident.Number, Name: e.Resident.Name, Phone: e.Phone,
		Consent: api.Consent{Given: e.Consent, By: by}, Actor: actor, Channel: api.ChannelCounter, Family: e.Family.Number,
	}, e.Resident, workerID, c.ConfirmWait)
}

// Store returns the kiosk's store.
func (c *Counter) Store() *localstore.Store { return c.Engine.Store() }

// Reissue implements flow.CounterBackend: every active code of the
// resident is reported lost, then a new one is issued and recorded.
func (c *Counter) Reissue(ctx context.Context, workerID string, r flow.Resident) (flow.Ticket, error) {
	if c.Client == nil {
		return flow.Ticket{}, flow.ErrServiceUnavailable
	}
	if _, err := c.Client.ReportLost(ctx, api.LostRequest{IDNumber: r.Number.Reveal(), WorkerID: workerID}); err != nil {
		return flow.Ticket{}, classify(err)
	}
	t, err := c.issue(ctx, r, workerID)
	return t, classify(err)
}

// Correction implements flow.CounterBackend.
func (c *Counter) Correction(ctx context.Context, workerID string, r flow.Resident, reason string) (string, error) {
	if reason == "" {
		return "", errors.New("correction: a reason is required")
	}
	rec, err := c.Engine.RequestCorrection(ctx, r.Number, workerID, reason)
	return rec.Number, err
}

// ManualEntry implements flow.CounterBackend.
func (c *Counter) ManualEntry(ctx context.Context, workerID string) error {
	return c.audit(ctx, workerID, ActionManualIDEntry, "id number typed by the worker")
}

// Dashboard implements flow.CounterBackend.
func (c *Counter) Dashboard(ctx context.Context) (flow.Dashboard, error) {
	s, err := c.Engine.Summary(ctx)
	if err != nil {
		return flow.Dashboard{}, err
	}
	d := flow.Dashboard{Pending: s.Pending + s.InFlight, LastSync: s.LastSuccess, Online: s.Online}
	for _, q := range s.Quarantined {
		d.Quarantined = append(d.Quarantined, fmt.Sprintf("%s %s: %s", q.Kind, q.Receipt, q.Reason))
	}
	calls, err := c.Store().CallList(ctx)
	if err != nil {
		return flow.Dashboard{}, err
	}
	for _, e := range calls {
		d.Calls = append(d.Calls, flow.Call{MaskedName: e.MaskedName, MaskedID: e.MaskedID,
			Printed: e.Printed, Current: e.Current})
	}
	ready, err := c.Store().ReadyCodes(ctx)
	if err != nil {
		return flow.Dashboard{}, err
	}
	for _, r := range ready {
		d.Ready = append(d.Ready, flow.Ready{Receipt: r.Receipt, MaskedName: r.MaskedName, Since: r.ReadyAt})
	}
	unchecked, err := c.Store().UncheckedSlips(ctx)
	if err != nil {
		return flow.Dashboard{}, err
	}
	for _, u := range unchecked {
		d.Unchecked = append(d.Unchecked, flow.Unchecked{MaskedName: u.MaskedName, Serial: u.Serial, At: u.PrintedAt})
	}
	d.Watch = c.watch(ctx)
	log, err := c.Store().AuditLog(ctx)
	if err != nil {
		return flow.Dashboard{}, err
	}
	today := c.Engine.Clock().Now().In(shanghai).Format(time.DateOnly)
	for _, a := range log {
		if a.At.In(shanghai).Format(time.DateOnly) != today {
			continue
		}
		d.TodayActions++
		if a.Action == ActionHelpCall {
			d.HelpCalls = append(d.HelpCalls, a.At.In(shanghai).Format("15:04")+" "+a.Detail)
		}
	}
	return d, nil
}

// watch asks the service for its stuck-status watch list; offline (or
// refused) there is none to show, and the dashboard says the rest.
func (c *Counter) watch(ctx context.Context) []flow.Watch {
	if c.Client == nil {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	list, err := c.Client.Watch(wctx)
	if err != nil {
		return nil
	}
	out := make([]flow.Watch, 0, len(list.Residents))
	for _, w := range list.Residents {
		out = append(out, flow.Watch{MaskedName: w.MaskedName, MaskedID: w.MaskedID, Reason: w.Reason, Since: w.Since, Colour: w.Colour})
	}
	return out
}

var shanghai = time.FixedZone("CST", 8*60*60)

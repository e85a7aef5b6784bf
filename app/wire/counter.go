package wire

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

var (
	_ flow.CounterBackend = (*Counter)(nil)
	_ flow.WorkerLogout   = (*Counter)(nil)
)

// Counter is the counter's backend over the same engine and client as
// the self-service Backend; every action runs under the worker's
// session at the service (docs/security.md, "1. Every device could do a worker's work"). Enrol waits
// for the service's confirmation as long as the Backend's ConfirmWait
// says.
type Counter struct {
	*Backend

	mu      sync.Mutex
	session api.WorkerSessionResponse // the logged-in worker's, from the service
	// After an offline login the password stays in memory, and nowhere
	// else, until a session is had for it or the worker logs out: the
	// service checks it itself as soon as it answers.
	pendingWorker, pending string
}

// Login implements flow.CounterBackend. The service checks the password
// and answers a worker session; only when it cannot be reached does the
// kiosk check the password against its cached verifier (the slow hash,
// with its lockout), which unlocks the screen but carries no session:
// the actions that need one wait for the service (ErrLoginAgain when it
// refuses).
func (c *Counter) Login(ctx context.Context, workerID, password string) (string, error) {
	c.LogoutWorker()
	if c.Client != nil {
		tctx, cancel := context.WithTimeout(ctx, c.timeout())
		s, err := c.Client.WorkerLogin(tctx, workerID, password)
		cancel()
		if err == nil {
			c.mu.Lock()
			c.session = s
			c.mu.Unlock()
			c.Engine.SetWorkerSession(s.Session)
			return s.DisplayName, c.audit(ctx, workerID, ActionLogin, "checked by the service")
		}
		var ae *api.Error
		if errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 {
			c.audit(ctx, workerID, ActionLoginRefused, string(ae.Code))
			return "", syncer.ErrBadLogin // the service's answer stands
		}
	}
	w, err := c.Engine.Login(ctx, workerID, password)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	c.pendingWorker, c.pending = workerID, password
	c.mu.Unlock()
	return w.DisplayName, nil
}

// LogoutWorker implements flow.WorkerLogout: the session and any pending
// password are forgotten.
func (c *Counter) LogoutWorker() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.session, c.pendingWorker, c.pending = api.WorkerSessionResponse{}, "", ""
	c.Engine.SetWorkerSession("")
}

// sessionOf returns workerID's live session, asking the service for one
// with the pending password of an offline login; "" if there is none.
func (c *Counter) sessionOf(ctx context.Context, workerID string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.Engine.Clock().Now()
	if c.session.WorkerID == workerID && now.Before(c.session.ExpiresAt) {
		return c.session.Session
	}
	if c.pendingWorker != workerID || c.Client == nil {
		return ""
	}
	tctx, cancel := context.WithTimeout(ctx, c.timeout())
	s, err := c.Client.WorkerLogin(tctx, workerID, c.pending)
	cancel()
	var ae *api.Error
	switch {
	case err == nil:
		c.session, c.pendingWorker, c.pending = s, "", ""
		c.Engine.SetWorkerSession(s.Session)
		return s.Session
	case errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500:
		c.pendingWorker, c.pending = "", "" // the service says no: log in again
	}
	return ""
}

// worker returns ctx carrying workerID's session, or ErrLoginAgain (the
// service answers but takes none) or ErrServiceUnavailable.
func (c *Counter) worker(ctx context.Context, workerID string) (context.Context, string, error) {
	if c.Client == nil {
		return ctx, "", flow.ErrServiceUnavailable
	}
	s := c.sessionOf(ctx, workerID)
	if s == "" {
		c.mu.Lock()
		offline := c.pendingWorker == workerID
		c.mu.Unlock()
		if offline {
			return ctx, "", flow.ErrServiceUnavailable
		}
		return ctx, "", flow.ErrLoginAgain
	}
	return client.WithWorker(ctx, s), s, nil
}

// Enrol implements flow.CounterBackend.
func (c *Counter) Enrol(ctx context.Context, workerID string, e flow.Enrolment) (flow.Ticket, error) {
	ctx = client.WithPurpose(ctx, api.PurposeCounter)
	actor := api.Actor{Kind: api.ActorWorker, WorkerID: workerID}
	by := api.ActorSelf
	if e.Family.Number != "" {
		actor.Kind, by = api.ActorFamily, api.ActorFamily
		actor.Guardian = e.Guardian
	}
	// Offline, the item is queued with no session and the service will
	// refuse it (docs/security.md, "1. Every device could do a worker's work"): a worker who logged in
	// offline gets her session as soon as the service answers.
	wctx, session, _ := c.worker(ctx, workerID)
	return c.enrol(wctx, syncer.Enrolment{
		IDNumber: e.Resident.Number, Name: e.Resident.Name, Phone: e.Phone,
		Consent: api.Consent{Given: e.Consent, By: by}, Actor: actor, Channel: api.ChannelCounter, Family: e.Family.Number,
		WorkerSession: session,
	}, e.Resident, workerID, c.ConfirmWait)
}

// Store returns the kiosk's store.
func (c *Counter) Store() *localstore.Store { return c.Engine.Store() }

// Reissue implements flow.CounterBackend: every active code of the
// resident is reported lost, then a new one is issued and recorded.
func (c *Counter) Reissue(ctx context.Context, workerID string, r flow.Resident) (flow.Ticket, error) {
	ctx = client.WithPurpose(ctx, api.PurposeCounter)
	ctx, _, err := c.worker(ctx, workerID)
	if err != nil {
		return flow.Ticket{}, err
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
	_, session, _ := c.worker(ctx, workerID)
	rec, err := c.Engine.RequestCorrection(ctx, r.Number, workerID, session, reason)
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
	wctx, cancel := context.WithTimeout(client.WithPurpose(ctx, api.PurposeCounter), c.timeout())
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

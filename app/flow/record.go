package flow

import (
	"context"
	"time"

	"github.com/shcommunity/kiosk/healthcode"
)

// Record is what is known of the resident at the counter, for the worker
// to read before she acts: her colour now, her paper codes, and what this
// kiosk still holds for her.
type Record struct {
	// Status is her colour now with its as-of time and where it came
	// from: the service just now (SourceLive) or this kiosk's saved
	// answer (SourceCached); no colour (SourceUnknown) when neither may
	// be shown.
	Status healthcode.Status
	// Codes are her paper codes as the service has them, the newest
	// first; CodesKnown is false when it could not be asked (offline,
	// or the worker has no session with it yet).
	Codes      []Code
	CodesKnown bool
	// Enrolled is false when the service answered that it does not know
	// her (then she has no codes).
	Enrolled bool
	// Pending are her enrolment and correction that this kiosk queued and
	// the service has not answered yet, or refused.
	Pending []PendingItem
}

// Active is how many of her codes a verifier accepts now: the papers a
// re-issue or a report of loss stops.
func (r Record) Active() int {
	n := 0
	for _, c := range r.Codes {
		if c.State == CodeActive {
			n++
		}
	}
	return n
}

// CodeState is a paper code's state as a verifier sees it now.
type CodeState string

// The states of a paper code.
const (
	CodeActive     CodeState = "active"     // still valid
	CodeSuperseded CodeState = "superseded" // a newer code replaced it
	CodeRevoked    CodeState = "revoked"    // reported lost (or its key withdrawn)
	CodeExpired    CodeState = "expired"    // past its validity
)

// Code is one of her paper codes: when and where it was issued, until
// when, and its state now with when it took it.
type Code struct {
	TokenID   string
	IssuedAt  time.Time
	ExpiresAt time.Time
	Place     string // the issuing device's name
	State     CodeState
	StateAt   time.Time // zero for an active or expired code
}

// The kinds of a pending item.
const (
	PendingEnrolment  = "enrolment"
	PendingCorrection = "correction"
)

// PendingItem is an enrolment or a correction of hers waiting here.
type PendingItem struct {
	Kind    string // PendingEnrolment or PendingCorrection
	Receipt string
	Since   time.Time
	// Refused is the service's reason when it refused the item (it is
	// quarantined, for a person to look at); "" while it waits.
	Refused string
}

// Serving is a dashboard item the worker chose to serve: the list, and
// the item as the list had it (one of the fields, by List). The next
// card read is hers.
type Serving struct {
	List        DashList
	Help        string
	Call        Call
	Ready       Ready
	Unchecked   Unchecked
	Watch       Watch
	Quarantined string
}

// DashList names one of the dashboard's actionable lists.
type DashList string

// The dashboard's lists a worker serves from.
const (
	ListHelp        DashList = "help"        // calls for help from the self-service screen: go to the kiosk
	ListCalls       DashList = "calls"       // colour changed since her paper: re-print
	ListReady       DashList = "ready"       // code ready, not taken: print her first code
	ListUnchecked   DashList = "unchecked"   // slip printed offline unchecked: check her status
	ListWatch       DashList = "watch"       // status should have changed: check for a 纠错
	ListQuarantined DashList = "quarantined" // refused by the service: enrol or correct again
)

// Serve makes item i of the dashboard's list the one the worker serves:
// the screen says who and what for, and the next card read is hers. An
// index out of the list (it changed meanwhile) is ignored.
func (c *Counter) Serve(list DashList, i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.view.Dashboard
	s := Serving{List: list}
	switch {
	case c.workerID == "" || i < 0:
		return
	case list == ListHelp && i < len(d.HelpCalls):
		s.Help = d.HelpCalls[i]
	case list == ListCalls && i < len(d.Calls):
		s.Call = d.Calls[i]
	case list == ListReady && i < len(d.Ready):
		s.Ready = d.Ready[i]
	case list == ListUnchecked && i < len(d.Unchecked):
		s.Unchecked = d.Unchecked[i]
	case list == ListWatch && i < len(d.Watch):
		s.Watch = d.Watch[i]
	case list == ListQuarantined && i < len(d.Quarantined):
		s.Quarantined = d.Quarantined[i]
	default:
		return
	}
	c.touch()
	c.view.Serving = &s
	c.publish()
}

// ReportLost reports the resident's paper codes lost without a new one:
// every code of hers stops verifying at once. The screen asks the worker
// to confirm first, naming that consequence.
func (c *Counter) ReportLost(ctx context.Context) {
	c.run(ctx, func(ctx context.Context, s serving) (Ticket, string, error) {
		n, err := c.Backend.ReportLost(ctx, s.worker, s.resident)
		c.mu.Lock()
		c.view.Revoked = n
		c.mu.Unlock()
		return Ticket{}, MessageLost, err
	})
}

// WithdrawHealth withdraws the resident's consent to share with the
// health cloud (健康云授权): the service tells the health cloud to delete
// what it holds of her.
func (c *Counter) WithdrawHealth(ctx context.Context) {
	c.run(ctx, func(ctx context.Context, s serving) (Ticket, string, error) {
		return Ticket{}, MessageWithdrawn, c.Backend.WithdrawHealth(ctx, s.worker, s.resident)
	})
}

// ShowAccess asks the service who looked the resident up (谁查询过我),
// for her to hear at the counter; the asking is itself recorded.
func (c *Counter) ShowAccess(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.workerID == "" || c.resident.Number == "" {
		return
	}
	c.touch()
	worker, r := c.workerID, c.resident
	c.view.AccessLoading, c.view.Access, c.view.AccessShown = true, AccessList{}, false
	c.publish()
	c.work.Go(func() {
		list, err := c.Backend.ResidentAccess(ctx, worker, r)
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.resident.Number != r.Number {
			return // she has gone
		}
		c.view.AccessLoading = false
		if err != nil {
			c.log().Warn("Access records not shown", "err", err)
			c.view.Problem = ServiceProblem(err)
		} else {
			c.view.Access, c.view.AccessShown = list, true
		}
		c.publish()
	})
}

// loadRecordLocked asks for the resident's record and shows it when it
// comes, unless another resident is at the counter by then; with mu held.
func (c *Counter) loadRecordLocked(ctx context.Context) {
	if c.workerID == "" || c.resident.Number == "" {
		return
	}
	if ctx == nil {
		ctx = c.loginCtx
	}
	c.recordSeq++
	seq, worker, r := c.recordSeq, c.workerID, c.resident
	c.view.RecordLoading = true
	c.work.Go(func() {
		rec, err := c.Backend.Record(ctx, worker, r)
		c.mu.Lock()
		defer c.mu.Unlock()
		if seq != c.recordSeq || c.resident.Number != r.Number {
			return
		}
		c.view.RecordLoading = false
		if err != nil {
			c.log().Warn("Resident's record not read", "err", err)
			rec = Record{Status: healthcode.Status{Source: healthcode.SourceUnknown}}
		}
		c.view.Record = rec
		c.publish()
	})
}

package syncer

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http/httptrace"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/internal/crashpoint"
	"github.com/shcommunity/kiosk/sync/localstore"
)

// push sends the outbox in order until it is empty or a transient error
// stops it. Consecutive enrolments travel as one batch; prints and
// corrections one by one. A quarantined item does not block the ones
// after it: each is independent at the service, and an elderly resident
// behind a refused form should not wait for a worker to fix it.
func (e *Engine) push(ctx context.Context) error {
	for {
		items, err := e.st.Pending(ctx, e.cfg.BatchSize)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return nil
		}
		for i := 0; i < len(items); {
			if items[i].Kind == KindEnrolment {
				j := i + 1
				for j < len(items) && items[j].Kind == KindEnrolment {
					j++
				}
				if err := e.pushEnrolments(ctx, items[i:j]); err != nil {
					return err
				}
				i = j
				continue
			}
			if err := e.pushOne(ctx, items[i]); err != nil {
				return err
			}
			i++
		}
	}
}

func (e *Engine) noteAttempt(ctx context.Context, items []localstore.Item) error {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ClientID
	}
	return e.st.InTx(ctx, func(tx *localstore.Tx) error { return tx.NoteAttempt(ids...) })
}

func (e *Engine) pushEnrolments(ctx context.Context, items []localstore.Item) error {
	if err := e.noteAttempt(ctx, items); err != nil {
		return err
	}
	batch := api.EnrolmentBatch{Items: make([]api.EnrolmentItem, len(items))}
	for i, it := range items {
		batch.Items[i] = api.EnrolmentItem{ClientID: it.ClientID, Sealed: base64.RawURLEncoding.EncodeToString(it.Body)}
	}
	e.inFlight.Store(int64(len(items)))
	crashpoint.Hit(crashpoint.BeforeRequest)
	resp, err := e.rm.Enrol(traced(e.withWorker(ctx)), batch)
	e.inFlight.Store(0)
	if err != nil {
		err = e.call(err)
		switch cl, code := classify(err); {
		case cl == device:
			return deviceError(err)
		case (cl == tooLarge || cl == permanent) && len(items) > 1:
			// Split to find the item at fault (or to fit the limit).
			half := len(items) / 2
			if err := e.pushEnrolments(ctx, items[:half]); err != nil {
				return err
			}
			return e.pushEnrolments(ctx, items[half:])
		case cl == tooLarge || cl == permanent:
			return e.quarantine(ctx, items[0], string(code))
		default:
			return wrapf(err, "push enrolments")
		}
	}
	if len(resp.Results) != len(items) {
		return fmt.Errorf("push enrolments: %d results for %d items: %w", len(resp.Results), len(items), ErrGarbled)
	}
	for i, r := range resp.Results {
		if r.ClientID != items[i].ClientID {
			return fmt.Errorf("push enrolments: result %d is for another item: %w", i, ErrGarbled)
		}
	}
	// Every result of the batch is applied in one transaction: a crash
	// leaves all of them pending, and the retry answers "duplicate".
	deferred := 0
	err = e.st.InTx(ctx, func(tx *localstore.Tx) error {
		deferred = 0
		for i, r := range resp.Results {
			if r.Outcome == api.OutcomeRateLimited {
				deferred++ // stays pending, sent again after the backoff
				continue
			}
			if err := applyResult(tx, items[i], r); err != nil {
				return err
			}
		}
		crashpoint.Hit(crashpoint.BeforeAck)
		return nil
	})
	if err == nil && deferred > 0 {
		err = fmt.Errorf("push enrolments: %d of %d: %w", deferred, len(items), ErrDeferred)
	}
	return err
}

// applyResult records one item's outcome.
func applyResult(tx *localstore.Tx, it localstore.Item, r api.EnrolmentResult) error {
	outcome := r.Outcome
	if outcome == api.OutcomeDuplicate {
		// The service had it already: its first answer is the answer.
		outcome = r.Original
	}
	switch outcome {
	case api.OutcomeAccepted:
		if err := tx.Ack(it.ClientID, r.Outcome, r.ResidentRef); err != nil {
			return err
		}
		return tx.CodeReady(it.Seq, r.ResidentRef)
	case api.OutcomeRejected:
		return quarantineTx(tx, it, r.Reason)
	case api.OutcomeConflict:
		return quarantineTx(tx, it, string(api.CodeConflict))
	}
	return quarantineTx(tx, it, "unknown_outcome:"+r.Outcome)
}

func quarantineTx(tx *localstore.Tx, it localstore.Item, reason string) error {
	if reason == "" {
		reason = "rejected"
	}
	if err := tx.Quarantine(it.ClientID, reason); err != nil {
		return err
	}
	_, err := tx.Audit("", "outbox_quarantined", it.Resident, it.Kind+" "+it.Receipt+": "+reason)
	return err
}

func (e *Engine) quarantine(ctx context.Context, it localstore.Item, reason string) error {
	return e.st.InTx(ctx, func(tx *localstore.Tx) error { return quarantineTx(tx, it, reason) })
}

// pushOne sends a print record or a correction.
func (e *Engine) pushOne(ctx context.Context, it localstore.Item) error {
	if err := e.noteAttempt(ctx, []localstore.Item{it}); err != nil {
		return err
	}
	e.inFlight.Store(1)
	crashpoint.Hit(crashpoint.BeforeRequest)
	ctx = traced(ctx)
	outcome, ref, bad, err := e.sendOne(ctx, it)
	e.inFlight.Store(0)
	if bad != "" {
		return e.quarantine(ctx, it, bad)
	}
	if err != nil {
		err = e.call(err)
		switch cl, code := classify(err); cl {
		case device:
			return deviceError(err)
		case permanent, tooLarge:
			return e.quarantine(ctx, it, string(code))
		default:
			return wrapf(err, "push %s", it.Kind)
		}
	}
	return e.st.InTx(ctx, func(tx *localstore.Tx) error {
		if err := tx.Ack(it.ClientID, outcome, ref); err != nil {
			return err
		}
		crashpoint.Hit(crashpoint.BeforeAck)
		return nil
	})
}

// sendOne sends a print record or a correction and returns what the
// service made of it; bad, when not "", is why the item cannot be sent at
// all (a body that does not decode, a kind the engine does not know), and
// nothing was sent.
func (e *Engine) sendOne(ctx context.Context, it localstore.Item) (outcome, ref, bad string, err error) {
	switch it.Kind {
	case KindPrint:
		var req api.PrintRequest
		if json.Unmarshal(it.Body, &req) != nil {
			return "", "", "local_bad_body", nil
		}
		resp, err := e.rm.RecordPrint(ctx, req)
		if resp.Duplicate {
			return api.OutcomeDuplicate, "", "", err
		}
		return api.OutcomeAccepted, "", "", err
	case KindCorrection:
		var req api.CorrectionRequest
		if json.Unmarshal(it.Body, &req) != nil {
			return "", "", "local_bad_body", nil
		}
		resp, err := e.rm.FileCorrection(e.withWorker(ctx), req)
		return api.OutcomeAccepted, resp.ResidentRef, "", err
	}
	return "", "", "local_unknown_kind", nil
}

// SetWorkerSession gives the engine the session of the worker logged in
// at the counter now ("" when none): enrolments and corrections are sent
// with it, so that items of hers queued without one (she logged in
// offline, or they were quarantined for the want of one and she retries
// them) are vouched for when they arrive. The service takes it only for
// items naming her; others still need the session sealed into them.
func (e *Engine) SetWorkerSession(session string) { e.worker.Store(&session) }

func (e *Engine) withWorker(ctx context.Context) context.Context {
	if s := e.worker.Load(); s != nil {
		return client.WithWorker(ctx, *s)
	}
	return ctx
}

// traced is ctx with an HTTP trace that passes the crash point
// RequestWritten once a request is written, when a crash test asked for
// crash points; otherwise (always, in a program the project ships) ctx
// itself.
func traced(ctx context.Context) context.Context {
	if !crashpoint.Armed() {
		return ctx
	}
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { crashpoint.Hit(crashpoint.RequestWritten) },
	})
}

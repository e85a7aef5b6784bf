package wire

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/codesvc/verify"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/internal/crashpoint"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

// Audit actions this package writes (the sync engine writes its own).
const (
	ActionHelpCall      = "help_call"
	ActionReprint       = "reprint_offline"
	ActionPendingSlip   = "pending_receipt"
	ActionCredential    = "credential_slip" // a medical-visit credential printed
	ActionVenueCard     = "venue_card"
	ActionManualIDEntry = "manual_id_entry"
	ActionLogin         = "login"         // a worker's password checked by the service
	ActionLoginRefused  = "login_refused" // the service refused it
)

// Backend is the kiosk's side of the code service: the sync engine and
// its store for everything that must survive the network, the signed
// client for the calls only the service can answer (a new token, a venue
// look-up). It implements flow.Backend and flow.VenueBackend.
type Backend struct {
	Engine *syncer.Engine
	// Client issues tokens; nil means this kiosk never has a fresh code
	// to print and always takes the offline path. It is the client of
	// the engine's syncer.ClientRemote, so that the engine learns from
	// these calls too whether the service answers.
	Client *client.Client
	// WorkerID is the worker acting, "" for a resident alone.
	WorkerID string
	// Timeout bounds each call to the service before the offline path
	// is taken; 0 means 5 s.
	Timeout time.Duration
	// ConfirmWait is how long an enrolment waits for the service to
	// accept it before the resident gets a pending receipt (the engine
	// sends it by itself later); 0 means 5 s.
	ConfirmWait time.Duration

	mu   sync.Mutex
	last *issued // the token behind the ticket on screen, until printed
}

// issued is what Printed needs to record a print and that the Ticket
// must not hold: the plain ID number (the store keys it by a keyed hash).
// For an unchecked slip there is no token, and why says why.
type issued struct {
	serial string
	id     pii.IDNumber
	tok    api.TokenResponse
	worker string
	why    string
	card   string // flow.CardSource: the card read, for the audit
}

var (
	_ flow.Backend           = (*Backend)(nil)
	_ flow.VenueBackend      = (*Backend)(nil)
	_ flow.CredentialBackend = (*Backend)(nil)
)

func (b *Backend) timeout() time.Duration {
	if b.Timeout > 0 {
		return b.Timeout
	}
	return 5 * time.Second
}

func (b *Backend) store() *localstore.Store { return b.Engine.Store() }

// PaperCode implements flow.Backend. Online: a new token that replaces
// the resident's earlier ones (so a lost slip stops working once a new one
// is printed); it carries the live status, so one round trip answers both.
// Offline: a re-print of the newest still-valid code printed here with
// the status cached for it, only while that status is within its bounds;
// else a pending receipt for an enrolment queued here, or ErrNotKnownHere.
func (b *Backend) PaperCode(ctx context.Context, r flow.Resident) (flow.Ticket, error) {
	ctx = client.WithPurpose(ctx, api.PurposeSelfService)
	if b.Client == nil {
		ans, err := b.Engine.Status(ctx, r.Number)
		if err != nil {
			return flow.Ticket{}, classify(err)
		}
		if ans.Source == healthcode.SourceLive && !ans.Known {
			return flow.Ticket{}, flow.ErrNotEnrolled
		}
		t, err := b.offline(ctx, r, ans, newSerial())
		return t, classify(err)
	}
	t, err := b.issue(ctx, r, b.WorkerID)
	if err == nil {
		return t, nil
	}
	var ae *api.Error
	if errors.As(err, &ae) && ae.Code == api.CodeInvalidID {
		return flow.Ticket{}, err
	}
	if e := classify(err); errors.Is(e, flow.ErrNotEnrolled) || errors.Is(e, flow.ErrOutOfService) {
		// Unknown to the service; an enrolment of hers may still be
		// queued here, and then she has its receipt.
		if ans, perr := b.Engine.CachedStatus(ctx, r.Number); perr == nil && ans.Source == healthcode.SourcePending {
			t, err := b.offline(ctx, r, ans, newSerial())
			return t, classify(err)
		}
		return flow.Ticket{}, e
	}
	// The service did not answer (or refused the device): what is cached.
	ans, err := b.Engine.CachedStatus(ctx, r.Number)
	if err != nil {
		return flow.Ticket{}, classify(err)
	}
	t, err = b.offline(ctx, r, ans, newSerial())
	return t, classify(err)
}

// EnrolSelf implements flow.Backend: a resident alone enrols on her card
// (actor self, channel kiosk, the consent text's version), and gets her
// first code in the same visit when the service accepts it in time.
func (b *Backend) EnrolSelf(ctx context.Context, e flow.SelfEnrolment) (flow.Ticket, error) {
	ctx = client.WithPurpose(ctx, api.PurposeSelfService)
	if e.ConsentVersion == "" {
		return flow.Ticket{}, errors.New("self-enrolment: no consent version")
	}
	if e.Phone != "" && !flow.ValidMobile(e.Phone) {
		return flow.Ticket{}, errors.New("self-enrolment: the phone is not a mobile number")
	}
	return b.enrol(ctx, syncer.Enrolment{
		IDNumber: e.Resident.Number, Name: e.Resident.Name, Phone: e.Phone,
		Consent: api.Consent{Given: true, By: api.ActorSelf, Version: e.ConsentVersion},
		Actor:   api.Actor{Kind: api.ActorSelf}, Channel: api.ChannelKiosk,
	}, e.Resident, "", b.ConfirmWait)
}

// enrol queues an enrolment (sealed, in the outbox, with its audit row)
// and pushes it at once; when the service accepts it within wait, a new
// code is issued for the slip. Otherwise the ticket is a pending receipt:
// the item stays queued, the engine sends it when it can, and the code
// prints at the resident's next visit to any kiosk.
func (b *Backend) enrol(ctx context.Context, en syncer.Enrolment, r flow.Resident, worker string, wait time.Duration) (flow.Ticket, error) {
	rec, err := b.Engine.Enrol(ctx, en)
	if err != nil {
		return flow.Ticket{}, classify(err)
	}
	if wait <= 0 {
		wait = 5 * time.Second
	}
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if b.Client != nil && b.Engine.Push(wctx) == nil {
		if it, err := b.store().Item(ctx, rec.Seq); err == nil && it.State == localstore.StateAcked {
			if t, err := b.issue(wctx, r, worker); err == nil {
				return t, nil
			}
		}
	}
	return flow.Ticket{Kind: flow.TicketPending, MaskedName: r.Name.Masked(), MaskedID: r.Number.Masked(), Source: r.Source,
		Receipt: rec.Number, Status: healthcode.Status{Source: healthcode.SourcePending}, IssuedAt: b.Engine.Clock().Now(), Serial: newSerial()}, nil
}

// issue asks for a new token that replaces the resident's earlier ones,
// and keeps it until Printed records it.
func (b *Backend) issue(ctx context.Context, r flow.Resident, worker string) (flow.Ticket, error) {
	tctx, cancel := context.WithTimeout(ctx, b.timeout())
	defer cancel()
	tok, err := b.Client.IssueToken(tctx, api.IssueTokenRequest{IDNumber: r.Number.Reveal(), WorkerID: worker, Replace: true})
	if err != nil {
		return flow.Ticket{}, err
	}
	serial := newSerial()
	b.mu.Lock()
	b.last = &issued{serial: serial, id: r.Number, tok: tok, worker: worker, card: cardName(r.Source)}
	b.mu.Unlock()
	return flow.Ticket{
		Kind: flow.TicketCode, MaskedName: tok.MaskedName, MaskedID: tok.MaskedID, QR: tok.Text,
		TokenID: tok.TokenID, IssuedAt: tok.IssuedAt, ExpiresAt: tok.ExpiresAt, Serial: serial, Source: r.Source,
		Status: healthcode.Status{Source: healthcode.SourceLive, Colour: tok.Status.Colour, Reason: tok.Status.Reason,
			AsOf: tok.Status.AsOf, ValidUntil: tok.Status.ValidUntil},
	}, nil
}

// offline is the ticket when no new code can be had: a re-print if the
// engine allows one (syncer.Engine.Reprintable), else a pending receipt.
func (b *Backend) offline(ctx context.Context, r flow.Resident, ans syncer.Answer, serial string) (flow.Ticket, error) {
	t := flow.Ticket{MaskedName: r.Name.Masked(), MaskedID: r.Number.Masked(), Serial: serial, Source: r.Source}
	if ans.Source == healthcode.SourceUnknown && !ans.Known {
		// Offline, and this kiosk never heard of her: she is offered an
		// enrolment, which the service merges if it knows her after all.
		return flow.Ticket{}, flow.ErrNotKnownHere
	}
	c, ok, err := b.Engine.Reprintable(ctx, r.Number, ans)
	if err != nil {
		return flow.Ticket{}, err
	}
	if ok {
		t.Kind, t.QR, t.TokenID, t.IssuedAt, t.ExpiresAt = flow.TicketReprint, c.TokenText, c.TokenID, c.PrintedAt, c.ExpiresAt
		t.Status = ans.Status()
		return t, nil
	}
	if ans.Source == healthcode.SourceUnknown {
		// Known here, but what this kiosk holds about her may no longer be
		// shown: a slip that says so, which the counter lists.
		t.Kind, t.Status, t.IssuedAt = flow.TicketUnchecked, healthcode.Status{Source: healthcode.SourceUnknown}, b.Engine.Clock().Now()
		b.mu.Lock()
		b.last = &issued{serial: serial, id: r.Number, worker: b.WorkerID, why: ans.Why}
		b.mu.Unlock()
		return t, nil
	}
	t.Kind = flow.TicketPending
	t.Status = healthcode.Status{Source: healthcode.SourcePending}
	t.Receipt = ans.Receipt
	if t.Receipt == "" {
		t.Receipt = "P-" + serial
	}
	t.IssuedAt = b.Engine.Clock().Now()
	return t, nil
}

// Printed implements flow.Backend: a new code goes through the engine
// (printed-code row, outbox item, audit, one transaction); a re-print and
// a pending receipt are audited.
func (b *Backend) Printed(ctx context.Context, t flow.Ticket) error {
	crashpoint.Hit(crashpoint.PrintSent)
	switch t.Kind {
	case flow.TicketCode:
		last := b.take(t.Serial)
		if last == nil {
			return errors.New("record print: no issued token for this slip")
		}
		_, err := b.Engine.RecordPrint(ctx, syncer.Print{IDNumber: last.id, Token: last.tok, WorkerID: last.worker, Card: last.card})
		return err
	case flow.TicketReprint:
		return b.audit(ctx, b.WorkerID, ActionReprint, "token "+t.TokenID+cardNote(t.Source))
	case flow.TicketCredential:
		return b.audit(ctx, b.WorkerID, ActionCredential, "credential "+t.TokenID+cardNote(t.Source))
	case flow.TicketUnchecked:
		last := b.take(t.Serial)
		if last == nil {
			return errors.New("record unchecked slip: no resident for this slip")
		}
		return b.Engine.RecordUnchecked(ctx, syncer.Unchecked{IDNumber: last.id, MaskedName: t.MaskedName, Serial: t.Serial,
			Why: last.why, WorkerID: last.worker})
	default:
		return b.audit(ctx, b.WorkerID, ActionPendingSlip, "receipt "+t.Receipt+cardNote(t.Source))
	}
}

// cardName is the card a resident used as the audit names it: "" for
// the ID card (or a typed number), the usual case.
func cardName(src flow.CardSource) string {
	if src == flow.SourceIDCard {
		return ""
	}
	return string(src)
}

// cardNote is what an audit row's detail adds for that card.
func cardNote(src flow.CardSource) string {
	if n := cardName(src); n != "" {
		return " card " + n
	}
	return ""
}

// take hands out what was kept for the slip with this serial, once.
func (b *Backend) take(serial string) *issued {
	b.mu.Lock()
	defer b.mu.Unlock()
	last := b.last
	b.last = nil
	if last == nil || last.serial != serial {
		return nil
	}
	return last
}

// Forget drops the token held for the slip on screen (the flow calls it
// when a resident leaves without a print).
func (b *Backend) Forget() {
	b.mu.Lock()
	b.last = nil
	b.mu.Unlock()
}

// CallHelp implements flow.Backend: an audit row, which the counter's
// dashboard lists.
func (b *Backend) CallHelp(ctx context.Context, where string) error {
	return b.audit(ctx, b.WorkerID, ActionHelpCall, where)
}

func (b *Backend) audit(ctx context.Context, worker, action, detail string) error {
	return b.store().InTx(ctx, func(tx *localstore.Tx) error {
		_, err := tx.Audit(worker, action, localstore.ResidentKey{}, detail)
		return err
	})
}

// Link implements flow.Backend. The engine's online state follows every
// call to the service, its own and those made here with the client it
// watches (Client must be the engine's ClientRemote's), so it is right
// between syncs.
func (b *Backend) Link(ctx context.Context) flow.Link {
	s, err := b.Engine.Summary(ctx)
	if err != nil {
		return flow.Link{Damaged: errors.Is(err, localstore.ErrCorrupt) || b.Engine.Damaged() != nil}
	}
	return flow.Link{Online: s.Online, Waiting: s.Pending + s.InFlight, Damaged: b.Engine.Damaged() != nil}
}

// Status implements flow.Backend and flow.CounterBackend: the engine's
// answer with no paper code (live; offline, cached while it may be shown,
// else no colour).
func (b *Backend) Status(ctx context.Context, r flow.Resident) (healthcode.Status, error) {
	ans, err := b.Engine.Status(ctx, r.Number)
	if err != nil {
		return healthcode.Status{}, classify(err)
	}
	return ans.Status(), nil
}

// Now implements flow.Clock: the service's time as the engine knows it.
func (b *Backend) Now() time.Time { return b.Engine.Clock().Now() }

// CardStatus implements flow.VenueBackend. The tap is not cached: a
// venue checker keeps no list of who passed (syncer.Engine.VenueStatus).
func (b *Backend) CardStatus(ctx context.Context, r flow.Resident) (flow.CodeCheck, error) {
	ctx = client.WithPurpose(ctx, api.PurposeVenueEntry)
	ans, err := b.Engine.VenueStatus(ctx, r.Number)
	if err != nil {
		return flow.CodeCheck{}, classify(err)
	}
	c := flow.CodeCheck{MaskedName: ans.MaskedName}
	if c.MaskedName == "" {
		c.MaskedName = r.Name.Masked()
	}
	switch ans.Source {
	case healthcode.SourceLive, healthcode.SourceCached:
		c.Status = ans.Status()
	case healthcode.SourcePending:
		c.Status = healthcode.Status{Source: healthcode.SourcePending}
	default:
		c.Status = healthcode.Status{Source: healthcode.SourceUnknown}
		c.Explanation = ans.Why
	}
	return c, nil
}

// CheckCode implements flow.VenueBackend with codesvc/verify: the
// signature against the trust list the engine keeps, then the live state
// through the client; offline, the token's own claim only while fresh.
func (b *Backend) CheckCode(ctx context.Context, text string) (flow.CodeCheck, error) {
	ctx = client.WithPurpose(ctx, api.PurposeVenueEntry)
	tl, err := b.Engine.TrustList(ctx)
	if err != nil {
		return flow.CodeCheck{}, fmt.Errorf("venue check: %w", err)
	}
	v := &verify.Verifier{Trust: tl, Now: b.Engine.Clock().Now}
	if b.Client != nil {
		v.Live = b.Client
	}
	vctx, cancel := context.WithTimeout(ctx, b.timeout())
	defer cancel()
	res, err := v.Verify(vctx, text)
	return CheckOf(res), refusal(err)
}

// CheckOf turns a verifier's result into the venue view's check: a live
// colour is live, a fresh claim is shown as cached with its as-of, and
// anything else has no colour.
func CheckOf(res verify.Result) flow.CodeCheck {
	c := flow.CodeCheck{Explanation: res.Explanation, Status: healthcode.Status{Source: healthcode.SourceUnknown}}
	if res.Claims != nil {
		c.MaskedName = res.Claims.MaskedName
	}
	if res.Live != nil && res.Live.MaskedName != "" {
		c.MaskedName = res.Live.MaskedName
	}
	switch res.Source {
	case verify.SourceLive:
		if res.Live != nil && res.Colour.Valid() {
			c.Status = healthcode.Status{Source: healthcode.SourceLive, Colour: res.Colour, Reason: res.Live.Status.Reason,
				AsOf: res.Live.Status.AsOf, ValidUntil: res.Live.Status.ValidUntil}
		}
	case verify.SourceClaim:
		if res.Claims != nil && res.Claims.Status != nil && res.Colour.Valid() {
			// The verifier trusts a claim for token.DefaultStatusFreshness
			// after its as-of, and not past the claim's own end (a yellow
			// due to turn green); so long may it show.
			cl := res.Claims.Status
			c.Status = healthcode.Status{Source: healthcode.SourceCached, Colour: res.Colour, AsOf: cl.AsOf,
				ValidUntil: cl.Until, ShowUntil: cl.AsOf.Add(token.DefaultStatusFreshness)}
		}
	}
	return c
}

// refusal marks the verifier's refusals (a bad, revoked, replaced or
// expired code) as flow.ErrTokenRefused; an interrupted check stays what
// it was.
func refusal(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: %w", flow.ErrServiceUnavailable, err)
	case errors.Is(err, verify.ErrRevoked), errors.Is(err, verify.ErrSuperseded), errors.Is(err, verify.ErrLiveState),
		errors.Is(err, verify.ErrUnknownToken), errors.Is(err, token.ErrWrongKind),
		errors.Is(err, token.ErrMalformed), errors.Is(err, token.ErrUnsupportedVersion), errors.Is(err, token.ErrUnknownKey),
		errors.Is(err, token.ErrBadSignature), errors.Is(err, token.ErrKeyNotValidAt), errors.Is(err, token.ErrExpired),
		errors.Is(err, token.ErrNotYetValid):
		return fmt.Errorf("%w: %w", flow.ErrTokenRefused, err)
	}
	return err
}

// classify maps the service's and the network's errors to the flow's.
func classify(err error) error {
	var ae *api.Error
	var ne net.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, localstore.ErrCorrupt):
		return fmt.Errorf("%w: %w", flow.ErrOutOfService, err)
	case errors.As(err, &ae) && ae.Code == api.CodeNotEnrolled:
		return fmt.Errorf("%w: %w", flow.ErrNotEnrolled, err)
	case errors.As(err, &ae) && ae.Code == api.CodeWorkerSession:
		return fmt.Errorf("%w: %w", flow.ErrLoginAgain, err)
	case errors.As(err, &ae) && ae.Status >= 500, errors.As(err, &ne),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, syncer.ErrDevice), errors.Is(err, syncer.ErrNotRegistered):
		return fmt.Errorf("%w: %w", flow.ErrServiceUnavailable, err)
	}
	return err
}

var serialEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newSerial is a slip's serial number: 8 characters, unguessable, so a
// receipt number says nothing about how many residents came before.
func newSerial() string {
	var b [5]byte
	rand.Read(b[:])
	return serialEncoding.EncodeToString(b[:])
}

package syncer

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/internal/crashpoint"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/sealbox"
	"github.com/shcommunity/kiosk/sync/localstore"
)

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newClientID returns a random 26-character client ID (130 bits), valid
// for api.ValidClientID.
func newClientID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return strings.ToLower(idEncoding.EncodeToString(b))
}

// receiptOf is the receipt number a resident is given for a pending item:
// the first eight characters of its client ID, grouped for reading aloud.
func receiptOf(clientID string) string {
	u := strings.ToUpper(clientID)
	return u[:4] + "-" + u[4:8]
}

// Receipt is what the kiosk hands a resident for a change still in the
// outbox.
type Receipt struct {
	Seq      int64
	ClientID string
	Number   string // e.g. "K3QF-7XBA"
}

// Enrolment is a new resident enrolment taken at the kiosk.
type Enrolment struct {
	IDNumber pii.IDNumber
	Name     pii.Name
	Phone    string
	Consent  api.Consent
	Actor    api.Actor
	// Channel is api.ChannelKiosk or api.ChannelCounter.
	Channel string
	// Family is the family member acting for the resident, if any; it
	// goes into Actor.FamilyIDNumber inside the sealed payload only.
	Family pii.IDNumber
	// WorkerSession is the session of Actor.WorkerID at the service, for
	// an enrolment at a counter; it is sealed in with the rest
	// (api.EnrolmentPayload.WorkerSession).
	WorkerSession string
}

// Enrol seals an enrolment to the service's key and writes it to the
// outbox, with its audit row, in one transaction. The plain payload
// never reaches the disk, and the kiosk cannot open the box again.
func (e *Engine) Enrol(ctx context.Context, en Enrolment) (Receipt, error) {
	if e.cfg.SealingKey == nil {
		return Receipt{}, ErrNotRegistered
	}
	now := e.clock.Now()
	if en.Consent.At.IsZero() {
		en.Consent.At = now
	}
	actor := en.Actor
	if en.Family != "" {
		actor.FamilyIDNumber = en.Family.Reveal()
	}
	payload, err := json.Marshal(api.EnrolmentPayload{IDNumber: en.IDNumber.Reveal(), Name: en.Name.Reveal(), Phone: en.Phone,
		Consent: en.Consent, Actor: actor, Channel: en.Channel, DeviceID: e.cfg.DeviceID, CreatedAt: now.UTC(),
		WorkerSession: en.WorkerSession})
	if err != nil {
		return Receipt{}, fmt.Errorf("enrol: %w", err)
	}
	box, err := sealbox.Seal(e.cfg.SealingKey, payload, []byte(api.SealInfo))
	clear(payload)
	if err != nil {
		return Receipt{}, fmt.Errorf("enrol: %w", err)
	}
	key := e.st.KeyOf(en.IDNumber)
	masked := en.Name.Masked()
	r, err := e.enqueue(ctx, KindEnrolment, box, key, actor.WorkerID, "enrol", func(tx *localstore.Tx, it localstore.Item) error {
		// Until she has her first code, the counter can call her.
		return tx.AwaitCode(it.Seq, key, it.Receipt, masked)
	})
	if err == nil {
		e.SyncNow()
	}
	return r, err
}

func (e *Engine) enqueue(ctx context.Context, kind string, body []byte, key localstore.ResidentKey, workerID, action string,
	also func(tx *localstore.Tx, it localstore.Item) error) (Receipt, error) {
	id := newClientID()
	var r Receipt
	err := e.st.InTx(ctx, func(tx *localstore.Tx) error {
		it, err := tx.Enqueue(localstore.NewItem{ClientID: id, Kind: kind, Body: body, Resident: key, Receipt: receiptOf(id)})
		if err != nil {
			return err
		}
		if also != nil {
			if err := also(tx, it); err != nil {
				return err
			}
		}
		r = Receipt{Seq: it.Seq, ClientID: it.ClientID, Number: it.Receipt}
		_, err = tx.Audit(workerID, action, key, kind+" "+it.Receipt)
		return err
	})
	if err == nil {
		crashpoint.Hit(crashpoint.Enqueued)
	}
	return r, err
}

// Print is a paper code this kiosk printed.
type Print struct {
	IDNumber  pii.IDNumber
	Token     api.TokenResponse // as the service issued it
	WorkerID  string
	PrintedAt time.Time // zero: now (service time)
	// Card names the card the resident identified herself with when it
	// was not her ID card ("ssc"), for the audit row.
	Card string
}

// RecordPrint records a printed slip: the printed code (for offline
// re-prints and the call list), the status it showed, the outbox item
// that tells the service, and the audit row, in one transaction.
func (e *Engine) RecordPrint(ctx context.Context, p Print) (Receipt, error) {
	if p.Token.TokenID == "" {
		return Receipt{}, errors.New("record print: no token")
	}
	if p.PrintedAt.IsZero() {
		p.PrintedAt = e.clock.Now()
	}
	key := e.st.KeyOf(p.IDNumber)
	id := newClientID()
	body, err := json.Marshal(api.PrintRequest{ClientID: id, TokenID: p.Token.TokenID, WorkerID: p.WorkerID, PrintedAt: p.PrintedAt.UTC()})
	if err != nil {
		return Receipt{}, fmt.Errorf("record print: %w", err)
	}
	var r Receipt
	err = e.st.InTx(ctx, func(tx *localstore.Tx) error {
		if p.Token.ResidentRef != "" {
			if _, err := tx.PutStatus(cachedFromAPI(p.Token.ResidentRef, key, p.Token.MaskedName, p.Token.MaskedID, p.Token.Status)); err != nil {
				return err
			}
		}
		if err := tx.RecordPrint(localstore.PrintedCode{TokenID: p.Token.TokenID, Resident: key, ResidentRef: p.Token.ResidentRef,
			TokenText: p.Token.Text, Colour: p.Token.Status.Colour, StatusAsOf: p.Token.Status.AsOf, State: api.StateActive,
			ExpiresAt: p.Token.ExpiresAt, PrintedAt: p.PrintedAt, WorkerID: p.WorkerID}); err != nil {
			return err
		}
		if err := tx.CodePrinted(key); err != nil {
			return err
		}
		if err := tx.UncheckedDone(key, localstore.UncheckedPrintedHere); err != nil {
			return err
		}
		for _, old := range p.Token.Superseded {
			if _, err := tx.SetTokenState(old, api.StateSuperseded); err != nil {
				return err
			}
		}
		it, err := tx.Enqueue(localstore.NewItem{ClientID: id, Kind: KindPrint, Body: body, Resident: key, Receipt: receiptOf(id)})
		if err != nil {
			return err
		}
		r = Receipt{Seq: it.Seq, ClientID: id, Number: it.Receipt}
		detail := "token " + p.Token.TokenID
		if p.Card != "" {
			detail += " card " + p.Card
		}
		_, err = tx.Audit(p.WorkerID, "print", key, detail)
		return err
	})
	if err == nil {
		crashpoint.Hit(crashpoint.Enqueued)
		e.SyncNow()
	}
	return r, err
}

// ActionUnchecked is the audit action of a slip that says the resident's
// status could not be checked (RecordUnchecked).
const ActionUnchecked = "unchecked_status_slip"

// Unchecked is a slip printed offline for a resident this kiosk knows but
// whose status it could not check: the answer it holds is past its
// valid_until or older than the freshness bound.
type Unchecked struct {
	IDNumber   pii.IDNumber
	MaskedName string
	Serial     string // the slip's serial number
	Why        string // Answer.Why
	WorkerID   string // "" for a resident alone
}

// RecordUnchecked records a printed unchecked slip and audits it under
// the resident's keyed hash, in one transaction, so that the counter
// lists it (Store.UncheckedSlips) until the resident's status is answered
// live here or a code is printed for her. Nothing is queued for the
// service: the slip carries no code.
func (e *Engine) RecordUnchecked(ctx context.Context, u Unchecked) error {
	key := e.st.KeyOf(u.IDNumber)
	return e.st.InTx(ctx, func(tx *localstore.Tx) error {
		if err := tx.RecordUnchecked(localstore.UncheckedSlip{Resident: key, MaskedName: u.MaskedName, Serial: u.Serial,
			Why: u.Why}); err != nil {
			return err
		}
		_, err := tx.Audit(u.WorkerID, ActionUnchecked, key, "slip "+u.Serial+": "+u.Why)
		return err
	})
}

// RequestCorrection queues a correction request (纠错) for a resident's
// colour. The ID number and the reason are sealed to the service's key,
// as an enrolment is: the outbox holds the request ready to send, and the
// kiosk cannot open it again.
//
// session is the worker's session at the service (api.WorkerSessionResponse),
// sealed in with the rest: the service accepts the correction only under
// it (docs/security.md, "1. Every device could do a worker's work"); "" when the worker logged in
// offline, and then the service refuses it and it is quarantined.
func (e *Engine) RequestCorrection(ctx context.Context, id pii.IDNumber, workerID, session, reason string) (Receipt, error) {
	if e.cfg.SealingKey == nil {
		return Receipt{}, ErrNotRegistered
	}
	cid := newClientID()
	req, err := client.SealCorrection(e.cfg.SealingKey, cid, workerID, session, id, reason)
	if err != nil {
		return Receipt{}, fmt.Errorf("request correction: %w", err)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return Receipt{}, fmt.Errorf("request correction: %w", err)
	}
	key := e.st.KeyOf(id)
	var r Receipt
	err = e.st.InTx(ctx, func(tx *localstore.Tx) error {
		it, err := tx.Enqueue(localstore.NewItem{ClientID: cid, Kind: KindCorrection, Body: body, Resident: key, Receipt: receiptOf(cid)})
		if err != nil {
			return err
		}
		r = Receipt{Seq: it.Seq, ClientID: cid, Number: it.Receipt}
		_, err = tx.Audit(workerID, "correction_request", key, "correction "+it.Receipt)
		return err
	})
	if err == nil {
		crashpoint.Hit(crashpoint.Enqueued)
		e.SyncNow()
	}
	return r, err
}

// Before corrections had a sealed form at the service, a kiosk sealed a
// queued correction (the plain api.CorrectionRequest of the time) to a key
// pair of its own, kept in settings under legacyLocalKey.
const (
	legacyLocalKey  = "local_outbox_key"
	legacyLocalInfo = "kiosk-local-outbox-v1"
)

// resealLegacyCorrections, on a kiosk that still holds that key pair,
// re-seals each correction not yet acknowledged to the service's key and
// then deletes the key pair, in one transaction, so that from then on no
// key on the kiosk opens a queued correction. An item that does not open
// is left as it is: the push quarantines it as local_bad_body for a
// worker to see.
func (e *Engine) resealLegacyCorrections(ctx context.Context) error {
	return e.st.InTx(ctx, func(tx *localstore.Tx) error {
		v, ok, err := tx.Setting(legacyLocalKey)
		if err != nil || !ok {
			return err
		}
		priv, err := sealbox.ParsePrivateKey(v)
		if err != nil {
			return fmt.Errorf("reseal corrections: %w", err)
		}
		items, err := tx.Unacked(KindCorrection)
		if err != nil {
			return err
		}
		n := 0
		for _, it := range items {
			body, ok := e.reseal(priv, it)
			if !ok {
				continue
			}
			if err := tx.ReplaceBody(it.ClientID, body); err != nil {
				return err
			}
			n++
		}
		if err := tx.DeleteSetting(legacyLocalKey); err != nil {
			return err
		}
		_, err = tx.Audit("", "outbox_resealed", localstore.ResidentKey{}, fmt.Sprintf("%d corrections", n))
		return err
	})
}

// reseal turns one legacy correction body into a sealed request.
func (e *Engine) reseal(priv *sealbox.PrivateKey, it localstore.Item) ([]byte, bool) {
	plain, err := sealbox.Open(priv, it.Body, []byte(legacyLocalInfo))
	if err != nil {
		return nil, false
	}
	defer clear(plain)
	var old struct {
		IDNumber string `json:"id_number"`
		WorkerID string `json:"worker_id"`
		Reason   string `json:"reason"`
	}
	if json.Unmarshal(plain, &old) != nil {
		return nil, false
	}
	// The service validates the number; the kiosk only carries it.
	req, err := client.SealCorrection(e.cfg.SealingKey, it.ClientID, old.WorkerID, "", pii.IDNumber(old.IDNumber), old.Reason)
	if err != nil {
		return nil, false
	}
	body, err := json.Marshal(req)
	return body, err == nil
}

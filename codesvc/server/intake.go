package server

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/sealbox"
)

// Enrol processes a batch item by item; each item is its own transaction,
// so a failure in one never leaves another half-written. The error is
// returned only for a storage failure, after which the batch stops (the
// kiosk retries it whole: the items already done answer "duplicate").
func (s *Service) Enrol(ctx context.Context, by Caller, items []api.EnrolmentItem) ([]api.EnrolmentResult, error) {
	out, _, err := s.EnrolFor(ctx, by, items, nil)
	return out, err
}

// EnrolFor is Enrol for a device that may declare only the purposes
// allowed accepts (nil accepts all). An item's purpose is its channel
// (ChannelPurpose); an item whose purpose is refused is rejected with
// api.ReasonPurposeRefused. It also returns, by purpose, the keys of the
// residents whose items were accepted (or repeated an accepted item):
// those the batch acted on.
func (s *Service) EnrolFor(ctx context.Context, by Caller, items []api.EnrolmentItem, allowed func(api.Purpose) bool) ([]api.EnrolmentResult, map[api.Purpose][][]byte, error) {
	out := make([]api.EnrolmentResult, 0, len(items))
	touched := map[api.Purpose][][]byte{}
	for _, it := range items {
		res, who, err := s.enrolOne(ctx, by, it, allowed)
		if err != nil {
			return nil, touched, err
		}
		if who.key != nil {
			touched[who.purpose] = append(touched[who.purpose], who.key)
		}
		out = append(out, res)
	}
	return out, touched, nil
}

// Caller is who makes a request: the device, its role, and the worker of
// the worker session it carries ("" for none).
type Caller struct {
	DeviceID string
	Role     api.Role
	WorkerID string
}

// ChannelPurpose is the purpose of an enrolment taken on a channel: a
// resident alone at a kiosk is self-service, anything else a counter's.
func ChannelPurpose(channel string) api.Purpose {
	if channel == api.ChannelKiosk {
		return api.PurposeSelfService
	}
	return api.PurposeCounter
}

// enrolled is the resident an item acted on, and under which purpose.
type enrolled struct {
	purpose api.Purpose
	key     []byte
}

func (s *Service) enrolOne(ctx context.Context, by Caller, it api.EnrolmentItem, allowed func(api.Purpose) bool) (api.EnrolmentResult, enrolled, error) {
	deviceID := by.DeviceID
	rejected := func(reason string) api.EnrolmentResult {
		return api.EnrolmentResult{ClientID: it.ClientID, Outcome: api.OutcomeRejected, Reason: reason}
	}
	if !api.ValidClientID(it.ClientID) {
		return rejected(api.ReasonInvalidClientID), enrolled{}, nil
	}
	box, err := base64.RawURLEncoding.DecodeString(it.Sealed)
	if err != nil {
		return rejected(api.ReasonUnsealable), enrolled{}, nil
	}
	plain, err := sealbox.Open(s.sealing, box, []byte(api.SealInfo))
	if err != nil {
		return rejected(api.ReasonUnsealable), enrolled{}, nil
	}
	digest := sha256.Sum256(plain)
	now := s.Now()
	req := store.IntakeRequest{
		Enrolment: store.Enrolment{ClientID: it.ClientID, DeviceID: deviceID, Digest: digest[:], CreatedAt: now},
		Caps:      s.opt.Caps,
		Limits:    s.opt.SelfLimits,
	}
	var p api.EnrolmentPayload
	reason := ""
	if err := api.DecodeBytes(plain, &p); err != nil {
		reason = api.ReasonBadPayload
	} else {
		reason = s.validate(ctx, deviceID, &p, &req)
	}
	if reason == "" {
		req.Enrolment.WorkerID, reason = s.actorFor(ctx, by, &p)
	}
	// The role's own refusal (actorFor) names the item's fault first; the
	// purpose rule is the second lock on the same door.
	if reason == "" && allowed != nil && !allowed(ChannelPurpose(p.Channel)) {
		reason = api.ReasonPurposeRefused
	}
	who := enrolled{purpose: ChannelPurpose(p.Channel), key: req.Resident.Key}
	if reason != "" {
		req.Enrolment.Outcome, req.Enrolment.Reason = store.Rejected, reason
	}
	e, dup, err := s.Store.Intake(ctx, req)
	if err != nil || e.Outcome != store.Accepted || reason != "" {
		who.key = nil // nothing was done to a resident
	}
	switch {
	case errors.Is(err, store.ErrRateLimited):
		s.opt.Logger.Warn("Self-enrolment rate limit", "device", deviceID)
		return api.EnrolmentResult{ClientID: it.ClientID, Outcome: api.OutcomeRateLimited}, who, nil
	case errors.Is(err, store.ErrConflict):
		return api.EnrolmentResult{ClientID: it.ClientID, Outcome: api.OutcomeConflict, Reason: string(api.CodeConflict)}, who, nil
	case err != nil:
		return api.EnrolmentResult{}, who, err
	case dup:
		return api.EnrolmentResult{ClientID: it.ClientID, Outcome: api.OutcomeDuplicate, Original: e.Outcome, Reason: e.Reason, ResidentRef: e.ResidentRef}, who, nil
	}
	return api.EnrolmentResult{ClientID: it.ClientID, Outcome: e.Outcome, Reason: e.Reason, ResidentRef: e.ResidentRef}, who, nil
}

// validate checks a payload and fills the resident part of req; it
// returns a rejection reason or "".
func (s *Service) validate(ctx context.Context, deviceID string, p *api.EnrolmentPayload, req *store.IntakeRequest) string {
	now := s.Now()
	id, err := pii.ParseIDNumber(p.IDNumber, now)
	if err != nil {
		return api.ReasonInvalidIDNumber
	}
	name := pii.Name(strings.TrimSpace(p.Name))
	if !ValidName(name.Reveal()) {
		return api.ReasonInvalidName
	}
	selfService := p.Channel == api.ChannelKiosk
	switch p.Channel {
	case "", api.ChannelCounter, api.ChannelKiosk:
	default:
		return api.ReasonBadPayload
	}
	phone, ok := NormalizePhone(p.Phone)
	if !ok && !(selfService && p.Phone == "") { // the phone is optional for a resident alone
		return api.ReasonInvalidPhone
	}
	if !p.Consent.Given || p.Consent.At.IsZero() ||
		p.Consent.By != api.ActorSelf && p.Consent.By != api.ActorFamily && p.Consent.By != api.ActorWorker {
		return api.ReasonConsentMissing
	}
	if selfService && (p.Actor.Kind != api.ActorSelf || p.Consent.By != api.ActorSelf) {
		// At a self-service kiosk nobody acts for the resident.
		return api.ReasonInvalidActor
	}
	if selfService && p.Consent.Version == "" {
		return api.ReasonConsentMissing
	}
	if p.DeviceID != deviceID {
		return api.ReasonDeviceMismatch
	}
	if p.CreatedAt.IsZero() {
		return api.ReasonBadPayload
	}
	if reason := s.checkActor(ctx, p, id, now, req); reason != "" {
		return reason
	}
	sealed, err := s.sealContact(name, phone)
	if err != nil {
		return api.ReasonBadPayload
	}
	ref, err := s.randomString("R", 10)
	if err != nil {
		return api.ReasonBadPayload
	}
	req.Resident = store.Resident{Key: s.ResidentKey(id), Ref: ref, MaskedName: name.Masked(), MaskedID: id.Masked(),
		ContactSealed: sealed, CreatedAt: now}
	req.Enrolment.Channel, req.Enrolment.Actor, req.Enrolment.ConsentVersion = store.ChannelCounter, p.Actor.Kind, p.Consent.Version
	if p.Actor.Guardian {
		req.Enrolment.Actor = "guardian"
	}
	if selfService {
		req.Enrolment.Channel = store.ChannelKiosk
	}
	return ""
}

// checkActor checks who acts for the resident whose number is id: the
// resident herself, a worker the service knows, or a family member (a
// guardian only for a minor), whose keyed number becomes req's proxy.
// It returns a rejection reason or "".
func (s *Service) checkActor(ctx context.Context, p *api.EnrolmentPayload, id pii.IDNumber, now time.Time, req *store.IntakeRequest) string {
	switch p.Actor.Kind {
	case api.ActorSelf:
		if p.Actor.WorkerID != "" || p.Actor.FamilyIDNumber != "" || p.Actor.Guardian {
			return api.ReasonInvalidActor
		}
	case api.ActorWorker:
		if p.Actor.FamilyIDNumber != "" || p.Actor.WorkerID == "" || p.Actor.Guardian {
			return api.ReasonInvalidActor
		}
		if err := s.checkWorker(ctx, p.Actor.WorkerID); err != nil {
			return api.ReasonUnknownWorker
		}
	case api.ActorFamily:
		fam, err := pii.ParseIDNumber(p.Actor.FamilyIDNumber, now)
		if err != nil || fam == id {
			return api.ReasonInvalidActor
		}
		if p.Actor.Guardian {
			// A guardian acts for a minor: the child's number says so.
			if age, ok := id.AgeAt(now); !ok || age >= healthcode.MinorAge {
				return api.ReasonInvalidActor
			}
		}
		req.ProxyKey = s.ResidentKey(fam)
	default:
		return api.ReasonInvalidActor
	}
	return ""
}

// actorFor ties an item's actor to the device's role and the worker's
// session (findings 1 and 12). A self-service kiosk sends only a
// resident alone (channel kiosk, actor self: validate checks those). A
// counter's own items name a worker, or a family member with the worker
// who took the item, never "self" (which would skip the proxy caps), and
// that worker must be the one whose session the request carries or, for
// an item queued while the network was down, the one whose session was
// sealed into it. It returns the worker to record, or a rejection.
func (s *Service) actorFor(ctx context.Context, by Caller, p *api.EnrolmentPayload) (string, string) {
	if p.Channel == api.ChannelKiosk {
		if by.Role != api.RoleSelfService && by.Role != api.RoleCounter {
			return "", api.ReasonRoleForbidden
		}
		return "", ""
	}
	if by.Role != api.RoleCounter {
		return "", api.ReasonRoleForbidden
	}
	if p.Actor.Kind == api.ActorSelf {
		return "", api.ReasonInvalidActor
	}
	worker := by.WorkerID
	if worker == "" && p.WorkerSession != "" {
		w, err := s.WorkerOf(ctx, by.DeviceID, p.WorkerSession, true)
		if err != nil {
			return "", api.ReasonWorkerSession
		}
		worker = w
	}
	if worker == "" || p.Actor.WorkerID != worker {
		return "", api.ReasonWorkerSession
	}
	return worker, ""
}

// ValidName accepts 1 to 40 characters of letters, marks, spaces and the
// middle dots of minority and foreign names.
func ValidName(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 1 || n > 40 {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) && r != ' ' && r != '·' && r != '•' && r != '.' && r != '-' {
			return false
		}
	}
	return true
}

// NormalizePhone accepts a mainland mobile number (11 digits, 1[3-9]...,
// with an optional +86 or 86 prefix) or a landline (an area code 0xx or
// 0xxx and a 7- or 8-digit number whose first digit is 2-9, or such a
// local number alone, as Shanghai's 8 digits), ignoring spaces and
// dashes. It returns the digits only.
func NormalizePhone(s string) (string, bool) {
	s = strings.NewReplacer(" ", "", "-", "", "(", "", ")", "").Replace(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "+86")
	if len(s) == 13 && strings.HasPrefix(s, "86") && s[2] == '1' {
		s = s[2:]
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	switch {
	case len(s) == 11 && s[0] == '1' && s[1] >= '3':
		return s, true
	case len(s) >= 10 && len(s) <= 12 && s[0] == '0' && s[1] != '0':
		// Area codes: 010 and 02x are three digits, the rest four.
		area := 4
		if s[1] == '1' || s[1] == '2' {
			area = 3
		}
		local := s[area:]
		if (len(local) == 7 || len(local) == 8) && local[0] >= '2' {
			return s, true
		}
	case (len(s) == 7 || len(s) == 8) && s[0] >= '2':
		return s, true
	}
	return "", false
}

package server

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/sealbox"
)

// IssueToken signs a new paper code for the resident with this ID number.
// With replace, the resident's active tokens are superseded; without it an
// active token fails with store.ErrActiveToken.
func (s *Service) IssueToken(ctx context.Context, deviceID, workerID string, id pii.IDNumber, replace bool) (api.TokenResponse, error) {
	r, evs, err := s.forIssue(ctx, workerID, id)
	if err != nil {
		return api.TokenResponse{}, err
	}
	return s.issue(ctx, deviceID, workerID, r, evs, replace, "")
}

// forIssue checks the worker and returns the resident with this ID
// number, for something to be issued to her (named).
func (s *Service) forIssue(ctx context.Context, workerID string, id pii.IDNumber) (store.Resident, []store.Event, error) {
	if err := s.checkWorker(ctx, workerID); err != nil {
		return store.Resident{}, nil, err
	}
	return s.named(ctx, id)
}

// named is enrolled for what needs her name: one the service knows only
// by her events, who never enrolled (no masked name), is ErrNotEnrolled
// too.
func (s *Service) named(ctx context.Context, id pii.IDNumber) (store.Resident, []store.Event, error) {
	r, evs, err := s.enrolled(ctx, id)
	if err == nil && r.MaskedName == "" {
		return store.Resident{}, nil, ErrNotEnrolled
	}
	return r, evs, err
}

// ReissueToken supersedes an active token with a new one for the same
// resident.
func (s *Service) ReissueToken(ctx context.Context, deviceID, workerID, tokenID string) (api.TokenResponse, error) {
	resp, _, err := s.reissueToken(ctx, deviceID, workerID, tokenID)
	return resp, err
}

// reissueToken is ReissueToken that also returns the resident's key once
// the token was found, whatever the outcome after.
func (s *Service) reissueToken(ctx context.Context, deviceID, workerID, tokenID string) (api.TokenResponse, []byte, error) {
	if err := s.checkWorker(ctx, workerID); err != nil {
		return api.TokenResponse{}, nil, err
	}
	_, r, evs, err := s.tokenResident(ctx, tokenID)
	if err != nil {
		return api.TokenResponse{}, nil, err
	}
	resp, err := s.issue(ctx, deviceID, workerID, r, evs, false, tokenID)
	return resp, r.Key, err
}

// tokenResident reads a paper code and the resident it was issued to,
// with her events.
func (s *Service) tokenResident(ctx context.Context, tokenID string) (store.Token, store.Resident, []store.Event, error) {
	t, err := s.Store.Token(ctx, tokenID)
	if err != nil {
		return store.Token{}, store.Resident{}, nil, err
	}
	r, evs, _, err := s.Store.ResidentByID(ctx, t.ResidentID)
	return t, r, evs, err
}

func (s *Service) issue(ctx context.Context, deviceID, workerID string, r store.Resident, evs []store.Event, replace bool, supersede string) (api.TokenResponse, error) {
	sg, err := s.currentSigner(ctx)
	if err != nil {
		return api.TokenResponse{}, err
	}
	now := s.Now().Truncate(time.Second)
	st := s.Evaluate(evs, now)
	tid, err := token.NewTokenID(s.opt.Rand)
	if err != nil {
		return api.TokenResponse{}, err
	}
	c := token.Claims{TokenID: tid, IssuedAt: now, ExpiresAt: now.Add(s.opt.TokenValidity), MaskedName: r.MaskedName,
		Status: &token.StatusClaim{Colour: st.Colour, AsOf: now, Version: st.Version, Until: st.ValidUntil}}
	text, err := signFitting(sg, c)
	if err != nil {
		return api.TokenResponse{}, fmt.Errorf("sign token: %w", err)
	}
	t := store.Token{ID: c.TokenIDString(), ResidentID: r.ID, KeyID: sg.KeyID(), IssuedAt: now, ExpiresAt: c.ExpiresAt,
		DeviceID: deviceID, WorkerID: workerID}
	superseded, err := s.Store.IssueToken(ctx, t, replace, supersede)
	if err != nil {
		return api.TokenResponse{}, err
	}
	return api.TokenResponse{TokenID: t.ID, Text: text, IssuedAt: now, ExpiresAt: t.ExpiresAt, KeyID: t.KeyID,
		ResidentRef: r.Ref, MaskedName: r.MaskedName, MaskedID: r.MaskedID, Status: s.APIStatus(st), Superseded: superseded}, nil
}

// signFitting signs c, shortening a long masked name (token.CompactName)
// and at last dropping the status claim until the token fits its QR code.
func signFitting(sg *token.Signer, c token.Claims) (string, error) {
	c.MaskedName = token.CompactName(c.MaskedName, token.MaxNameBytes)
	for _, budget := range []int{c.NameRoom(), 6, 3} {
		c.MaskedName = token.CompactName(c.MaskedName, budget)
		text, err := sg.Sign(c)
		if !errors.Is(err, token.ErrTooLarge) {
			return text, err
		}
	}
	c.Status = nil
	return sg.Sign(c)
}

// ReportLost revokes every active token of the resident, recording the
// device and the worker that reported the loss.
func (s *Service) ReportLost(ctx context.Context, deviceID, workerID string, id pii.IDNumber) ([]string, error) {
	if err := s.checkWorker(ctx, workerID); err != nil {
		return nil, err
	}
	r, _, err := s.enrolled(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.Store.RevokeTokens(ctx, r.ID, s.Now(), deviceID, workerID)
}

// tokenState is the state a verifier sees: a stored state, or "expired".
func tokenState(t store.Token, now time.Time) string {
	if t.State == api.StateActive && !now.Before(t.ExpiresAt) {
		return api.StateExpired
	}
	return t.State
}

// TokenStatus is the live answer for a token ID.
func (s *Service) TokenStatus(ctx context.Context, tokenID string) (api.TokenStatusResponse, error) {
	resp, _, err := s.tokenStatus(ctx, tokenID)
	return resp, err
}

// tokenStatus is TokenStatus with the key of the resident it answers
// about.
func (s *Service) tokenStatus(ctx context.Context, tokenID string) (api.TokenStatusResponse, []byte, error) {
	now := s.Now()
	t, r, evs, err := s.tokenResident(ctx, tokenID)
	if err != nil {
		return api.TokenStatusResponse{}, nil, err
	}
	state := tokenState(t, now)
	if revoked, err := s.keyRevoked(ctx, t.KeyID); err != nil {
		return api.TokenStatusResponse{}, nil, err
	} else if revoked && state == api.StateActive {
		state = api.StateRevoked // its key leaked: the paper must be re-issued
	}
	return api.TokenStatusResponse{TokenID: t.ID, State: state, IssuedAt: t.IssuedAt, ExpiresAt: t.ExpiresAt,
		MaskedName: r.MaskedName, Status: s.APIStatus(s.Evaluate(evs, now))}, r.Key, nil
}

// RecordPrint stores a print record.
func (s *Service) RecordPrint(ctx context.Context, deviceID string, p api.PrintRequest) (bool, error) {
	if err := s.checkWorker(ctx, p.WorkerID); err != nil {
		return false, err
	}
	return s.Store.RecordPrint(ctx, store.Print{ClientID: p.ClientID, TokenID: p.TokenID, DeviceID: deviceID,
		WorkerID: p.WorkerID, PrintedAt: p.PrintedAt.UTC(), RecordedAt: s.Now()})
}

func (s *Service) checkWorker(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	w, err := s.Store.Worker(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && w.Disabled {
		return ErrUnknownWorker
	}
	return err
}

// FileCorrection opens a sealed correction request and records it for
// the resident it names. A repeated client ID with the same resident and
// reason returns the correction first filed; with other content it fails
// with store.ErrConflict. It fails with ErrUnsealable for a box that does
// not open as a correction, ErrInvalidField for a bad client ID, payload
// or reason, an error matching pii.ErrInvalidID for a bad ID number,
// ErrUnknownWorker and ErrNotEnrolled.
//
// A correction is a worker's action: req.WorkerID must be the worker of
// the caller's session (by.WorkerID, a call made now) or of the session
// sealed in the payload when it was queued, else ErrWorkerSession.
func (s *Service) FileCorrection(ctx context.Context, by Caller, req api.CorrectionRequest) (api.Correction, error) {
	c, _, err := s.fileCorrection(ctx, by, req)
	return c, err
}

// fileCorrection is FileCorrection with the key of the resident the
// request names, once it is opened and checked (nil before).
func (s *Service) fileCorrection(ctx context.Context, by Caller, req api.CorrectionRequest) (api.Correction, []byte, error) {
	deviceID := by.DeviceID
	if !api.ValidClientID(req.ClientID) {
		return api.Correction{}, nil, fmt.Errorf("%w: client_id must be 8 to 64 characters of [A-Za-z0-9_-]", ErrInvalidField)
	}
	p, err := s.openCorrection(req.Sealed)
	if err != nil {
		return api.Correction{}, nil, err
	}
	if p.Reason == "" || len(p.Reason) > api.MaxCorrectionReason {
		return api.Correction{}, nil, fmt.Errorf("%w: the sealed reason must be 1 to %d bytes", ErrInvalidField, api.MaxCorrectionReason)
	}
	id, err := pii.ParseIDNumber(p.IDNumber, s.Now())
	if err != nil {
		return api.Correction{}, nil, err
	}
	worker := by.WorkerID
	if worker == "" && p.WorkerSession != "" {
		if worker, err = s.WorkerOf(ctx, deviceID, p.WorkerSession, true); err != nil {
			return api.Correction{}, nil, err
		}
	}
	if worker == "" || req.WorkerID != worker {
		return api.Correction{}, nil, ErrWorkerSession
	}
	key := s.ResidentKey(id)
	r, _, err := s.Store.ResidentByKey(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return api.Correction{}, key, ErrNotEnrolled
	}
	if err != nil {
		return api.Correction{}, nil, err
	}
	c, _, err := s.Store.FileCorrection(ctx, store.Correction{ClientID: req.ClientID, ResidentID: r.ID, DeviceID: deviceID,
		WorkerID: req.WorkerID, Reason: p.Reason, FiledAt: s.Now()})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return api.Correction{}, nil, err
	}
	return apiCorrection(c), key, err
}

// openCorrection opens CorrectionRequest.Sealed with the service's
// sealing key and the correction info string.
func (s *Service) openCorrection(sealed string) (api.CorrectionPayload, error) {
	var p api.CorrectionPayload
	box, err := base64.RawURLEncoding.Strict().DecodeString(sealed)
	if err != nil {
		return p, fmt.Errorf("correction: %w", ErrUnsealable)
	}
	plain, err := sealbox.Open(s.sealing, box, []byte(api.CorrectionSealInfo))
	if err != nil {
		return p, fmt.Errorf("correction: %w", ErrUnsealable)
	}
	defer clear(plain)
	if err := api.DecodeBytes(plain, &p); err != nil {
		// The decoder's message may quote the payload: say only what failed.
		return p, fmt.Errorf("%w: the sealed payload is not a correction", ErrInvalidField)
	}
	return p, nil
}

// ResolveCorrection accepts (optionally adding an event of kind at at) or
// rejects an open correction, with a note.
func (s *Service) ResolveCorrection(ctx context.Context, id int64, accept bool, note string, kind rules.EventKind, at time.Time) (api.Correction, error) {
	now := s.Now()
	state := api.CorrectionRejected
	var ev *store.Event
	if accept {
		state = api.CorrectionAccepted
		if kind != "" {
			e, err := newEvent(kind, at, now, fmt.Sprintf("correction:%d", id))
			if err != nil {
				return api.Correction{}, err
			}
			ev = &e
		}
	}
	c, err := s.Store.ResolveCorrection(ctx, id, state, note, now, ev, s.schedule(now))
	return apiCorrection(c), err
}

func apiCorrection(c store.Correction) api.Correction {
	return api.Correction{ID: c.ID, ClientID: c.ClientID, ResidentRef: c.ResidentRef, DeviceID: c.DeviceID, WorkerID: c.WorkerID,
		Reason: c.Reason, FiledAt: c.FiledAt, State: c.State, ResolvedAt: c.ResolvedAt, Note: c.Note, EventKind: c.EventKind}
}

// ResidentCodes is the resident's paper codes, the newest first (at most api.MaxCodes), each with the name of the device
// that issued it and its state as a verifier would see it now: a code
// whose signing key was revoked reads as revoked. ErrNotEnrolled when the
// service does not know her by name (named).
func (s *Service) ResidentCodes(ctx context.Context, id pii.IDNumber) (api.CodesResponse, error) {
	r, _, err := s.named(ctx, id)
	if err != nil {
		return api.CodesResponse{}, err
	}
	_, _, toks, err := s.Store.ResidentByID(ctx, r.ID)
	if err != nil {
		return api.CodesResponse{}, err
	}
	now := s.Now()
	resp := api.CodesResponse{MaskedName: r.MaskedName, MaskedID: r.MaskedID, Codes: []api.CodeEntry{}, More: len(toks) > api.MaxCodes}
	places := map[string]string{}
	for i := len(toks) - 1; i >= 0 && len(resp.Codes) < api.MaxCodes; i-- {
		t := toks[i]
		e := api.CodeEntry{TokenID: t.ID, IssuedAt: t.IssuedAt, ExpiresAt: t.ExpiresAt, State: tokenState(t, now)}
		if e.State == api.StateRevoked || e.State == api.StateSuperseded {
			e.StateAt = t.StateAt
		}
		if revoked, err := s.keyRevoked(ctx, t.KeyID); err != nil {
			return api.CodesResponse{}, err
		} else if revoked && e.State == api.StateActive {
			e.State = api.StateRevoked
		}
		if e.Place, err = s.placeOf(ctx, t.DeviceID, places); err != nil {
			return api.CodesResponse{}, err
		}
		resp.Codes = append(resp.Codes, e)
	}
	return resp, nil
}

// placeOf is the name of the device with this ID, remembered in seen for
// the rest of one answer; "" for a device the store no longer has.
func (s *Service) placeOf(ctx context.Context, deviceID string, seen map[string]string) (string, error) {
	if p, ok := seen[deviceID]; ok || deviceID == "" {
		return p, nil
	}
	d, err := s.Store.Device(ctx, deviceID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	seen[deviceID] = d.Name
	return d.Name, nil
}

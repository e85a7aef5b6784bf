package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/healthcloud"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/pii"
)

// Health-services errors; the handler answers them with their codes.
var (
	// ErrConsentRequired: the resident has not agreed to share her health
	// services (or withdrew): nothing about them is read or shown.
	ErrConsentRequired = errors.New("health services: consent required")
	// ErrNoHealthRecord: the health cloud has no record of her.
	ErrNoHealthRecord = errors.New("health services: no record")
)

// secretExportKey names the key of the residents' pseudonyms in the
// export to the health cloud, which the health cloud is given.
const secretExportKey = "health-cloud-export-key"

// HealthSubject is the resident's pseudonym for the health cloud:
// HMAC-SHA256 under the export key of her ID number, unpadded base64url.
// The health cloud, which holds the key and its own residents' numbers,
// finds her by it; anyone else learns nothing from it.
func (s *Service) HealthSubject(id pii.IDNumber) string {
	m := hmac.New(sha256.New, s.exportKey)
	m.Write([]byte("health-cloud\x00"))
	m.Write([]byte(id.Reveal()))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// ExportKey is the key of the pseudonyms (HealthSubject), for the health
// cloud's operator.
func (s *Service) ExportKey() []byte { return append([]byte(nil), s.exportKey...) }

// HealthCloud is the directory the service asks for residents' health
// services.
func (s *Service) HealthCloud() healthcloud.Directory { return s.opt.HealthCloud }

// enrolled returns the enrolled resident with this ID number, or
// ErrNotEnrolled.
func (s *Service) enrolled(ctx context.Context, id pii.IDNumber) (store.Resident, []store.Event, error) {
	r, evs, err := s.Store.ResidentByKey(ctx, s.ResidentKey(id))
	if errors.Is(err, store.ErrNotFound) {
		return r, nil, ErrNotEnrolled
	}
	return r, evs, err
}

// consenting returns the resident's consent in force if it is given, or
// ErrConsentRequired.
func (s *Service) consenting(ctx context.Context, residentID int64) (store.HealthConsent, error) {
	c, err := s.Store.HealthConsent(ctx, residentID)
	if errors.Is(err, store.ErrNotFound) || err == nil && !c.Given {
		return c, ErrConsentRequired
	}
	return c, err
}

// HealthServices is what the health cloud shares about the resident, once
// she agreed: ErrNotEnrolled, ErrConsentRequired (the health cloud was not
// asked) or ErrNoHealthRecord otherwise.
func (s *Service) HealthServices(ctx context.Context, id pii.IDNumber) (api.HealthServices, error) {
	r, _, err := s.enrolled(ctx, id)
	if err != nil {
		return api.HealthServices{}, err
	}
	c, err := s.consenting(ctx, r.ID)
	if err != nil {
		return api.HealthServices{}, err
	}
	rec, err := s.opt.HealthCloud.Record(ctx, s.HealthSubject(id))
	if errors.Is(err, healthcloud.ErrNoRecord) {
		return api.HealthServices{}, ErrNoHealthRecord
	}
	if err != nil {
		return api.HealthServices{}, fmt.Errorf("health cloud: %w", err)
	}
	now := s.Now()
	age, known := id.AgeAt(now)
	out := rec.Services(now, age, known)
	out.Consent = api.HealthConsent{Given: true, Version: c.Version, At: c.At}
	return out, nil
}

// SetHealthConsent records the resident's agreement to share with the
// health cloud (given, with the version of the text she was shown) or
// its withdrawal, by a device and, at a counter, a worker. An agreement
// starts her export with consent_given and her colour now; a withdrawal
// ends it with consent_withdrawn. Agreeing again, or withdrawing what was
// not given, is recorded and adds nothing to the export.
func (s *Service) SetHealthConsent(ctx context.Context, id pii.IDNumber, given bool, version, deviceID, workerID string) (api.HealthConsent, error) {
	if given && (version == "" || len(version) > 64) {
		return api.HealthConsent{}, fmt.Errorf("%w: version (1-64 bytes) is required to agree", ErrInvalidField)
	}
	if !given {
		version = ""
	}
	if err := s.checkWorker(ctx, workerID); err != nil {
		return api.HealthConsent{}, err
	}
	r, evs, err := s.enrolled(ctx, id)
	if err != nil {
		return api.HealthConsent{}, err
	}
	now := s.Now().Truncate(time.Second)
	subject := s.HealthSubject(id)
	_, was := s.consenting(ctx, r.ID)
	if was != nil && !errors.Is(was, ErrConsentRequired) {
		return api.HealthConsent{}, was
	}
	before := was == nil
	var export []store.ExportEntry
	switch {
	case given && !before:
		export = []store.ExportEntry{
			{ResidentID: r.ID, Subject: subject, Kind: api.ExportConsentGiven, At: now},
			{ResidentID: r.ID, Subject: subject, Kind: api.ExportColour, At: now, Colour: string(s.Evaluate(evs, now).Colour)},
		}
	case !given && before:
		// What happened while she shared goes first: the export reads it
		// only when the health cloud pulls, and after this it would read
		// nothing of hers.
		if err := s.catchUp(ctx); err != nil {
			return api.HealthConsent{}, err
		}
		export = []store.ExportEntry{{ResidentID: r.ID, Subject: subject, Kind: api.ExportConsentWithdrawn, At: now}}
	}
	c := store.HealthConsent{ResidentID: r.ID, Given: given, Version: version, Subject: subject, At: now, DeviceID: deviceID, WorkerID: workerID}
	if err := s.Store.SetHealthConsent(ctx, c, export, s.chain); err != nil {
		return api.HealthConsent{}, err
	}
	return api.HealthConsent{Given: given, Version: version, At: now}, nil
}

// AccessRecords groups who read or acted on the resident in the last
// api.AccessWindow by place and purpose, latest first.
func (s *Service) AccessRecords(ctx context.Context, id pii.IDNumber) (api.AccessResponse, error) {
	since := s.Now().Add(-api.AccessWindow).Truncate(time.Second)
	gs, err := s.Store.AccessGroups(ctx, s.ResidentKey(id), since, api.MaxAccessGroups+1)
	if err != nil {
		return api.AccessResponse{}, err
	}
	out := api.AccessResponse{Since: since, Groups: []api.AccessGroup{}}
	if len(gs) > api.MaxAccessGroups {
		gs, out.More = gs[:api.MaxAccessGroups], true
	}
	for _, g := range gs {
		out.Groups = append(out.Groups, api.AccessGroup{Place: g.Place, Purpose: api.Purpose(g.Purpose), Count: g.Count, First: g.First, Last: g.Last})
	}
	return out, nil
}

// DefaultAccessRetention is how long access records are kept: the life
// of a paper code, so that every use of a code still in anyone's hands
// can be shown to its holder.
const DefaultAccessRetention = 180 * 24 * time.Hour

// AccessRetention is how long the service keeps access records.
func (s *Service) AccessRetention() time.Duration { return s.opt.AccessRetention }

// PurgeAccess deletes the access records older than the retention and
// reports how many went.
func (s *Service) PurgeAccess(ctx context.Context) (int64, error) {
	n, err := s.Store.PurgeAccess(ctx, s.Now().Add(-s.opt.AccessRetention))
	if err != nil {
		return 0, fmt.Errorf("purge access records: %w", err)
	}
	return n, nil
}

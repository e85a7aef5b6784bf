package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/store"
)

// Purpose errors; the handler answers them with their codes.
var (
	// ErrUnknownPurpose: no purpose, or one not on api.Purposes.
	ErrUnknownPurpose = errors.New("unknown purpose")
	// ErrPurposeRefused: the device's role may not declare the purpose,
	// or the endpoint does not serve it.
	ErrPurposeRefused = errors.New("purpose refused")
)

// rolePurposes is the one rule of which device role may declare which
// purpose. A role not in the table, and a device with none, may declare
// none. A counter also runs the self-service and venue screens (its
// worker switches them, as routeRoles says), so it may declare their
// purposes too.
var rolePurposes = map[api.Role][]api.Purpose{
	api.RoleSelfService: {api.PurposeSelfService, api.PurposeCorrection},
	api.RoleCounter: {api.PurposeCounter, api.PurposeCorrection, api.PurposeFollowUp,
		api.PurposeSelfService, api.PurposeVenueEntry},
	api.RoleVenue:       {api.PurposeVenueEntry},
	api.RoleHospital:    {api.PurposeHospital},
	api.RoleHealthCloud: {api.PurposeHealthCloud},
}

// deviceRole is the role a device was registered with: its provisioning
// code's, kept by the store.
func deviceRole(d store.Device) api.Role { return d.Role }

// RoleMay reports whether a device of the role may declare the purpose.
func RoleMay(role api.Role, p api.Purpose) bool {
	return slices.Contains(rolePurposes[role], p)
}

// access is what a route does to residents: the action its access
// records name, and the purposes it serves.
type access struct {
	action   string
	purposes []api.Purpose
}

// The actions of access records, one per route that reads or acts on a
// resident.
const (
	ActionStatus         = "status"
	ActionEnrolment      = "enrolment"
	ActionIssue          = "issue"
	ActionLost           = "lost"
	ActionReissue        = "reissue"
	ActionTokenStatus    = "token_status"
	ActionFeed           = "feed"
	ActionCorrection     = "correction"
	ActionCorrections    = "corrections"
	ActionWatch          = "watch"
	ActionAccessRecords  = "access_records"
	ActionHealthServices = "health_services"
	ActionHealthConsent  = "health_consent"
	ActionResidentCodes  = "resident_codes"
	ActionExport         = "export"
	// ActionCredential: a medical-visit credential issued.
	ActionCredential = "credential"
	// ActionCredentialLookup: a hospital desk looked a credential up.
	ActionCredentialLookup = "credential_lookup"
)

var (
	self      = api.PurposeSelfService
	counter   = api.PurposeCounter
	venue     = api.PurposeVenueEntry
	followUp  = api.PurposeFollowUp
	corrected = api.PurposeCorrection
)

// residentRoutes lists every route that reads or acts on a resident.
// Each request on one writes exactly one access record per resident it
// reads or acts on, before it answers (TestEveryRouteRecordsAccess walks
// them all).
var residentRoutes = map[string]access{
	"POST /v1/status":                    {ActionStatus, []api.Purpose{self, counter, venue, followUp}},
	"POST /v1/enrolments":                {ActionEnrolment, []api.Purpose{self, counter}}, // each item's channel is its purpose
	"POST /v1/tokens":                    {ActionIssue, []api.Purpose{self, counter}},
	"POST /v1/tokens/lost":               {ActionLost, []api.Purpose{counter}},
	"POST /v1/tokens/{token_id}/reissue": {ActionReissue, []api.Purpose{counter}},
	"GET /v1/tokens/{token_id}":          {ActionTokenStatus, []api.Purpose{venue, counter}},
	"GET /v1/feed":                       {ActionFeed, []api.Purpose{self, counter, venue}}, // a venue's: its trust-list version
	"POST /v1/corrections":               {ActionCorrection, []api.Purpose{corrected}},
	"GET /v1/corrections":                {ActionCorrections, []api.Purpose{corrected}},
	"GET /v1/corrections/{id}":           {ActionCorrections, []api.Purpose{corrected}},
	"GET /v1/watch":                      {ActionWatch, []api.Purpose{counter, followUp}}, // the residents it lists
	"POST /v1/access-records":            {ActionAccessRecords, []api.Purpose{self, counter}},
	"POST /v1/health-services":           {ActionHealthServices, []api.Purpose{self, counter}},
	"POST /v1/health-consent":            {ActionHealthConsent, []api.Purpose{self, counter}},
	"POST /v1/resident-codes":            {ActionResidentCodes, []api.Purpose{counter}},
	"GET /v1/export":                     {ActionExport, []api.Purpose{api.PurposeHealthCloud}},
	"POST /v1/credentials":               {ActionCredential, []api.Purpose{self, counter}},
	"GET /v1/credentials/{token_id}":     {ActionCredentialLookup, []api.Purpose{api.PurposeHospital}},
}

// otherRoutes lists every other route with why it touches no resident.
var otherRoutes = map[string]string{
	"/":                         "no route: answers 404 or 405",
	"GET /healthz":              "liveness",
	"GET /readyz":               "readiness",
	"GET /v1/health":            "the service's time",
	"POST /v1/devices/register": "a device, with its provisioning code",
	"GET /v1/trust-list":        "public keys",
	"GET /v1/service-keys":      "public keys",
	"POST /v1/sessions":         "a device's session",
	"POST /v1/worker-sessions":  "a worker's session, with the worker's password",
	"GET /v1/workers":           "the worker list",
	"POST /v1/prints":           "that a slip came out of a printer: the code behind it was issued, and recorded, before",
}

// accessor is who reads or acts on residents in one request, once its
// purpose is allowed: what each access record names.
type accessor struct {
	device  store.Device
	role    api.Role
	purpose api.Purpose
	worker  string
	action  string
}

// purposeFor checks a declared purpose for the request's route and
// device, and returns who is asking. It fails with ErrUnknownPurpose for
// a purpose not on the list and ErrPurposeRefused for one the route does
// not serve or the device's role may not declare.
func (h *Handler) purposeFor(r *http.Request, c *call, p api.Purpose, worker string) (accessor, error) {
	route, ok := residentRoutes[r.Pattern]
	if !ok {
		return accessor{}, fmt.Errorf("route %q has no access rule", r.Pattern)
	}
	if !p.Valid() {
		return accessor{}, ErrUnknownPurpose
	}
	d, err := h.devices.get(r.Context(), h.svc.Store, c.deviceID)
	if err != nil {
		return accessor{}, err
	}
	role := deviceRole(d)
	if !slices.Contains(route.purposes, p) || !RoleMay(role, p) {
		h.log.Warn("Purpose refused", "device", d.ID, "role", string(role), "purpose", string(p), "route", r.Pattern)
		return accessor{}, ErrPurposeRefused
	}
	return accessor{device: d, role: role, purpose: p, worker: worker, action: route.action}, nil
}

// record writes one access record for each resident, by key, that the
// request read or acted on (a key given twice is one resident), before
// the request answers: no answer about a resident leaves without its
// record.
func (h *Handler) record(ctx context.Context, a accessor, keys ...[]byte) error {
	if len(keys) == 0 {
		return nil
	}
	now := h.svc.Now()
	recs := make([]store.AccessRecord, 0, len(keys))
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if seen[string(k)] {
			continue
		}
		seen[string(k)] = true
		recs = append(recs, store.AccessRecord{ResidentKey: k, At: now, DeviceID: a.device.ID, Place: a.device.Name, Role: string(a.role),
			Purpose: string(a.purpose), Action: a.action, WorkerID: a.worker})
	}
	if err := h.svc.Store.RecordAccess(ctx, recs); err != nil {
		return fmt.Errorf("access record: %w", err)
	}
	return nil
}

// recorded writes the access records of keys when the request's outcome
// is about the residents (about), and returns the error the request
// answers with: the record's failure before the request's own.
func (h *Handler) recorded(ctx context.Context, about bool, a accessor, err error, keys ...[]byte) error {
	if !about {
		return err
	}
	if rerr := h.record(ctx, a, keys...); rerr != nil {
		return rerr
	}
	return err
}

// recordResidents is record for residents by row ID.
func (h *Handler) recordResidents(ctx context.Context, a accessor, ids ...int64) error {
	keys := make([][]byte, 0, len(ids))
	for _, id := range ids {
		r, _, _, err := h.svc.Store.ResidentByID(ctx, id)
		if err != nil {
			return err
		}
		keys = append(keys, r.Key)
	}
	return h.record(ctx, a, keys...)
}

// deviceCache keeps the devices this instance has seen: their name and
// role never change once registered (a revocation is checked on every
// request by the authentication, not here).
type deviceCache struct {
	mu sync.RWMutex
	m  map[string]store.Device
}

func (c *deviceCache) get(ctx context.Context, st store.Store, id string) (store.Device, error) {
	c.mu.RLock()
	d, ok := c.m[id]
	c.mu.RUnlock()
	if ok {
		return d, nil
	}
	d, err := st.Device(ctx, id)
	if err != nil {
		return d, err
	}
	d.PublicKey = nil
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[string]store.Device)
	}
	c.m[id] = d
	c.mu.Unlock()
	return d, nil
}

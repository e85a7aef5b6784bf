package server

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
)

// routeRoles is which device roles may call each authenticated route
// (docs/security.md, "1. Every device could do a worker's work"). A route missing here cannot be
// registered: NewHandler panics, so a new endpoint is never open to
// every device by omission. A counter may also run the self-service
// and venue screens (its worker switches them), so it may call what
// those may; what only a worker may do there it does under a worker
// session, which the handlers ask for.
var routeRoles = map[string][]api.Role{
	"POST /v1/sessions":                  api.Roles,
	"POST /v1/status":                    residentReaders,
	"GET /v1/tokens/{token_id}":          residentReaders,
	"GET /v1/feed":                       residentReaders,
	"POST /v1/enrolments":                {api.RoleSelfService, api.RoleCounter},
	"POST /v1/tokens":                    {api.RoleSelfService, api.RoleCounter},
	"POST /v1/prints":                    {api.RoleSelfService, api.RoleCounter},
	"POST /v1/credentials":               {api.RoleSelfService, api.RoleCounter},
	"GET /v1/credentials/{token_id}":     {api.RoleHospital},
	"POST /v1/tokens/lost":               {api.RoleCounter},
	"POST /v1/tokens/{token_id}/reissue": {api.RoleCounter},
	"GET /v1/workers":                    {api.RoleCounter},
	"POST /v1/worker-sessions":           {api.RoleCounter},
	"POST /v1/corrections":               {api.RoleCounter},
	"GET /v1/corrections":                {api.RoleCounter},
	"GET /v1/corrections/{id}":           {api.RoleCounter},
	"GET /v1/watch":                      {api.RoleCounter},
	"POST /v1/access-records":            {api.RoleSelfService, api.RoleCounter},
	"POST /v1/health-services":           {api.RoleSelfService, api.RoleCounter},
	"POST /v1/health-consent":            {api.RoleSelfService, api.RoleCounter},
	"POST /v1/resident-codes":            {api.RoleCounter},
	"GET /v1/export":                     {api.RoleHealthCloud},
}

// residentReaders are the roles of the devices that stand where
// residents are served; the health cloud, which only pulls the export,
// is not one of them.
var residentReaders = []api.Role{api.RoleSelfService, api.RoleCounter, api.RoleVenue, api.RoleHospital}

// rolesOf returns the roles allowed on pattern; it panics for a pattern
// the table does not list.
func rolesOf(pattern string) []api.Role {
	roles, ok := routeRoles[pattern]
	if !ok {
		panic(fmt.Sprintf("server: route %q has no roles in routeRoles", pattern))
	}
	return roles
}

func allowed(roles []api.Role, r api.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// Limit is a token bucket: Burst requests at once, then one every Every.
// A zero Every is no limit.
type Limit struct {
	Burst int
	Every time.Duration
}

// DefaultLookupLimits bound look-ups of one resident (POST /v1/status,
// GET /v1/tokens/{id} and POST /v1/tokens, which answer a status too,
// POST /v1/credentials and GET /v1/credentials/{id}, and POST
// /v1/resident-codes) per device, by its role. Each is what one device serving one
// person at a time can need, with room for a short queue; more is a
// device being used to trawl the register, which the limit turns from
// a city in an afternoon into a few thousand people a day per device,
// each look-up logged against it.
//
//   - self_service: 6 at once, then one every 10 s. A resident alone
//     needs half a minute at least (card, screen, slip).
//   - counter: 20 at once, then one every 3 s. A worker with a resident
//     and her family, and the screen's own refreshes.
//   - venue: 10 at once, then one every 2 s. A queue at an entrance, one
//     card or paper at a time.
//   - hospital: 10 at once, then one every 3 s. A registration desk,
//     looking up one medical-visit credential at a time.
var DefaultLookupLimits = map[api.Role]Limit{
	api.RoleSelfService: {Burst: 6, Every: 10 * time.Second},
	api.RoleCounter:     {Burst: 20, Every: 3 * time.Second},
	api.RoleVenue:       {Burst: 10, Every: 2 * time.Second},
	api.RoleHospital:    {Burst: 10, Every: 3 * time.Second},
}

// buckets are token buckets per device, in this instance's memory (with
// several instances a device may get up to their number times its
// limit; docs/security.md says so). At most bucketTableSize devices are
// kept; the table starts afresh when full.
type buckets struct {
	mu sync.Mutex
	m  capped[bucket]
}

type bucket struct {
	tokens float64
	at     time.Time
}

const bucketTableSize = 1 << 16

// take spends one token of key's bucket under l at now, or returns how
// long until one is there.
func (b *buckets) take(key string, l Limit, now time.Time) (bool, time.Duration) {
	if l.Every <= 0 {
		return true, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	k := b.m.entry(key, bucketTableSize, func() *bucket { return &bucket{tokens: float64(l.Burst), at: now} })
	if el := now.Sub(k.at); el > 0 {
		k.tokens = math.Min(float64(l.Burst), k.tokens+float64(el)/float64(l.Every))
	}
	k.at = now
	if k.tokens >= 1 {
		k.tokens--
		return true, 0
	}
	return false, time.Duration((1 - k.tokens) * float64(l.Every))
}

// lookup spends one look-up of the calling device; false means the
// answer (429, Retry-After) has been written.
func (h *Handler) lookup(w http.ResponseWriter, c *call) bool {
	ok, wait := h.svc.lookups.take(c.deviceID, h.svc.opt.LookupLimits[c.role], h.svc.Now())
	if ok {
		return true
	}
	h.log.Warn("Look-up rate limit", "device", c.deviceID, "role", string(c.role))
	w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
	writeError(w, http.StatusTooManyRequests, api.CodeRateLimited, "too many look-ups from this device; wait")
	return false
}

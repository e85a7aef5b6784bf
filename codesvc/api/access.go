package api

import "time"

// Purpose is why a device reads or acts on a resident. Every request that
// does declares one, inside what the request signs (the JSON body of a
// POST, the query of a GET), so that nobody on the way can change it; the
// service refuses a purpose the device's role may not use, and records
// the purpose with the access (AccessGroup).
type Purpose string

// The purposes: a fixed list, which only a new version of the service
// extends.
const (
	// PurposeSelfService: a resident alone at a self-service kiosk, on her
	// own card (自助服务).
	PurposeSelfService Purpose = "self_service"
	// PurposeCounter: a community worker serving the resident at a
	// counter (窗口服务).
	PurposeCounter Purpose = "counter_service"
	// PurposeVenueEntry: a venue checks the code of someone coming in
	// (场所核验).
	PurposeVenueEntry Purpose = "venue_entry"
	// PurposeHospital: a hospital's registration desk checks a
	// medical-visit credential (就医登记).
	PurposeHospital Purpose = "hospital_registration"
	// PurposeCorrection: a worker files or follows a correction of the
	// resident's record (纠错).
	PurposeCorrection Purpose = "correction"
	// PurposeFollowUp: a community worker follows up a resident whose
	// colour changed (社区随访).
	PurposeFollowUp Purpose = "community_follow_up"
	// PurposeHealthCloud: the city's health cloud pulls the export of
	// residents who agreed to share with it (健康云服务).
	PurposeHealthCloud Purpose = "health_cloud"
)

// purposes is every purpose, in the order above.
var purposes = []Purpose{PurposeSelfService, PurposeCounter, PurposeVenueEntry, PurposeHospital,
	PurposeCorrection, PurposeFollowUp, PurposeHealthCloud}

// Purposes returns every purpose.
func Purposes() []Purpose { return append([]Purpose(nil), purposes...) }

// Valid reports whether p is on the list.
func (p Purpose) Valid() bool {
	for _, q := range purposes {
		if p == q {
			return true
		}
	}
	return false
}

// ParamPurpose is the query parameter that carries the purpose of a GET.
const ParamPurpose = "purpose"

// Purpose error codes.
const (
	// CodeUnknownPurpose (400): the purpose is missing or not on the list.
	CodeUnknownPurpose Code = "unknown_purpose"
	// CodePurposeRefused (403): the device's role may not declare this
	// purpose, or not on this endpoint.
	CodePurposeRefused Code = "purpose_refused"
)

// AccessRequest is POST /v1/access-records: who looked the resident up in
// the last AccessWindow (谁查询过我). Only her own card at a self-service
// kiosk (PurposeSelfService) or a worker serving her at a counter
// (PurposeCounter) may ask, and the asking is itself recorded.
type AccessRequest = ResidentRequest

// AccessWindow is how far back a resident's access records go on the
// kiosk's screen and slip.
const AccessWindow = 30 * 24 * time.Hour

// MaxAccessGroups bounds the groups in one AccessResponse.
const MaxAccessGroups = 200

// AccessResponse lists the accesses to the resident since Since, grouped
// by place and purpose, the most recent group first. More is set when
// there were more groups than MaxAccessGroups.
type AccessResponse struct {
	Since  time.Time     `json:"since"`
	Groups []AccessGroup `json:"groups"`
	More   bool          `json:"more"`
}

// AccessGroup is every access from one place with one purpose: how many,
// the first and the last.
type AccessGroup struct {
	Place   string    `json:"place"`
	Purpose Purpose   `json:"purpose"`
	Count   int       `json:"count"`
	First   time.Time `json:"first"`
	Last    time.Time `json:"last"`
}

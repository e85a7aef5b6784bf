package api

import (
	"crypto/sha256"
	"encoding/binary"
	"time"

	"github.com/shcommunity/kiosk/healthcode"
)

// Health-services error codes.
const (
	// CodeConsentRequired (403): the resident has not agreed to see her
	// health services at a kiosk (or withdrew her agreement): show the
	// consent screen, and nothing else.
	CodeConsentRequired Code = "consent_required"
	// CodeNoHealthRecord (404): the health cloud has no record of the
	// resident.
	CodeNoHealthRecord Code = "no_health_record"
)

// HealthRequest is POST /v1/health-services: the resident's health
// services from the health cloud (我的健康服务), once she has agreed.
type HealthRequest = ResidentRequest

// HealthServices is what the health cloud shares with a kiosk for a
// resident who agreed: whom to call and what is due. It holds no
// diagnosis, no test result and nothing about an illness.
type HealthServices struct {
	// FamilyDoctor is the contracted family doctor (家庭医生), and Centre
	// and CentrePhone her community health centre.
	FamilyDoctor string `json:"family_doctor"`
	Centre       string `json:"centre"`
	CentrePhone  string `json:"centre_phone"`
	// CheckUp is the free annual check-up of residents aged 65 and over
	// (老年人免费体检); absent for a younger resident.
	CheckUp      *CheckUp      `json:"check_up,omitempty"`
	Vaccinations []Vaccination `json:"vaccinations"`
	Reminders    []Reminder    `json:"reminders"`
	// Consent is the agreement under which this is shown.
	Consent HealthConsent `json:"consent"`
}

// CheckUp is the free annual check-up: whether this year's is done, and
// the date of the next one offered.
type CheckUp struct {
	Year int       `json:"year"`
	Done bool      `json:"done"`
	Next time.Time `json:"next"`
}

// Vaccine names a vaccine by a stable code; the kiosk writes its name in
// the screen's language.
type Vaccine string

// The vaccines of the health cloud's stand-in.
const (
	VaccineInfluenza    Vaccine = "influenza"
	VaccinePneumococcal Vaccine = "pneumococcal"
	VaccineCOVID19      Vaccine = "covid19"
	VaccineZoster       Vaccine = "herpes_zoster"
)

// Vaccination is one dose given: the date and the vaccine.
type Vaccination struct {
	Date    time.Time `json:"date"`
	Vaccine Vaccine   `json:"vaccine"`
}

// ReminderKind is what a reminder is about.
type ReminderKind string

// The reminders.
const (
	// ReminderCheckUp: this year's free check-up is not done yet.
	ReminderCheckUp ReminderKind = "check_up"
	// ReminderVaccine: a dose of Vaccine is due from Date.
	ReminderVaccine ReminderKind = "vaccine"
	// ReminderFollowUp: the family doctor's follow-up visit on Date.
	ReminderFollowUp ReminderKind = "doctor_follow_up"
)

// Reminder is one thing due: its kind, from when, and for a vaccine which.
type Reminder struct {
	Kind    ReminderKind `json:"kind"`
	Date    time.Time    `json:"date"`
	Vaccine Vaccine      `json:"vaccine,omitempty"`
}

// HealthConsentVersion names the consent text a kiosk shows before a
// resident's health services (package i18n, HealthConsent*); a change of
// the text is a new version.
const HealthConsentVersion = "health-services-2026-11"

// HealthConsentRequest is POST /v1/health-consent: the resident agrees
// (Given, with the Version of the text she was shown) or withdraws
// (Given false, at a counter).
type HealthConsentRequest struct {
	IDNumber string  `json:"id_number"`
	Purpose  Purpose `json:"purpose"`
	WorkerID string  `json:"worker_id,omitempty"`
	Given    bool    `json:"given"`
	Version  string  `json:"version,omitempty"`
}

// HealthConsent is a resident's standing agreement to share with the
// health cloud, as recorded.
type HealthConsent struct {
	Given   bool      `json:"given"`
	Version string    `json:"version,omitempty"`
	At      time.Time `json:"at"`
}

// Export entry kinds.
const (
	// ExportConsentGiven: the resident agreed; her entries follow.
	ExportConsentGiven = "consent_given"
	// ExportConsentWithdrawn: the resident withdrew; the health cloud
	// deletes what it holds of her, and no entry of hers follows unless
	// she agrees again.
	ExportConsentWithdrawn = "consent_withdrawn"
	// ExportCodeIssued: a paper code was issued to her, valid until
	// ExpiresAt.
	ExportCodeIssued = "code_issued"
	// ExportColour: her colour from At on.
	ExportColour = "colour"
)

// ExportPage is GET /v1/export?cursor=…&limit=…&purpose=health_cloud: the
// next entries of the append-only export after the cursor. The body is
// signed (HeaderExportSignature).
type ExportPage struct {
	Entries    []ExportEntry `json:"entries"`
	NextCursor string        `json:"next_cursor"`
	More       bool          `json:"more"`
}

// ExportEntry is one entry of the export. Subject is the resident's
// pseudonym for the health cloud (HMAC-SHA256 under the export key, which
// the health cloud holds, of her ID number); no name, no ID number, no
// reason for a colour. Hash chains the entry to the one before it
// (ExportHash).
type ExportEntry struct {
	Seq       int64             `json:"seq"`
	Subject   string            `json:"subject"`
	Kind      string            `json:"kind"`
	At        time.Time         `json:"at"`
	Colour    healthcode.Colour `json:"colour,omitempty"`
	ExpiresAt time.Time         `json:"expires_at,omitzero"`
	Hash      string            `json:"hash"` // lower-case hex
}

// HeaderExportSignature carries the Ed25519 signature, by the service's
// trust-list root key, of ExportSignedText over the response body.
const HeaderExportSignature = "X-Export-Signature"

// exportScheme labels the export's hashes and signatures.
const exportScheme = "KSV1 export"

// ExportSignedText is what the export signature covers: a label, so that
// no other signed message of the root key reads as an export page, and
// the body exactly as sent.
func ExportSignedText(body []byte) []byte {
	return append([]byte(exportScheme+" page\x00"), body...)
}

// ExportHash is the hash of an entry: SHA-256 of the label, the previous
// entry's hash (none for the first) and the entry's fields, each
// length-prefixed, times in Unix seconds. Changing, removing or
// reordering an entry changes every hash after it, so a health cloud that
// kept the last hash it saw detects any rewrite of the past.
func ExportHash(prev []byte, e ExportEntry) []byte {
	h := sha256.New()
	field := func(b []byte) {
		h.Write(binary.AppendUvarint(nil, uint64(len(b))))
		h.Write(b)
	}
	field([]byte(exportScheme + " entry"))
	field(prev)
	field(binary.BigEndian.AppendUint64(nil, uint64(e.Seq)))
	field([]byte(e.Subject))
	field([]byte(e.Kind))
	field(binary.BigEndian.AppendUint64(nil, uint64(e.At.Unix())))
	field([]byte(e.Colour))
	var exp int64
	if !e.ExpiresAt.IsZero() {
		exp = e.ExpiresAt.Unix()
	}
	field(binary.BigEndian.AppendUint64(nil, uint64(exp)))
	return h.Sum(nil)
}

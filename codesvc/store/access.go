package store

import "time"

// AccessRecord is one access to a resident: who (device, its place and
// role, the worker if any), why (the declared purpose), what (the action,
// one per endpoint) and when. The resident is her keyed hash
// (Resident.Key), so a record exists for a look-up of someone the service
// has never enrolled too.
type AccessRecord struct {
	ID          int64
	ResidentKey []byte
	At          time.Time
	DeviceID    string
	Place       string // the device's name when it asked: a centre or a venue
	Role        string
	Purpose     string
	Action      string
	WorkerID    string
}

// AccessGroup is the resident's accesses from one place with one
// purpose: how many, the first and the last.
type AccessGroup struct {
	Place   string
	Purpose string
	Count   int
	First   time.Time
	Last    time.Time
}

// HealthConsent is a resident's agreement to share with the health
// cloud, or its withdrawal: each is a row, and the newest is in force.
type HealthConsent struct {
	ID         int64
	ResidentID int64
	Given      bool
	Version    string // the consent text shown; "" for a withdrawal
	// Subject is her pseudonym in the export (api.ExportEntry.Subject).
	Subject  string
	At       time.Time
	DeviceID string
	WorkerID string
}

// ExportEntry is one entry of the append-only export to the health cloud
// (api.ExportEntry), with the resident it is about, which is not
// exported.
type ExportEntry struct {
	Seq        int64
	ResidentID int64
	Subject    string
	Kind       string
	At         time.Time
	Colour     string
	ExpiresAt  time.Time
	Hash       []byte
}

// ExportChain computes an entry's hash from the hash of the entry before
// it (nil for the first) and the entry, whose Seq is set.
type ExportChain func(prev []byte, e ExportEntry) []byte

// ExportState is how far the export has read the service's own records:
// every change up to ChangeSeq, and every scheduled boundary up to and
// including (Through, ThroughResident) in (At, ResidentID) order.
type ExportState struct {
	ChangeSeq       int64
	Through         time.Time
	ThroughResident int64
}

// ExportChange is a change of a resident who shares with the health
// cloud: its kind ("event", "token", "served") and when it was recorded.
type ExportChange struct {
	Seq        int64
	ResidentID int64
	Kind       string
	At         time.Time
}

// ExportMark is what the export holds about a resident who shares with
// it now: her pseudonym and the last colour it exported for her.
type ExportMark struct {
	ResidentID int64
	Subject    string
	Colour     string
}

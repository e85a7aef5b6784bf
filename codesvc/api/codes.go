package api

import "time"

// CodesRequest is POST /v1/resident-codes: the paper codes the service
// issued to one resident, for the worker serving her at a counter
// (PurposeCounter, under a worker session). The asking is recorded as an
// access.
type CodesRequest = ResidentRequest

// MaxCodes bounds the codes in one CodesResponse: the newest are kept.
const MaxCodes = 50

// CodesResponse is the resident's paper codes, the newest first. More is
// set when she had more than MaxCodes.
type CodesResponse struct {
	MaskedName string      `json:"masked_name"`
	MaskedID   string      `json:"masked_id"`
	Codes      []CodeEntry `json:"codes"`
	More       bool        `json:"more"`
}

// CodeEntry is one paper code as a worker sees it: when and where it was
// issued, until when, and its state as a verifier would see it now
// (StateActive, StateSuperseded, StateRevoked or StateExpired), with when
// it took that state (zero for an active or expired one).
type CodeEntry struct {
	TokenID   string    `json:"token_id"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Place     string    `json:"place"` // the issuing device's name: a centre or a kiosk
	State     string    `json:"state"`
	StateAt   time.Time `json:"state_at,omitzero"`
}

package api

import "time"

// HeaderWorkerSession carries a worker session (WorkerSessionResponse.Session)
// on a worker action: issue, re-issue, report-lost, a correction and, at
// a counter, an enrolment batch. It goes beside the device's own
// authentication, never instead of it: a session names one device and
// is refused from any other.
const HeaderWorkerSession = "X-Worker-Session"

// WorkerLoginRequest is POST /v1/worker-sessions, from a counter device:
// the worker's ID and the password she typed, which the service checks
// against its own slow hash.
type WorkerLoginRequest struct {
	WorkerID string `json:"worker_id"`
	Password string `json:"password"`
}

// WorkerSessionResponse answers it. Session is opaque to the device; it
// is valid on this device only, for this worker only, until ExpiresAt for
// calls made now and for QueueGrace after it was issued for items queued
// under it (an enrolment or a correction that carries it in its sealed
// payload).
type WorkerSessionResponse struct {
	Session     string    `json:"session"`
	WorkerID    string    `json:"worker_id"`
	DisplayName string    `json:"display_name"`
	ExpiresAt   time.Time `json:"expires_at"`
}

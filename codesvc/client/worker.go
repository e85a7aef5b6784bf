package client

import (
	"context"
	"net/http"

	"github.com/shcommunity/kiosk/codesvc/api"
)

type workerKey struct{}

// WithWorker returns ctx carrying a worker session
// (api.WorkerSessionResponse.Session): every call made with it sends the
// session in api.HeaderWorkerSession, beside the device's own
// authentication. Worker actions (IssueToken for a worker, ReissueToken,
// ReportLost, FileCorrection, a counter's Enrol) need it.
func WithWorker(ctx context.Context, session string) context.Context {
	if session == "" {
		return ctx
	}
	return context.WithValue(ctx, workerKey{}, session)
}

// workerOf is the worker session WithWorker put in ctx, or "".
func workerOf(ctx context.Context) string {
	s, _ := ctx.Value(workerKey{}).(string)
	return s
}

// WorkerLogin sends a worker's ID and password to the service, which
// checks them with its own hash and answers a session for this device.
// A wrong pair is an *api.Error with api.CodeBadLogin; a worker locked
// out after failed logins, api.CodeRateLimited. Only a counter device may
// ask (api.CodeRoleForbidden otherwise).
func (c *Client) WorkerLogin(ctx context.Context, workerID, password string) (api.WorkerSessionResponse, error) {
	return call[api.WorkerSessionResponse](ctx, c, http.MethodPost, "/v1/worker-sessions", api.WorkerLoginRequest{WorkerID: workerID, Password: password})
}

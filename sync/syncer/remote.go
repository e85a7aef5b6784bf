package syncer

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/pii"
)

// Remote is what the engine needs from the code service. ClientRemote
// implements it over codesvc/client; every method is one signed request.
type Remote interface {
	Enrol(ctx context.Context, b api.EnrolmentBatch) (api.EnrolmentResponse, error)
	RecordPrint(ctx context.Context, p api.PrintRequest) (api.PrintResponse, error)
	FileCorrection(ctx context.Context, c api.CorrectionRequest) (api.Correction, error)
	Status(ctx context.Context, id pii.IDNumber) (api.StatusResponse, error)
	Feed(ctx context.Context, cursor string, limit int) (api.FeedResponse, error)
	TrustList(ctx context.Context) ([]byte, error)
	Workers(ctx context.Context) (api.WorkerList, error)
}

// callReporter is implemented by a Remote that reports the outcome of
// every call made through it, including calls the engine does not make
// itself (ClientRemote: anything done with its client). New subscribes
// the engine's online state to it.
type callReporter interface {
	reportTo(fn func(err error))
}

// answered reports whether a call's outcome shows the service answering
// this kiosk about the request: a success, or a refusal of the request
// itself. The network, a timeout, a 5xx, a garbled answer and a refusal
// of the device are not.
func answered(err error) bool {
	if err == nil {
		return true
	}
	cl, _ := classify(err)
	return cl == permanent || cl == tooLarge
}

// class is what the engine does about an error from the service.
type class int

const (
	// transient: the network, the service's fault, a timeout, a garbled
	// or truncated answer. Retry later with backoff; nothing is wrong
	// with the items.
	transient class = iota
	// permanent: the service refused the request itself (a 4xx with a
	// reason code). Quarantine the item with that code.
	permanent
	// tooLarge: the batch is too large; split it.
	tooLarge
	// device: the service refuses this device (unknown, revoked, bad
	// signature). No item is at fault, so none is quarantined; the engine
	// keeps trying with backoff and shows the error.
	device
)

// classify sorts an error from a Remote call. Only an *api.Error with a
// 4xx status can be permanent: anything the engine cannot read as the
// service's own verdict is treated as the network's fault.
func classify(err error) (class, api.Code) {
	var ae *api.Error
	if !errors.As(err, &ae) {
		return transient, ""
	}
	switch ae.Code {
	case api.CodeClockSkew, api.CodeReplay, api.CodeInternal:
		return transient, ae.Code
	case api.CodeBodyTooLarge, api.CodeTooManyItems:
		return tooLarge, ae.Code
	case api.CodeAuthMissing, api.CodeAuthMalformed, api.CodeUnknownDevice, api.CodeDeviceRevoked, api.CodeBadSignature:
		return device, ae.Code
	}
	if ae.Status >= 500 || ae.Status == http.StatusRequestTimeout || ae.Status == http.StatusTooManyRequests || ae.Status == 0 {
		return transient, ae.Code
	}
	return permanent, ae.Code
}

// ErrDevice is returned (wrapped) by sync when the service refuses this
// device: it must be registered again or un-revoked by an operator.
var ErrDevice = errors.New("code service refuses this device")

// ErrGarbled reports a response that parsed but does not answer the
// request (wrong number of results, other client IDs). It is transient.
var ErrGarbled = errors.New("code service answer does not match the request")

// ErrDeferred reports items the service asked to be sent again later (a
// self-enrolment over its rate limit): they stay queued, in their place,
// and the engine backs off as after any transient error. The service did
// answer, so it does not make the kiosk offline.
var ErrDeferred = errors.New("code service asked to send again later")

func deviceError(err error) error { return fmt.Errorf("%w: %w", ErrDevice, err) }

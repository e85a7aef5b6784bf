package syncer

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/sealbox"
	"github.com/shcommunity/kiosk/sync/localstore"
)

// ClientRemote is the Remote over codesvc/client. It watches every call
// made with its client (client.Client.OnResult), the engine's and those
// other parts of the kiosk make with the same client (a new token, a venue
// check): after each that got an answer from the service it copies the
// skew the client measured (from X-Server-Time) into Clock, so the
// engine's freshness decisions use the service's time, and it tells the
// engine whether the service answered, so the engine's online state is
// that of the latest call. Make it with NewClientRemote.
type ClientRemote struct {
	C     *client.Client
	Clock *Clock

	listener atomic.Pointer[func(error)] // the engine's noteCall
}

var (
	_ Remote       = (*ClientRemote)(nil)
	_ callReporter = (*ClientRemote)(nil)
)

// NewClientRemote returns a Remote for the identity's device at baseURL.
// The client signs with clock's kiosk time plus the skew it observes, and
// declares self-service as its purpose (docs/api.md, "Purposes and access
// records") unless a request or its context says otherwise: a counter or
// a venue checker sets C.Purpose to its own.
func NewClientRemote(baseURL string, httpc *http.Client, id Identity, clock *Clock) *ClientRemote {
	c := &client.Client{BaseURL: baseURL, HTTP: httpc, DeviceID: id.DeviceID, Key: id.PrivateKey, Now: clock.Kiosk,
		Purpose: api.PurposeSelfService}
	r := &ClientRemote{C: c, Clock: clock}
	c.OnResult = r.after
	return r
}

// reportTo implements callReporter.
func (r *ClientRemote) reportTo(fn func(error)) { r.listener.Store(&fn) }

// after runs after every call made with r.C.
func (r *ClientRemote) after(err error) {
	if fn := r.listener.Load(); fn != nil {
		(*fn)(err)
	}
	var ae *api.Error
	if err != nil && (!errors.As(err, &ae) || ae.Status >= 500) {
		// No answer from the service itself (a 5xx may come from a proxy
		// without X-Server-Time): nothing learnt about its clock.
		return
	}
	if r.Clock != nil {
		now := r.Clock.Kiosk()
		r.Clock.Observe(now.Add(r.C.Skew()), now)
	}
}

// Enrol implements Remote.
func (r *ClientRemote) Enrol(ctx context.Context, b api.EnrolmentBatch) (api.EnrolmentResponse, error) {
	return r.C.Enrol(ctx, b.Items)
}

// RecordPrint implements Remote.
func (r *ClientRemote) RecordPrint(ctx context.Context, p api.PrintRequest) (api.PrintResponse, error) {
	return r.C.RecordPrint(ctx, p)
}

// FileCorrection implements Remote.
func (r *ClientRemote) FileCorrection(ctx context.Context, c api.CorrectionRequest) (api.Correction, error) {
	return r.C.FileCorrection(ctx, c)
}

// Status implements Remote.
func (r *ClientRemote) Status(ctx context.Context, id pii.IDNumber) (api.StatusResponse, error) {
	return r.C.Status(ctx, id)
}

// Feed implements Remote.
func (r *ClientRemote) Feed(ctx context.Context, cursor string, limit int) (api.FeedResponse, error) {
	return r.C.Feed(ctx, cursor, limit)
}

// TrustList implements Remote.
func (r *ClientRemote) TrustList(ctx context.Context) ([]byte, error) {
	return r.C.TrustList(ctx)
}

// Workers implements Remote.
func (r *ClientRemote) Workers(ctx context.Context) (api.WorkerList, error) {
	return r.C.Workers(ctx)
}

// Register registers this kiosk with a one-time provisioning code and the
// service fingerprint given with it (client.Provision: nothing is sent to
// a service that does not match the fingerprint): it makes the device's
// signing key unless p has one, checks the trust list against the root
// key and saves the identity, with the TLS pin, in st.
func Register(ctx context.Context, st *localstore.Store, p client.Provisioning) (Identity, error) {
	if p.Key == nil {
		_, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return Identity{}, fmt.Errorf("register: %w", err)
		}
		p.Key = key
	}
	got, err := client.Provision(ctx, p)
	if err != nil {
		return Identity{}, fmt.Errorf("register: %w", err)
	}
	resp, key := got.Response, p.Key
	sealing, err := sealbox.DecodePublicKey(resp.SealingKey)
	if err != nil {
		return Identity{}, fmt.Errorf("register: sealing key: %w", err)
	}
	root, err := base64.RawURLEncoding.DecodeString(resp.TrustRootKey)
	if err != nil || len(root) != ed25519.PublicKeySize {
		return Identity{}, errors.New("register: trust root key malformed")
	}
	id := Identity{DeviceID: resp.DeviceID, PrivateKey: key, SealingKey: sealing, TrustRoot: root, TrustList: resp.TrustList, TLSPin: got.Pin}
	if err := SaveIdentity(ctx, st, id); err != nil {
		return Identity{}, err
	}
	return id, nil
}

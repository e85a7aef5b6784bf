package syncer

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/sealbox"
	"github.com/shcommunity/kiosk/sync/localstore"
)

// ClientRemote is the Remote over codesvc/client. After every call that
// got an answer from the service it copies the skew the client measured
// (from X-Server-Time) into Clock, so the engine's freshness decisions use
// the service's time.
type ClientRemote struct {
	C     *client.Client
	Clock *Clock
}

var _ Remote = (*ClientRemote)(nil)

// NewClientRemote returns a Remote for the identity's device at baseURL.
// The client signs with clock's kiosk time plus the skew it observes.
func NewClientRemote(baseURL string, httpc *http.Client, id Identity, clock *Clock) *ClientRemote {
	c := &client.Client{BaseURL: baseURL, HTTP: httpc, DeviceID: id.DeviceID, Key: id.PrivateKey, Now: clock.Kiosk}
	return &ClientRemote{C: c, Clock: clock}
}

func (r *ClientRemote) after(err error) {
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
	resp, err := r.C.Enrol(ctx, b.Items)
	r.after(err)
	return resp, err
}

// RecordPrint implements Remote.
func (r *ClientRemote) RecordPrint(ctx context.Context, p api.PrintRequest) (api.PrintResponse, error) {
	resp, err := r.C.RecordPrint(ctx, p)
	r.after(err)
	return resp, err
}

// FileCorrection implements Remote.
func (r *ClientRemote) FileCorrection(ctx context.Context, c api.CorrectionRequest) (api.Correction, error) {
	resp, err := r.C.FileCorrection(ctx, c)
	r.after(err)
	return resp, err
}

// Status implements Remote.
func (r *ClientRemote) Status(ctx context.Context, id pii.IDNumber) (api.StatusResponse, error) {
	resp, err := r.C.Status(ctx, id)
	r.after(err)
	return resp, err
}

// Feed implements Remote.
func (r *ClientRemote) Feed(ctx context.Context, cursor string, limit int) (api.FeedResponse, error) {
	resp, err := r.C.Feed(ctx, cursor, limit)
	r.after(err)
	return resp, err
}

// TrustList implements Remote.
func (r *ClientRemote) TrustList(ctx context.Context) ([]byte, error) {
	resp, err := r.C.TrustList(ctx)
	r.after(err)
	return resp, err
}

// Workers implements Remote.
func (r *ClientRemote) Workers(ctx context.Context) (api.WorkerList, error) {
	resp, err := r.C.Workers(ctx)
	r.after(err)
	return resp, err
}

// Register registers this kiosk with a one-time provisioning code: it
// makes the device's signing key, calls the service, checks the trust
// list against the root key it was given and saves the identity in st.
func Register(ctx context.Context, st *localstore.Store, baseURL string, httpc *http.Client, code, name string) (Identity, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Identity{}, fmt.Errorf("register: %w", err)
	}
	_, resp, err := client.Register(ctx, baseURL, httpc, code, name, key)
	if err != nil {
		return Identity{}, fmt.Errorf("register: %w", err)
	}
	sealing, err := sealbox.DecodePublicKey(resp.SealingKey)
	if err != nil {
		return Identity{}, fmt.Errorf("register: sealing key: %w", err)
	}
	root, err := base64.RawURLEncoding.DecodeString(resp.TrustRootKey)
	if err != nil || len(root) != ed25519.PublicKeySize {
		return Identity{}, errors.New("register: trust root key malformed")
	}
	id := Identity{DeviceID: resp.DeviceID, PrivateKey: key, SealingKey: sealing, TrustRoot: root, TrustList: resp.TrustList}
	if err := SaveIdentity(ctx, st, id); err != nil {
		return Identity{}, err
	}
	return id, nil
}

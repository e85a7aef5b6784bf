package syncer

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/sealbox"
	"github.com/shcommunity/kiosk/sync/localstore"
)

// ErrNotRegistered: the store holds no device identity yet.
var ErrNotRegistered = errors.New("kiosk not registered with the code service")

// Identity is what a kiosk learns when it registers: who it is, the key
// it signs requests with, the key it seals personal data to, and the root
// key the trust list must be signed by.
type Identity struct {
	DeviceID   string
	PrivateKey ed25519.PrivateKey
	SealingKey *sealbox.PublicKey
	TrustRoot  ed25519.PublicKey
	TrustList  []byte // the signed trust list as received; may be empty
	// TLSPin is the SHA-256 of the service's TLS key (api.SPKIHash),
	// pinned at provisioning; nil when the service's certificate is
	// checked against the system's roots instead (or on loopback). Make
	// the HTTP client with client.HTTPClient(TLSPin, ...).
	TLSPin []byte
}

// SaveIdentity stores a registration's result in the store's settings,
// checking the trust list against the root key first.
func SaveIdentity(ctx context.Context, st *localstore.Store, id Identity) error {
	if id.DeviceID == "" || len(id.PrivateKey) != ed25519.PrivateKeySize || id.SealingKey == nil || len(id.TrustRoot) != ed25519.PublicKeySize {
		return errors.New("save identity: incomplete identity")
	}
	var version uint64
	if len(id.TrustList) > 0 {
		tl, err := token.ParseTrustList(id.TrustList, id.TrustRoot)
		if err != nil {
			return fmt.Errorf("save identity: trust list: %w", err)
		}
		version = tl.Version
	}
	// The signing seed goes to the key file, never into the database
	// (sync/keystore); first, so that a database that names a device
	// always has its key.
	if err := st.SetDeviceSeed(id.PrivateKey.Seed()); err != nil {
		return fmt.Errorf("save identity: %w", err)
	}
	return st.InTx(ctx, func(tx *localstore.Tx) error {
		for k, v := range map[string][]byte{
			setDeviceID:   []byte(id.DeviceID),
			setSealingKey: []byte(id.SealingKey.String()),
			setTrustRoot:  id.TrustRoot,
		} {
			if err := tx.SetSetting(k, v); err != nil {
				return err
			}
		}
		if len(id.TLSPin) > 0 {
			if err := tx.SetSetting(setTLSPin, id.TLSPin); err != nil {
				return err
			}
		}
		if len(id.TrustList) > 0 {
			if err := tx.SetSetting(setTrustList, id.TrustList); err != nil {
				return err
			}
			if err := tx.SetSetting(setTrustVersion, fmt.Appendf(nil, "%d", version)); err != nil {
				return err
			}
		}
		_, err := tx.Audit("", "register_device", localstore.ResidentKey{}, "device "+id.DeviceID)
		return err
	})
}

// LoadIdentity reads the identity SaveIdentity stored.
func LoadIdentity(ctx context.Context, st *localstore.Store) (Identity, error) {
	var id Identity
	get := func(k string) ([]byte, error) {
		v, ok, err := st.Setting(ctx, k)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrNotRegistered
		}
		return v, nil
	}
	v, err := get(setDeviceID)
	if err != nil {
		return id, err
	}
	id.DeviceID = string(v)
	seed := st.DeviceSeed()
	if seed == nil {
		return id, fmt.Errorf("load identity: the key file holds no device key: %w", ErrNotRegistered)
	}
	if len(seed) != ed25519.SeedSize {
		return id, errors.New("load identity: device key of wrong size")
	}
	id.PrivateKey = ed25519.NewKeyFromSeed(seed)
	if v, err = get(setSealingKey); err != nil {
		return id, err
	}
	if id.SealingKey, err = sealbox.DecodePublicKey(string(v)); err != nil {
		return id, fmt.Errorf("load identity: %w", err)
	}
	if v, err = get(setTrustRoot); err != nil {
		return id, err
	}
	id.TrustRoot = ed25519.PublicKey(v)
	if v, ok, err := st.Setting(ctx, setTrustList); err != nil {
		return id, err
	} else if ok {
		id.TrustList = v
	}
	if v, ok, err := st.Setting(ctx, setTLSPin); err != nil {
		return id, err
	} else if ok && len(v) > 0 {
		id.TLSPin = v
	}
	return id, nil
}

// TrustList returns the newest verified trust list the kiosk holds, for
// the venue check (codesvc/verify).
func (e *Engine) TrustList(ctx context.Context) (*token.TrustList, error) {
	id, err := LoadIdentity(ctx, e.st)
	if err != nil {
		return nil, err
	}
	if len(id.TrustList) == 0 {
		return nil, errors.New("no trust list yet")
	}
	return token.ParseTrustList(id.TrustList, id.TrustRoot)
}

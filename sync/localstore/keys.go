package localstore

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/shcommunity/kiosk/sync/keystore"
)

// Errors of the keys kept outside the database (sync/keystore).
var (
	// ErrKeysMissing: the database was made with a key file that is not
	// there: a database copied without its keys, or keys lost. Restore
	// the key file, or start a new database and provision again.
	ErrKeysMissing = errors.New("local store: the key file of this database is missing")
	// ErrKeysMismatch: the key file is another database's.
	ErrKeysMismatch = errors.New("local store: the key file does not belong to this database")
)

// Settings the store keeps about its keys. The legacy ones held the
// secrets themselves before they moved out (releases up to migration
// 0002); the store moves them out on its first start and deletes them.
const (
	settingKeysCheck    = "keys_check"          // HMAC of a fixed text under the keyed-hash secret
	settingScrubbed     = "scrubbed_v1"         // the file was vacuumed after the secrets left it
	legacySecret        = "resident_key_secret" // the keyed-hash secret, before the key file
	legacyDeviceKey     = "device_private_key"  // the device's Ed25519 seed, before the key file
	keyCheckText        = "kiosk-keys-check-v1"
	secretSize, seedLen = 32, ed25519.SeedSize
)

// keysCheck is what settingKeysCheck holds for a keyed-hash secret: it
// tells this database's key file from another's without revealing it.
func keysCheck(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(keyCheckText))
	return m.Sum(nil)
}

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// loadKeys reads the key file, moves a legacy database's secrets into it,
// makes the keys of a new database, and checks that file and database
// belong together. It returns whether secrets left the database (the
// file must then be vacuumed so that their bytes go too).
func (s *Store) loadKeys(ctx context.Context) (moved bool, err error) {
	keys, have, err := s.keyFile.Load()
	if err != nil {
		return false, err
	}
	var oldSecret, oldSeed, check []byte
	err = s.InTx(ctx, func(tx *Tx) error {
		var err error
		if oldSecret, _, err = tx.Setting(legacySecret); err != nil {
			return err
		}
		if oldSeed, _, err = tx.Setting(legacyDeviceKey); err != nil {
			return err
		}
		check, _, err = tx.Setting(settingKeysCheck)
		return err
	})
	if err != nil {
		return false, err
	}
	changed := !have
	adopt := func(dst *[]byte, old []byte) error {
		switch {
		case old == nil:
		case *dst == nil:
			*dst, changed = old, true
		case !bytes.Equal(*dst, old):
			return ErrKeysMismatch
		}
		return nil
	}
	if err := adopt(&keys.ResidentSecret, oldSecret); err != nil {
		return false, err
	}
	if err := adopt(&keys.DeviceSeed, oldSeed); err != nil {
		return false, err
	}
	if keys.ResidentSecret == nil {
		if check != nil {
			return false, ErrKeysMissing
		}
		keys.ResidentSecret, changed = random(secretSize), true
	}
	if check != nil && !hmac.Equal(check, keysCheck(keys.ResidentSecret)) {
		return false, ErrKeysMismatch
	}
	// The chain before this start is trusted only on the start that
	// makes the audit key (audit.go, keyAuditHead).
	trusted := keys.AuditKey == nil
	if trusted {
		keys.AuditKey, changed = random(secretSize), true
	}
	if changed {
		// The file first: a crash after it leaves both copies, which the
		// next start finds equal and finishes moving.
		if err := s.keyFile.Save(keys); err != nil {
			return false, err
		}
	}
	s.keys, s.secret, s.auditKey = keys, keys.ResidentSecret, keys.AuditKey
	err = s.InTx(ctx, func(tx *Tx) error {
		if check == nil {
			if err := tx.SetSetting(settingKeysCheck, keysCheck(keys.ResidentSecret)); err != nil {
				return err
			}
		}
		for _, k := range []string{legacySecret, legacyDeviceKey} {
			if err := tx.DeleteSetting(k); err != nil {
				return err
			}
		}
		return tx.keyAuditHead(trusted)
	})
	return oldSecret != nil || oldSeed != nil, err
}

// scrub rewrites the file once after secrets or columns that held
// personal data left it (secure_delete zeroes what is deleted from now
// on; VACUUM rebuilds the pages written before), and empties the -wal.
func (s *Store) scrub(ctx context.Context, force bool) error {
	if _, done, err := s.Setting(ctx, settingScrubbed); err != nil || done && !force {
		return err
	}
	if _, err := s.db.ExecContext(ctx, "VACUUM"); err != nil {
		return s.classify("vacuum", err)
	}
	if _, err := s.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return s.classify("checkpoint", err)
	}
	return s.InTx(ctx, func(tx *Tx) error { return tx.SetSetting(settingScrubbed, []byte{1}) })
}

// DeviceSeed returns the device's Ed25519 seed, or nil before
// registration. It lives in the key file, never in the database.
func (s *Store) DeviceSeed() []byte {
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	return bytes.Clone(s.keys.DeviceSeed)
}

// SetDeviceSeed keeps the device's Ed25519 seed in the key file.
func (s *Store) SetDeviceSeed(seed []byte) error {
	if len(seed) != seedLen {
		return fmt.Errorf("device seed: %d bytes, want %d", len(seed), seedLen)
	}
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	k := s.keys
	k.DeviceSeed = bytes.Clone(seed)
	if err := s.keyFile.Save(k); err != nil {
		return err
	}
	s.keys = k
	return nil
}

// KeyFile is the path of the store's key file.
func (s *Store) KeyFile() string { return s.keyFile.Path }

// keyFileOf checks Options.KeyFile.
func keyFileOf(opts Options) (keystore.File, error) {
	if opts.KeyFile == "" {
		return keystore.File{}, errors.New("local store: Options.KeyFile is required (keystore.DefaultPath for the kiosk)")
	}
	return keystore.File{Path: opts.KeyFile}, nil
}

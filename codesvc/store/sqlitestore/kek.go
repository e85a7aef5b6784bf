package sqlitestore

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

// KEKSize is the length of a key-encryption key: an AES-256 key.
const KEKSize = 32

// KEKEnv is the environment variable that may carry the KEK in base64, for
// deployments that inject secrets rather than keep files.
const KEKEnv = "CODESERVICE_KEK"

// ErrKeyFileMode: the key file may be read by the group or by others. The
// KEK is the one thing that separates a copy of the database from the
// service's keys, so it is refused rather than used.
var ErrKeyFileMode = errors.New("key file is readable by group or others (want mode 0600)")

// ErrKEKSize: a key file or KEKEnv value is not KEKSize bytes.
var ErrKEKSize = errors.New("key-encryption key must be 32 bytes")

// kekCheck is wrapped under the purpose "kek_check" and stored once, so a
// wrong KEK is told apart from a moved row before anything else is read.
const kekCheck = "suishen codeservice key-encryption key"

// DefaultKeyFile is where the KEK of the database at db lives unless told
// otherwise: next to it, so that the service's state directory holds both.
func DefaultKeyFile(db string) string { return db + ".key" }

// ParseKEK decodes a base64 KEK (standard alphabet, padding optional,
// surrounding white space ignored), as KEKEnv carries it.
func ParseKEK(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("key-encryption key: not base64: %w", err)
	}
	if len(b) != KEKSize {
		return nil, fmt.Errorf("key-encryption key has %d bytes: %w", len(b), ErrKEKSize)
	}
	return b, nil
}

// LoadKeyFile reads the KEK from file: exactly KEKSize raw bytes. A missing
// file is created with KEKSize random bytes and mode 0600 (created
// reports it). On Unix a file readable by group or others fails with
// ErrKeyFileMode.
func LoadKeyFile(file string) (kek []byte, created bool, err error) {
	kek = make([]byte, KEKSize)
	rand.Read(kek)
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		_, err = f.Write(kek)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(file)
			return nil, false, fmt.Errorf("create key file %s: %w", filepath.Base(file), err)
		}
		return kek, true, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return nil, false, fmt.Errorf("create key file %s: %w", filepath.Base(file), err)
	}
	st, err := os.Stat(file)
	if err != nil {
		return nil, false, fmt.Errorf("key file: %w", err)
	}
	// Windows has no mode bits worth the name; the installer's ACLs on
	// the state directory guard the file there.
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, false, fmt.Errorf("%s: mode %04o: %w", filepath.Base(file), st.Mode().Perm(), ErrKeyFileMode)
	}
	kek, err = os.ReadFile(file)
	if err != nil {
		return nil, false, fmt.Errorf("key file: %w", err)
	}
	if len(kek) != KEKSize {
		return nil, false, fmt.Errorf("%s has %d bytes: %w", filepath.Base(file), len(kek), ErrKEKSize)
	}
	return kek, false, nil
}

// wrapper seals values to the KEK with AES-256-GCM and a random nonce.
// The additional data is the row's purpose (table and key), so a wrapped
// value copied into another row does not open there.
type wrapper struct{ aead cipher.AEAD }

func newWrapper(kek []byte) (*wrapper, error) {
	if len(kek) != KEKSize {
		return nil, fmt.Errorf("key-encryption key has %d bytes: %w", len(kek), ErrKEKSize)
	}
	b, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	a, err := cipher.NewGCMWithRandomNonce(b)
	if err != nil {
		return nil, err
	}
	return &wrapper{aead: a}, nil
}

func ad(purpose string) []byte { return []byte("codeservice/kek/v1\x00" + purpose) }

func secretPurpose(name string) string      { return "secrets\x00" + name }
func signingKeyPurpose(keyID string) string { return "signing_keys\x00" + keyID }

func (w *wrapper) wrap(purpose string, plain []byte) []byte {
	return w.aead.Seal(nil, nil, plain, ad(purpose))
}

// unwrap opens a wrapped value; any failure is store.ErrSecretMoved, since
// the KEK itself was checked at open.
func (w *wrapper) unwrap(purpose string, box []byte) ([]byte, error) {
	p, err := w.aead.Open(nil, nil, box, ad(purpose))
	if err != nil {
		return nil, store.ErrSecretMoved
	}
	return p, nil
}

// sealAtRest checks the KEK against the database and wraps every value
// still in the clear (a database from before migration 0002), all in one
// transaction. Deleted content is zeroed (secure_delete) and the WAL is
// checkpointed and truncated afterwards, so the plain bytes do not linger
// in free pages or in the log.
func sealAtRest(ctx context.Context, db *sql.DB, w *wrapper) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var secureDelete int
	if err := conn.QueryRowContext(ctx, "PRAGMA secure_delete").Scan(&secureDelete); err != nil {
		return fmt.Errorf("read secure_delete: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA secure_delete = ON"); err != nil {
		return fmt.Errorf("secure_delete: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA secure_delete = %d", secureDelete))

	var wrapped int
	err = sqldb.InTx(ctx, conn, func(tx *sql.Tx) error {
		var check []byte
		err := tx.QueryRowContext(ctx, `SELECT value FROM kek_check WHERE id = 1`).Scan(&check)
		fresh := errors.Is(err, sql.ErrNoRows)
		switch {
		case fresh:
			if _, err := tx.ExecContext(ctx, `INSERT INTO kek_check(id, value) VALUES (1, ?)`, w.wrap("kek_check", []byte(kekCheck))); err != nil {
				return err
			}
		case err != nil:
			return fmt.Errorf("read kek check: %w", err)
		default:
			if p, err := w.unwrap("kek_check", check); err != nil || string(p) != kekCheck {
				return store.ErrWrongKEK
			}
		}
		for _, t := range []struct {
			table, key, value string
			purpose           func(string) string
		}{
			{"secrets", "name", "value", secretPurpose},
			{"signing_keys", "key_id", "private_key", signingKeyPurpose},
		} {
			n, err := sealTable(ctx, tx, w, t.table, t.key, t.value, t.purpose, fresh)
			if err != nil {
				return err
			}
			wrapped += n
		}
		return nil
	})
	if err != nil {
		return err
	}
	if wrapped > 0 {
		if _, err := conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			return fmt.Errorf("checkpoint after wrapping: %w", err)
		}
	}
	return nil
}

// sealTable wraps the plain rows of one table and checks that the wrapped
// ones open. Without a check row (fresh) a wrapped row that does not open
// means the KEK is wrong rather than the row moved.
func sealTable(ctx context.Context, tx *sql.Tx, w *wrapper, table, key, value string, purpose func(string) string, fresh bool) (int, error) {
	rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT %s, %s, wrapped FROM %s`, key, value, table))
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", table, err)
	}
	type plain struct {
		key   string
		value []byte
	}
	var todo []plain
	for rows.Next() {
		var k string
		var v []byte
		var isWrapped bool
		if err := rows.Scan(&k, &v, &isWrapped); err != nil {
			rows.Close()
			return 0, err
		}
		if !isWrapped {
			todo = append(todo, plain{k, v})
			continue
		}
		if _, err := w.unwrap(purpose(k), v); err != nil {
			rows.Close()
			if fresh {
				return 0, store.ErrWrongKEK
			}
			return 0, fmt.Errorf("%s %q: %w", table, k, err)
		}
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, p := range todo {
		q := fmt.Sprintf(`UPDATE %s SET %s = ?, wrapped = 1 WHERE %s = ?`, table, value, key)
		if _, err := tx.ExecContext(ctx, q, w.wrap(purpose(p.key), p.value), p.key); err != nil {
			return 0, fmt.Errorf("wrap %s: %w", table, err)
		}
	}
	return len(todo), nil
}

package kek

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
)

// Size is the length of a key-encryption key: an AES-256 key.
const Size = 32

// Env is the environment variable that may carry the KEK in base64, for
// deployments that inject secrets rather than keep files.
const Env = "CODESERVICE_KEK"

// ErrFileMode: the key file may be read by the group or by others. The
// KEK is the one thing that separates a copy of the database from the
// service's keys, so it is refused rather than used.
var ErrFileMode = errors.New("key file is readable by group or others (want mode 0600)")

// ErrSize: a key file or Env value is not Size bytes.
var ErrSize = errors.New("key-encryption key must be 32 bytes")

// checkValue is wrapped under the purpose "kek_check" and stored once, so
// a wrong KEK is told apart from a moved row before anything else is read.
const checkValue = "suishen codeservice key-encryption key"

// DefaultFile is where the KEK of the SQLite database at db lives unless
// told otherwise: next to it, so that the service's state directory holds
// both.
func DefaultFile(db string) string { return db + ".key" }

// Parse decodes a base64 KEK (standard alphabet, padding optional,
// surrounding white space ignored), as Env carries it.
func Parse(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("key-encryption key: not base64: %w", err)
	}
	if len(b) != Size {
		return nil, fmt.Errorf("key-encryption key has %d bytes: %w", len(b), ErrSize)
	}
	return b, nil
}

// LoadFile reads the KEK from file: exactly Size raw bytes. A missing file
// is created with Size random bytes and mode 0600 (created reports it). On
// Unix a file readable by group or others fails with ErrFileMode.
func LoadFile(file string) (kek []byte, created bool, err error) {
	kek = make([]byte, Size)
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
		return nil, false, fmt.Errorf("%s: mode %04o: %w", filepath.Base(file), st.Mode().Perm(), ErrFileMode)
	}
	kek, err = os.ReadFile(file)
	if err != nil {
		return nil, false, fmt.Errorf("key file: %w", err)
	}
	if len(kek) != Size {
		return nil, false, fmt.Errorf("%s has %d bytes: %w", filepath.Base(file), len(kek), ErrSize)
	}
	return kek, false, nil
}

// Wrapper seals values to the KEK with AES-256-GCM and a random nonce.
// The additional data is the row's purpose (table and key), so a wrapped
// value copied into another row does not open there.
type Wrapper struct{ aead cipher.AEAD }

// New returns the Wrapper of kek (Size bytes).
func New(kek []byte) (*Wrapper, error) {
	if len(kek) != Size {
		return nil, fmt.Errorf("key-encryption key has %d bytes: %w", len(kek), ErrSize)
	}
	b, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	a, err := cipher.NewGCMWithRandomNonce(b)
	if err != nil {
		return nil, err
	}
	return &Wrapper{aead: a}, nil
}

func ad(purpose string) []byte { return []byte("codeservice/kek/v1\x00" + purpose) }

// SecretPurpose names the secrets row of name: its table and its key.
func SecretPurpose(name string) string { return "secrets\x00" + name }

// SigningKeyPurpose names the signing_keys row of keyID.
func SigningKeyPurpose(keyID string) string { return "signing_keys\x00" + keyID }

// SessionPurpose names the sessions row of a session ID.
func SessionPurpose(id string) string { return "sessions\x00" + id }

// Wrap seals plain for the row named by purpose.
func (w *Wrapper) Wrap(purpose string, plain []byte) []byte {
	return w.aead.Seal(nil, nil, plain, ad(purpose))
}

// Unwrap opens a wrapped value; any failure is store.ErrSecretMoved,
// since the KEK itself is checked when a store opens (Check).
func (w *Wrapper) Unwrap(purpose string, box []byte) ([]byte, error) {
	p, err := w.aead.Open(nil, nil, box, ad(purpose))
	if err != nil {
		return nil, store.ErrSecretMoved
	}
	return p, nil
}

// Tables are the wrapped columns that Check looks at: each table's key
// column, value column and purpose. Every such table has an integer
// wrapped column, 0 for a value still in the clear.
var Tables = []struct {
	Table, Key, Value string
	Purpose           func(string) string
}{
	{"secrets", "name", "value", SecretPurpose},
	{"signing_keys", "key_id", "private_key", SigningKeyPurpose},
}

// Check checks w against the database in tx and wraps every value still in
// the clear (a SQLite database from before wrapping), returning how many
// it wrapped. On a database without a check row it writes one; with one,
// a KEK that does not open it fails with store.ErrWrongKEK. A wrapped
// value that does not open under its own row fails with
// store.ErrSecretMoved, or store.ErrWrongKEK when there was no check row
// (the KEK, rather than the row, is then the likelier culprit). arg is
// the engine's n-th placeholder (sqldb.Dialect.Arg).
func Check(ctx context.Context, tx *sql.Tx, w *Wrapper, arg func(int) string) (int, error) {
	var check []byte
	err := tx.QueryRowContext(ctx, `SELECT value FROM kek_check WHERE id = 1`).Scan(&check)
	fresh := errors.Is(err, sql.ErrNoRows)
	switch {
	case fresh:
		if _, err := tx.ExecContext(ctx, `INSERT INTO kek_check(id, value) VALUES (1, `+arg(1)+`)`, w.Wrap("kek_check", []byte(checkValue))); err != nil {
			return 0, err
		}
	case err != nil:
		return 0, fmt.Errorf("read kek check: %w", err)
	default:
		if p, err := w.Unwrap("kek_check", check); err != nil || string(p) != checkValue {
			return 0, store.ErrWrongKEK
		}
	}
	wrapped := 0
	for _, t := range Tables {
		n, err := sealTable(ctx, tx, w, t.Table, t.Key, t.Value, t.Purpose, fresh, arg)
		if err != nil {
			return 0, err
		}
		wrapped += n
	}
	return wrapped, nil
}

// sealTable wraps the plain rows of one table and checks that the wrapped
// ones open.
func sealTable(ctx context.Context, tx *sql.Tx, w *Wrapper, table, key, value string, purpose func(string) string, fresh bool, arg func(int) string) (int, error) {
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
		var isWrapped int64
		if err := rows.Scan(&k, &v, &isWrapped); err != nil {
			rows.Close()
			return 0, err
		}
		if isWrapped == 0 {
			todo = append(todo, plain{k, v})
			continue
		}
		if _, err := w.Unwrap(purpose(k), v); err != nil {
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
		q := fmt.Sprintf(`UPDATE %s SET %s = %s, wrapped = 1 WHERE %s = %s`, table, value, arg(1), key, arg(2))
		if _, err := tx.ExecContext(ctx, q, w.Wrap(purpose(p.key), p.value), p.key); err != nil {
			return 0, fmt.Errorf("wrap %s: %w", table, err)
		}
	}
	return len(todo), nil
}

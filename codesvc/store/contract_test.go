package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/kek"
	"github.com/shcommunity/kiosk/codesvc/store/pgstore"
	"github.com/shcommunity/kiosk/codesvc/store/pgstore/pgtest"
	"github.com/shcommunity/kiosk/codesvc/store/sqlitestore"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

// The contract suite: every test here runs on each store, SQLite and a
// real PostgreSQL that the tests start (pgtest), and says what any
// store.Store must do. Engine-specific behaviour (SQLite's older releases,
// its files on disk) is tested in the store's own package.

func TestMain(m *testing.M) { pgtest.Main(m) }

// db is one new, empty database of a backend.
type db struct {
	// open opens a store on the database with key as its KEK, as a
	// service instance would; the test closes it.
	open func(key []byte) (store.Store, error)
	// applied lists the names recorded in schema_migrations.
	applied func() ([]string, error)
}

type backend struct {
	name  string
	newDB func(t *testing.T) db
}

var backends = []backend{
	{"sqlite", func(t *testing.T) db {
		file := filepath.Join(t.TempDir(), "codes.db")
		return db{
			open: func(key []byte) (store.Store, error) { return sqlitestore.OpenKEK(context.Background(), file, key) },
			applied: func() ([]string, error) {
				return appliedIn("sqlite3", "file:"+file+"?mode=ro")
			},
		}
	}},
	{"postgres", func(t *testing.T) db {
		dsn, err := pgtest.SharedFor(t).NewDatabase(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return db{
			open: func(key []byte) (store.Store, error) {
				return pgstore.Open(context.Background(), dsn, key, pgstore.Options{})
			},
			applied: func() ([]string, error) { return appliedIn("pgx", dsn) },
		}
	}},
}

func appliedIn(driver, dsn string) ([]string, error) {
	d, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	scan := func(r sqldb.Scanner) (name string, err error) {
		err = r.Scan(&name)
		return name, err
	}
	return sqldb.All(context.Background(), d, scan, `SELECT name FROM schema_migrations ORDER BY version`)
}

// each runs fn on a new store of each backend.
func each(t *testing.T, fn func(t *testing.T, s store.Store)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			fn(t, openNew(t, b.newDB(t), newKEK(t)))
		})
	}
}

// eachDB runs fn with a new database of each backend.
func eachDB(t *testing.T, fn func(t *testing.T, d db)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { fn(t, b.newDB(t)) })
	}
}

func openNew(t *testing.T, d db, key []byte) store.Store {
	t.Helper()
	s, err := d.open(key)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newKEK(t testing.TB) []byte {
	k := make([]byte, kek.Size)
	rand.Read(k)
	return k
}

// t0 has nanoseconds, so a store that rounds times fails.
var t0 = time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.UTC)

var ctx = context.Background()

// device registers a device with a new provisioning code.
func device(t *testing.T, s store.Store, id string) store.Device {
	t.Helper()
	hash := []byte("code-" + id)
	if err := s.CreateProvisioningCode(ctx, store.ProvisioningCode{Hash: hash, Note: "n", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	pub := make([]byte, 32)
	rand.Read(pub)
	d := store.Device{ID: id, Name: "kiosk " + id, PublicKey: pub, RegisteredAt: t0}
	if err := s.RegisterDevice(ctx, hash, d); err != nil {
		t.Fatal(err)
	}
	return d
}

// resident creates a resident with key k.
func resident(t *testing.T, s store.Store, k string) store.Resident {
	t.Helper()
	r, err := s.EnsureResident(ctx, store.Resident{Key: []byte(k), Ref: "R-" + k, MaskedName: "张*三", MaskedID: "3****0019",
		ContactSealed: []byte("sealed " + k), CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// signingKey adds a signing key so tokens may refer to it.
func signingKey(t *testing.T, s store.Store, id string, at time.Time) store.SigningKey {
	t.Helper()
	priv := make([]byte, 64)
	rand.Read(priv)
	k := store.SigningKey{KeyID: id, Issuer: "SH", PrivateKey: priv, CreatedAt: at}
	if err := s.AddSigningKey(ctx, k, at); err != nil {
		t.Fatal(err)
	}
	return k
}

// issuer adds what a paper code or a credential is issued under: device
// D1, resident k1 and the signing key key-1.
func issuer(t *testing.T, s store.Store) (store.Device, store.Resident, store.SigningKey) {
	t.Helper()
	return device(t, s, "D1"), resident(t, s, "k1"), signingKey(t, s, "key-1", t0)
}

// race runs try n times at once and counts the tries that answered true;
// a try's error fails the test and counts for nothing.
func race(t *testing.T, n int, try func(i int) (bool, error)) int {
	var wg sync.WaitGroup
	var won atomic.Int32
	for i := range n {
		wg.Go(func() {
			ok, err := try(i)
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				won.Add(1)
			}
		})
	}
	wg.Wait()
	return int(won.Load())
}

// TestMigrationsMatch: both stores have the same migrations, by number
// and name, so their schemas move together (one scheme for both engines).
func TestMigrationsMatch(t *testing.T) {
	names := func(dir string) []string {
		m, err := filepath.Glob(filepath.Join(dir, "migrations", "*.sql"))
		if err != nil || len(m) == 0 {
			t.Fatalf("%s: %v, %d files", dir, err, len(m))
		}
		for i := range m {
			m[i] = filepath.Base(m[i])
		}
		return m
	}
	lite, pg := names("sqlitestore"), names("pgstore")
	if !slices.Equal(lite, pg) {
		t.Errorf("migrations differ:\nsqlitestore %v\npgstore     %v", lite, pg)
	}
}

// TestMigrate: a new database gets every migration once; opening it again
// runs none; instances that start at once on a new database all open it,
// each migration applied once, with one KEK and the same secrets; a
// different KEK is refused.
func TestMigrate(t *testing.T) {
	eachDB(t, func(t *testing.T, d db) {
		key := newKEK(t)
		const n = 4
		stores := make([]store.Store, n)
		errs := make([]error, n)
		begin := make(chan struct{})
		done := make(chan int)
		for i := range n {
			go func() {
				<-begin
				stores[i], errs[i] = d.open(key)
				done <- i
			}()
		}
		close(begin)
		for range n {
			<-done
		}
		var first []byte
		for i, s := range stores {
			if errs[i] != nil {
				t.Fatalf("instance %d: %v", i, errs[i])
			}
			v, err := s.Secret(ctx, "resident_key", func() ([]byte, error) { return []byte(fmt.Sprint("from instance ", i)), nil })
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = v
			} else if string(v) != string(first) {
				t.Errorf("instance %d sees secret %q, another %q", i, v, first)
			}
			s.Close()
		}
		want, _ := filepath.Glob(filepath.Join("sqlitestore", "migrations", "*.sql"))
		for round := range 2 {
			got, err := d.applied()
			if err != nil || len(got) != len(want) {
				t.Errorf("round %d: schema_migrations = %v, %v; want each of the %d migrations once", round, got, err, len(want))
			}
			s, err := d.open(key) // again: nothing to apply
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
		}
		if _, err := d.open(newKEK(t)); !errors.Is(err, store.ErrWrongKEK) {
			t.Errorf("another KEK: %v, want ErrWrongKEK", err)
		}
	})
}

// TestSecret: a secret is made once, by whichever of two instances asks
// first, and comes back the same; its value is not stored in the clear.
func TestSecret(t *testing.T) {
	eachDB(t, func(t *testing.T, d db) {
		key := newKEK(t)
		a, b := openNew(t, d, key), openNew(t, d, key)
		v, err := a.Secret(ctx, "s1", func() ([]byte, error) { return []byte("first"), nil })
		if err != nil || string(v) != "first" {
			t.Fatalf("Secret = %q, %v", v, err)
		}
		v, err = b.Secret(ctx, "s1", func() ([]byte, error) { return nil, errors.New("generated twice") })
		if err != nil || string(v) != "first" {
			t.Errorf("on the other instance: %q, %v; want first", v, err)
		}
		if _, err := a.Secret(ctx, "s2", func() ([]byte, error) { return nil, errors.New("no entropy") }); err == nil {
			t.Error("a failing generator gave a secret")
		}
	})
}

package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
)

// TestSessions: a session is read back with its device by any instance
// on the database; a device keeps at most max; expired sessions go when
// another is opened; a revocation shows at once.
func TestSessions(t *testing.T) {
	eachDB(t, func(t *testing.T, d db) {
		key := newKEK(t)
		a, b := openNew(t, d, key), openNew(t, d, key)
		dev := device(t, a, "D1")
		sk := bytes.Repeat([]byte{7}, 32)
		open := func(id string, at time.Time, max int) {
			t.Helper()
			if err := a.CreateSession(ctx, store.Session{ID: id, DeviceID: dev.ID, Key: sk, CreatedAt: at, ExpiresAt: at.Add(10 * time.Minute)}, max); err != nil {
				t.Fatal(err)
			}
		}
		open("S1", t0, 3)
		ss, gotDev, err := b.Session(ctx, "S1")
		if err != nil || ss.DeviceID != dev.ID || !bytes.Equal(ss.Key, sk) || !ss.CreatedAt.Equal(t0) || !ss.ExpiresAt.Equal(t0.Add(10*time.Minute)) ||
			gotDev.ID != dev.ID || !bytes.Equal(gotDev.PublicKey, dev.PublicKey) || !gotDev.RevokedAt.IsZero() {
			t.Errorf("Session on the other instance = %+v, %+v, %v", ss, gotDev, err)
		}
		if _, _, err := b.Session(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown session: %v, want ErrNotFound", err)
		}
		open("S2", t0, 3)
		open("S3", t0, 3)
		open("S4", t0, 3) // the cap: S1 goes
		for id, want := range map[string]bool{"S1": false, "S2": true, "S3": true, "S4": true} {
			if _, _, err := b.Session(ctx, id); (err == nil) != want {
				t.Errorf("%s after the cap: %v, want present %v", id, err, want)
			}
		}
		open("S5", t0.Add(10*time.Minute), 3) // S2-S4 have expired and are removed
		for id, want := range map[string]bool{"S2": false, "S5": true} {
			if _, _, err := b.Session(ctx, id); (err == nil) != want {
				t.Errorf("%s after expiry: %v, want present %v", id, err, want)
			}
		}
		if err := a.RevokeDevice(ctx, dev.ID, t0.Add(11*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, gotDev, err := b.Session(ctx, "S5"); err != nil || !gotDev.RevokedAt.Equal(t0.Add(11*time.Minute)) {
			t.Errorf("after revocation: %+v, %v; want the revocation seen", gotDev, err)
		}
	})
}

// TestNonces: a (device, nonce) pair is fresh once until it expires, then
// may be used again; of many instances using one pair at once exactly one
// is told it is fresh.
func TestNonces(t *testing.T) {
	eachDB(t, func(t *testing.T, d db) {
		key := newKEK(t)
		a, b := openNew(t, d, key), openNew(t, d, key)
		exp := t0.Add(5 * time.Minute)
		use := func(s store.Store, dev, nonce string, now time.Time) bool {
			t.Helper()
			fresh, err := s.UseNonce(ctx, dev, nonce, exp, now)
			if err != nil {
				t.Fatal(err)
			}
			return fresh
		}
		if !use(a, "D1", "n1", t0) {
			t.Error("first use not fresh")
		}
		if use(b, "D1", "n1", t0.Add(time.Minute)) {
			t.Error("a replay on the other instance was fresh")
		}
		if !use(b, "D2", "n1", t0) {
			t.Error("the same nonce of another device was not fresh")
		}
		if !use(a, "D1", "n1", exp) {
			t.Error("an expired nonce was not fresh again")
		}
		// Enough uses to sweep the expired ones on the way.
		for i := range 1100 {
			use(a, "D3", fmt.Sprint("sweep-", i), exp.Add(time.Hour))
		}
		fresh := race(t, 16, func(i int) (bool, error) {
			s := a
			if i%2 == 1 {
				s = b
			}
			return s.UseNonce(ctx, "D1", "raced", exp, t0)
		})
		if fresh != 1 {
			t.Errorf("16 concurrent uses on two instances: %d fresh, want 1", fresh)
		}
	})
}

// TestSessionNonces: a nonce under a session is the session's device's,
// used once, and only while the session is live and its device is not
// revoked; of many instances using one at once, one succeeds.
func TestSessionNonces(t *testing.T) {
	eachDB(t, func(t *testing.T, d db) {
		key := newKEK(t)
		a, b := openNew(t, d, key), openNew(t, d, key)
		dev := device(t, a, "D1")
		exp := t0.Add(10 * time.Minute)
		for _, id := range []string{"S1", "S2"} {
			if err := a.CreateSession(ctx, store.Session{ID: id, DeviceID: dev.ID, Key: make([]byte, 32), CreatedAt: t0, ExpiresAt: exp}, 4); err != nil {
				t.Fatal(err)
			}
		}
		use := func(s store.Store, sid, nonce string, now time.Time) bool {
			t.Helper()
			ok, err := s.UseSessionNonce(ctx, sid, nonce, now.Add(5*time.Minute), now)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !use(a, "S1", "n1", t0) {
			t.Error("first use refused")
		}
		if use(b, "S1", "n1", t0) {
			t.Error("a replay on the other instance succeeded")
		}
		if use(b, "S2", "n1", t0) {
			t.Error("the same nonce under another session of the device succeeded")
		}
		if fresh, _ := b.UseNonce(ctx, dev.ID, "n1", t0.Add(5*time.Minute), t0); fresh {
			t.Error("the same nonce signed by the device was fresh")
		}
		if use(a, "S-none", "n2", t0) {
			t.Error("a nonce under an unknown session succeeded")
		}
		if use(a, "S1", "n3", exp) {
			t.Error("a nonce under an expired session succeeded")
		}
		ok := race(t, 16, func(i int) (bool, error) {
			s, sid := a, "S1"
			if i%2 == 1 {
				s, sid = b, "S2"
			}
			return s.UseSessionNonce(ctx, sid, "raced", exp, t0)
		})
		if ok != 1 {
			t.Errorf("16 concurrent uses on two instances: %d succeeded, want 1", ok)
		}
		if err := a.RevokeDevice(ctx, dev.ID, t0); err != nil {
			t.Fatal(err)
		}
		if use(b, "S1", "n4", t0) {
			t.Error("a nonce under a session of a revoked device succeeded")
		}
	})
}

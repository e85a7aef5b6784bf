package store_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
)

// TestCredentials: a medical-visit credential is stored once under its
// ID, read back as written, and purged a while after it expires.
func TestCredentials(t *testing.T) {
	each(t, func(t *testing.T, s store.Store) {
		d := device(t, s, "D1")
		r := resident(t, s, "k1")
		k := signingKey(t, s, "key-1", t0)
		cred := func(id string, at time.Time) store.Credential {
			return store.Credential{ID: id, ResidentID: r.ID, KeyID: k.KeyID, IssuedAt: at, ExpiresAt: at.Add(24 * time.Hour),
				DeviceID: d.ID, WorkerID: "w1", Sealed: []byte("box of " + id)}
		}
		if err := s.IssueCredential(ctx, cred("C1", t0), time.Time{}); err != nil {
			t.Fatalf("first credential: %v", err)
		}
		if err := s.IssueCredential(ctx, cred("C1", t0.Add(time.Minute)), time.Time{}); !errors.Is(err, store.ErrExists) {
			t.Errorf("the same ID again: %v, want ErrExists", err)
		}
		got, err := s.Credential(ctx, "C1")
		want := cred("C1", t0)
		if err != nil || got.ID != want.ID || got.ResidentID != r.ID || got.KeyID != k.KeyID || !got.IssuedAt.Equal(want.IssuedAt) ||
			!got.ExpiresAt.Equal(want.ExpiresAt) || got.DeviceID != d.ID || got.WorkerID != "w1" || !bytes.Equal(got.Sealed, want.Sealed) {
			t.Errorf("C1 = %+v, %v; want %+v", got, err, want)
		}
		if _, err := s.Credential(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown credential: %v, want ErrNotFound", err)
		}
		if _, err := s.Token(ctx, "C1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a credential's ID as a paper code's: %v, want ErrNotFound", err)
		}
		// A week later C1 has been expired six days: a purge bound just
		// after its expiry takes it, and keeps C2.
		later := t0.Add(7 * 24 * time.Hour)
		if err := s.IssueCredential(ctx, cred("C2", later), t0.Add(24*time.Hour+time.Nanosecond)); err != nil {
			t.Fatalf("second credential: %v", err)
		}
		if _, err := s.Credential(ctx, "C1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("C1 after the purge: %v, want ErrNotFound", err)
		}
		if _, err := s.Credential(ctx, "C2"); err != nil {
			t.Errorf("C2: %v", err)
		}
	})
}

package sqlitestore_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/sqlitestore"
	"github.com/shcommunity/kiosk/internal/sqldb/sqldbtest"
)

func TestReopenAndRegister(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "s.db")
	s, err := sqlitestore.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if err := s.CreateProvisioningCode(ctx, store.ProvisioningCode{Hash: []byte("h"), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	d := store.Device{ID: "D1", Name: "k", PublicKey: pub, RegisteredAt: now}
	if err := s.RegisterDevice(ctx, []byte("h"), d); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Migrations run once; the data survives a reopen.
	s, err = sqlitestore.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Device(ctx, "D1")
	if err != nil || !got.PublicKey.Equal(pub) || !got.RegisteredAt.Equal(now) {
		t.Errorf("device after reopen = %+v, %v", got, err)
	}
	if err := s.RegisterDevice(ctx, []byte("h"), d); !errors.Is(err, store.ErrCodeUsed) {
		t.Errorf("reuse: %v, want ErrCodeUsed", err)
	}
	if _, err := sqlitestore.Open(ctx, ":memory:"); err == nil {
		t.Error("Open(:memory:) succeeded; the read pool needs a file")
	}
}

// TestResidentByKeyEvents checks the aggregated read of a resident's
// events: Seq order whatever the At order, nanosecond times and sources
// with characters JSON must escape come back as stored.
func TestResidentByKeyEvents(t *testing.T) {
	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 3, 1, 0, 0, 0, 123456789, time.UTC)
	r, err := s.EnsureResident(ctx, store.Resident{Key: []byte("k1"), Ref: "R1", MaskedName: "李*英", MaskedID: "3****002X", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, evs, err := s.ResidentByKey(ctx, []byte("k1")); err != nil || len(evs) != 0 {
		t.Fatalf("no events yet: got %v, %v; want none", evs, err)
	}
	in := []store.Event{
		{Kind: "arrival_key_area", At: now.Add(-time.Hour), RecordedAt: now, Source: "admin"},
		{Kind: "medical_start", At: now.Add(-48*time.Hour + 1), RecordedAt: now.Add(time.Nanosecond), Source: `correction:"7" \ 纠错` + "\n"},
		{Kind: "medical_release", At: now.Add(-2 * time.Hour), RecordedAt: now.Add(2), Source: ""},
	}
	var want []store.Event
	for _, e := range in {
		got, err := s.AddEvent(ctx, r.ID, e, nil)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, got)
	}
	gotR, evs, err := s.ResidentByKey(ctx, []byte("k1"))
	if err != nil {
		t.Fatal(err)
	}
	if gotR.ID != r.ID || gotR.Ref != "R1" || gotR.MaskedName != "李*英" || !gotR.CreatedAt.Equal(now) {
		t.Errorf("resident = %+v, want ID %d, R1, 李*英, %v", gotR, r.ID, now)
	}
	if len(evs) != len(want) {
		t.Fatalf("got %d events, want %d", len(evs), len(want))
	}
	for i := range want {
		g, w := evs[i], want[i]
		if g.Seq != w.Seq || g.Kind != w.Kind || !g.At.Equal(w.At) || !g.RecordedAt.Equal(w.RecordedAt) || g.Source != w.Source {
			t.Errorf("event %d = %+v, want %+v", i, g, w)
		}
	}
	if _, _, err := s.ResidentByKey(ctx, []byte("nobody")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown key: %v, want ErrNotFound", err)
	}
}

// TestOpenConcurrently: service instances that start at once on one new
// database all open it, migrated once, with one KEK check and the same
// secrets.
func TestOpenConcurrently(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "codes.db")
	kek := newKEK(t)
	const n = 4
	stores := make([]*sqlitestore.Store, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			stores[i], errs[i] = sqlitestore.OpenKEK(ctx, file, kek)
		})
	}
	close(start)
	wg.Wait()
	var secrets [][]byte
	for i, s := range stores {
		if errs[i] != nil {
			t.Fatalf("instance %d: %v", i, errs[i])
		}
		defer s.Close()
		v, err := s.Secret(ctx, "resident_key", func() ([]byte, error) { return []byte(fmt.Sprint("from instance ", i)), nil })
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, v)
	}
	for i, v := range secrets {
		if !bytes.Equal(v, secrets[0]) {
			t.Errorf("instance %d sees secret %q, instance 0 %q", i, v, secrets[0])
		}
	}
	applied, err := sqldbtest.Migrations(file)
	files, _ := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil || len(applied) != len(files) {
		t.Errorf("schema_migrations = %+v, %v; want each of the %d migrations once", applied, err, len(files))
	}
}

// TestIntakeRecordsChannel: an enrolment keeps where it was taken, who
// acted and which consent text was shown, and gives them back with a
// duplicate; one without a channel is a counter enrolment.
func TestIntakeRecordsChannel(t *testing.T) {
	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if err := s.CreateProvisioningCode(ctx, store.ProvisioningCode{Hash: []byte("h"), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	if err := s.RegisterDevice(ctx, []byte("h"), store.Device{ID: "D1", Name: "k", PublicKey: pub, RegisteredAt: now}); err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct{ channel, actor, consent, want string }{
		{store.ChannelKiosk, "self", "kiosk-self-2026-11", store.ChannelKiosk},
		{"", "worker", "", store.ChannelCounter},
	} {
		req := store.IntakeRequest{
			Enrolment: store.Enrolment{ClientID: fmt.Sprintf("client-%04d", i), DeviceID: "D1", Digest: []byte{byte(i)}, CreatedAt: now,
				Channel: tc.channel, Actor: tc.actor, ConsentVersion: tc.consent},
			Resident: store.Resident{Key: []byte{'k', byte(i)}, Ref: fmt.Sprintf("R%d", i), MaskedID: "3***0019", CreatedAt: now},
		}
		if _, dup, err := s.Intake(ctx, req); err != nil || dup {
			t.Fatalf("intake %d: dup %v, %v", i, dup, err)
		}
		got, dup, err := s.Intake(ctx, req)
		if err != nil || !dup || got.Channel != tc.want || got.Actor != tc.actor || got.ConsentVersion != tc.consent || got.Outcome != store.Accepted {
			t.Errorf("intake %d again: %+v dup %v, %v; want channel %q, actor %q, consent %q", i, got, dup, err, tc.want, tc.actor, tc.consent)
		}
	}
}

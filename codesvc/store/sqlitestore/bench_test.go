package sqlitestore_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/sqlitestore"
)

// BenchmarkReadPath measures the store's part of a status lookup: the
// device check of a signed request or the session with its device, the
// nonce insert (one caller, and 64 at once, whose inserts are grouped)
// and the resident with its events, from one goroutine and from 64 at
// once.
func BenchmarkReadPath(b *testing.B) {
	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, filepath.Join(b.TempDir(), "s.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if err := s.CreateProvisioningCode(ctx, store.ProvisioningCode{Hash: []byte("h"), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		b.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	if err := s.RegisterDevice(ctx, []byte("h"), store.Device{ID: "D1", Name: "k", PublicKey: pub, RegisteredAt: now}); err != nil {
		b.Fatal(err)
	}
	keys := make([][]byte, 200)
	for i := range keys {
		k := sha256.Sum256([]byte(fmt.Sprint(i)))
		keys[i] = k[:]
		r, err := s.EnsureResident(ctx, store.Resident{Key: keys[i], Ref: fmt.Sprintf("R%d", i), MaskedID: "3****", CreatedAt: now})
		if err != nil {
			b.Fatal(err)
		}
		for j := range i % 4 {
			if _, err := s.AddEvent(ctx, r.ID, store.Event{Kind: "arrival_key_area", At: now.Add(time.Duration(j) * time.Hour), RecordedAt: now}, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("device", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Device(ctx, "D1"); err != nil {
				b.Fatal(err)
			}
		}
	})
	if err := s.CreateSession(ctx, store.Session{ID: "S1", DeviceID: "D1", Key: make([]byte, 32), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}, 4); err != nil {
		b.Fatal(err)
	}
	b.Run("session", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := s.Session(ctx, "S1"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("nonce", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := s.UseNonce(ctx, "D1", fmt.Sprint("nonce-", i), now.Add(5*time.Minute), now); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("nonce-parallel64", func(b *testing.B) {
		var next atomic.Int64
		b.SetParallelism(32)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.UseNonce(ctx, "D1", fmt.Sprint("p-", next.Add(1)), now.Add(5*time.Minute), now); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	// residents looks the residents up one after another under ctx.
	residents := func(b *testing.B, ctx context.Context) {
		i := 0
		for b.Loop() {
			if _, _, err := s.ResidentByKey(ctx, keys[i%len(keys)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	}
	b.Run("resident", func(b *testing.B) { residents(b, ctx) })
	b.Run("resident-cancellable-ctx", func(b *testing.B) {
		// As a request's context: go-sqlite3 watches a cancellable one.
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		residents(b, cctx)
	})
	b.Run("resident-parallel64", func(b *testing.B) {
		b.SetParallelism(32)
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, _, err := s.ResidentByKey(ctx, keys[i%len(keys)]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
}

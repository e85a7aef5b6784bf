package store_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/store"
)

func TestDevices(t *testing.T) {
	each(t, func(t *testing.T, s store.Store) {
		d := device(t, s, "D1")
		got, err := s.Device(ctx, "D1")
		if err != nil || got.Name != d.Name || !bytes.Equal(got.PublicKey, d.PublicKey) || !got.RegisteredAt.Equal(t0) || !got.RevokedAt.IsZero() {
			t.Errorf("Device = %+v, %v; want %+v", got, err, d)
		}
		if _, err := s.Device(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown device: %v, want ErrNotFound", err)
		}
		reg := func(code string, dev store.Device) error { return s.RegisterDevice(ctx, []byte(code), dev) }
		if err := reg("code-D1", store.Device{ID: "D9", Name: "x", PublicKey: make([]byte, 32), RegisteredAt: t0}); !errors.Is(err, store.ErrCodeUsed) {
			t.Errorf("used code: %v, want ErrCodeUsed", err)
		}
		if err := reg("no such code", store.Device{ID: "D9", PublicKey: make([]byte, 32), RegisteredAt: t0}); !errors.Is(err, store.ErrCodeInvalid) {
			t.Errorf("unknown code: %v, want ErrCodeInvalid", err)
		}
		s.CreateProvisioningCode(ctx, store.ProvisioningCode{Hash: []byte("c2"), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)})
		if err := reg("c2", store.Device{ID: "D2", PublicKey: d.PublicKey, RegisteredAt: t0}); !errors.Is(err, store.ErrKeyInUse) {
			t.Errorf("key of another device: %v, want ErrKeyInUse", err)
		}
		if err := reg("c2", store.Device{ID: "D2", PublicKey: make([]byte, 32), RegisteredAt: t0.Add(time.Hour)}); !errors.Is(err, store.ErrCodeExpired) {
			t.Errorf("expired code: %v, want ErrCodeExpired", err)
		}
		device(t, s, "D3")
		if err := s.RevokeDevice(ctx, "D3", t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeDevice(ctx, "D3", t0.Add(time.Hour)); err != nil { // again: the first time stays
			t.Fatal(err)
		}
		if err := s.RevokeDevice(ctx, "nobody", t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoke unknown: %v, want ErrNotFound", err)
		}
		all, err := s.Devices(ctx)
		if err != nil || len(all) != 2 || all[0].ID != "D1" || all[1].ID != "D3" || !all[1].RevokedAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("Devices = %+v, %v", all, err)
		}
	})
}

// TestDeviceRoles: a device takes the role of the provisioning code it
// registers with, whatever it asks for, and the role comes back with the
// device wherever the store reads it (Device, Devices, Session).
func TestDeviceRoles(t *testing.T) {
	each(t, func(t *testing.T, s store.Store) {
		for i, role := range api.Roles {
			id := fmt.Sprintf("R%d", i)
			hash := []byte("role-code-" + id)
			if err := s.CreateProvisioningCode(ctx, store.ProvisioningCode{Hash: hash, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour),
				Role: role}); err != nil {
				t.Fatal(err)
			}
			pub := make([]byte, 32)
			rand.Read(pub)
			// The device asks for the counter's role: the code decides.
			if err := s.RegisterDevice(ctx, hash, store.Device{ID: id, Name: "k", PublicKey: pub, RegisteredAt: t0,
				Role: api.RoleCounter}); err != nil {
				t.Fatal(err)
			}
			if d, err := s.Device(ctx, id); err != nil || d.Role != role {
				t.Errorf("Device(%s).Role = %q, %v; want %q", id, d.Role, err, role)
			}
			if err := s.CreateSession(ctx, store.Session{ID: "S" + id, DeviceID: id, Key: make([]byte, 32), CreatedAt: t0,
				ExpiresAt: t0.Add(time.Hour)}, 4); err != nil {
				t.Fatal(err)
			}
			if _, d, err := s.Session(ctx, "S"+id); err != nil || d.Role != role {
				t.Errorf("Session(S%s) device role = %q, %v; want %q", id, d.Role, err, role)
			}
		}
		legacy := device(t, s, "D0") // a code made without a role
		all, err := s.Devices(ctx)
		if err != nil || len(all) != len(api.Roles)+1 || all[0].Role != api.Roles[0] {
			t.Fatalf("Devices = %+v, %v", all, err)
		}
		if d, _ := s.Device(ctx, legacy.ID); d.Role != "" {
			t.Errorf("a device of a code without a role has %q, want none", d.Role)
		}
	})
}

// TestWorkerCap: an enrolment under a worker is rejected once that worker
// has WorkerPerDay accepted in the 24 hours before it, and taken again
// once the oldest leaves the window; other workers are not counted.
func TestWorkerCap(t *testing.T) {
	each(t, func(t *testing.T, s store.Store) {
		d := device(t, s, "D1")
		req := func(n int, worker string, at time.Time) store.IntakeRequest {
			r := intakeReq(fmt.Sprintf("client-%04d", n), d.ID, fmt.Sprintf("k%d", n), byte(n))
			r.Enrolment.Channel, r.Enrolment.Actor, r.Enrolment.WorkerID, r.Enrolment.CreatedAt = store.ChannelCounter, "worker", worker, at
			r.Caps.WorkerPerDay = 2
			return r
		}
		for i, at := range []time.Time{t0, t0.Add(time.Hour)} {
			if e, _, err := s.Intake(ctx, req(i+1, "w1", at)); err != nil || e.Outcome != store.Accepted {
				t.Fatalf("item %d: %+v, %v", i+1, e, err)
			}
		}
		if e, _, err := s.Intake(ctx, req(3, "w1", t0.Add(2*time.Hour))); err != nil || e.Outcome != store.Rejected ||
			e.Reason != api.ReasonWorkerCapExceeded {
			t.Errorf("third in a day: %+v, %v; want rejected %s", e, err, api.ReasonWorkerCapExceeded)
		}
		if e, _, err := s.Intake(ctx, req(4, "w2", t0.Add(2*time.Hour))); err != nil || e.Outcome != store.Accepted {
			t.Errorf("another worker: %+v, %v; want accepted", e, err)
		}
		if e, _, err := s.Intake(ctx, req(5, "w1", t0.Add(24*time.Hour+time.Minute))); err != nil || e.Outcome != store.Accepted {
			t.Errorf("a day after the first: %+v, %v; want accepted", e, err)
		}
		if e, dup, err := s.Intake(ctx, req(5, "w1", t0.Add(24*time.Hour+time.Minute))); err != nil || !dup || e.WorkerID != "w1" {
			t.Errorf("repeat: %+v, dup %v, %v; want the worker recorded", e, dup, err)
		}
	})
}

// TestResidents: a resident is made once per key; its events come back
// in Seq order whatever their At order, with nanosecond times and sources
// holding characters JSON must escape; AddEvent replaces the boundaries
// after its recording time and logs a change.
func TestResidents(t *testing.T) {
	each(t, func(t *testing.T, s store.Store) {
		r := resident(t, s, "k1")
		again, err := s.EnsureResident(ctx, store.Resident{Key: []byte("k1"), Ref: "R-other", MaskedID: "x", CreatedAt: t0.Add(time.Hour)})
		if err != nil || again.ID != r.ID || again.Ref != "R-k1" || string(again.ContactSealed) != "sealed k1" {
			t.Errorf("EnsureResident again = %+v, %v; want the first", again, err)
		}
		if _, evs, err := s.ResidentByKey(ctx, []byte("k1")); err != nil || len(evs) != 0 {
			t.Fatalf("no events yet: got %v, %v", evs, err)
		}
		in := []store.Event{
			{Kind: "arrival_key_area", At: t0.Add(-time.Hour), RecordedAt: t0, Source: "admin"},
			{Kind: "medical_start", At: t0.Add(-48*time.Hour + 1), RecordedAt: t0.Add(time.Nanosecond), Source: `correction:"7" \ 纠错` + "\n"},
			{Kind: "medical_release", At: t0.Add(-2 * time.Hour), RecordedAt: t0.Add(2), Source: ""},
		}
		var want []store.Event
		calls := 0
		for i, e := range in {
			sched := func(evs []store.Event) []time.Time {
				calls++
				if len(evs) != i+1 {
					t.Errorf("scheduler saw %d events, want %d", len(evs), i+1)
				}
				return []time.Time{t0.Add(-time.Hour), t0.Add(time.Duration(i+1) * time.Hour), t0.Add(24 * time.Hour)}
			}
			got, err := s.AddEvent(ctx, r.ID, e, sched)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, got)
		}
		if calls != len(in) {
			t.Errorf("scheduler called %d times, want %d", calls, len(in))
		}
		gotR, evs, err := s.ResidentByKey(ctx, []byte("k1"))
		if err != nil || gotR.ID != r.ID || gotR.Ref != "R-k1" || gotR.MaskedName != "张*三" || !gotR.CreatedAt.Equal(t0) {
			t.Errorf("ResidentByKey = %+v, %v", gotR, err)
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
		if want[0].Seq >= want[1].Seq || want[1].Seq >= want[2].Seq {
			t.Errorf("sequence numbers %d, %d, %d do not rise", want[0].Seq, want[1].Seq, want[2].Seq)
		}
		if _, _, err := s.ResidentByKey(ctx, []byte("nobody")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown key: %v, want ErrNotFound", err)
		}
		byID, evs2, toks, err := s.ResidentByID(ctx, r.ID)
		if err != nil || string(byID.Key) != "k1" || string(byID.ContactSealed) != "sealed k1" || len(evs2) != 3 || len(toks) != 0 {
			t.Errorf("ResidentByID = %+v, %d events, %d tokens, %v", byID, len(evs2), len(toks), err)
		}
		if _, _, _, err := s.ResidentByID(ctx, 1<<40); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown ID: %v, want ErrNotFound", err)
		}
		// The boundaries are the last event's: hour 3 and 24 (those of
		// earlier events after its recording were replaced), none in the
		// past.
		d := device(t, s, "D1")
		if _, err := s.IssueToken(ctx, store.Token{ID: "T1", ResidentID: r.ID, KeyID: signingKey(t, s, "k", t0).KeyID, IssuedAt: t0,
			ExpiresAt: t0.Add(time.Hour), DeviceID: d.ID}, false, ""); err != nil {
			t.Fatal(err)
		}
		bs, err := s.Boundaries(ctx, d.ID, t0, t0.Add(48*time.Hour), t0, 0, 10)
		if err != nil || len(bs) != 2 {
			t.Fatalf("boundaries = %+v, %v", bs, err)
		}
		for i, h := range []time.Duration{3, 24} {
			if !bs[i].At.Equal(t0.Add(h*time.Hour)) || bs[i].ResidentID != r.ID {
				t.Errorf("boundary %d = %+v, want hour %d", i, bs[i], h)
			}
		}
	})
}

// intakeReq is an accepted-to-be enrolment of resident key k by device.
func intakeReq(clientID, deviceID, k string, digest byte) store.IntakeRequest {
	return store.IntakeRequest{
		Enrolment: store.Enrolment{ClientID: clientID, DeviceID: deviceID, Digest: []byte{digest}, Outcome: store.Accepted, CreatedAt: t0,
			Channel: store.ChannelKiosk, Actor: "self", ConsentVersion: "kiosk-self-1"},
		Resident: store.Resident{Key: []byte(k), Ref: "R-" + k, MaskedName: "李*", MaskedID: "3****002X", ContactSealed: []byte("c"), CreatedAt: t0},
		Caps:     store.ProxyCaps{ResidentsPerProxy: 2, ProxiesPerResident: 1},
	}
}

// TestIntake: an item is recorded once per client ID, a repeat with the
// same digest is a duplicate with the stored outcome and channel, another
// digest a conflict; a rejected item makes no resident; proxies are
// capped; self-enrolments are limited; concurrent retries store one.
func TestIntake(t *testing.T) {
	each(t, func(t *testing.T, s store.Store) {
		d := device(t, s, "D1")
		e, dup, err := s.Intake(ctx, intakeReq("client-0001", d.ID, "k1", 1))
		if err != nil || dup || e.Outcome != store.Accepted || e.ResidentRef != "R-k1" {
			t.Fatalf("first = %+v, dup %v, %v", e, dup, err)
		}
		e, dup, err = s.Intake(ctx, intakeReq("client-0001", d.ID, "k1", 1))
		if err != nil || !dup || e.Outcome != store.Accepted || e.ResidentRef != "R-k1" || e.Channel != store.ChannelKiosk ||
			e.Actor != "self" || e.ConsentVersion != "kiosk-self-1" || !e.CreatedAt.Equal(t0) {
			t.Errorf("again = %+v, dup %v, %v", e, dup, err)
		}
		if _, _, err := s.Intake(ctx, intakeReq("client-0001", d.ID, "k1", 2)); !errors.Is(err, store.ErrConflict) {
			t.Errorf("other digest: %v, want ErrConflict", err)
		}
		counter := intakeReq("client-0002", d.ID, "k2", 1)
		counter.Enrolment.Channel, counter.Enrolment.Actor, counter.Enrolment.ConsentVersion = "", "worker", ""
		if _, _, err := s.Intake(ctx, counter); err != nil {
			t.Fatal(err)
		}
		if e, _, _ := s.Intake(ctx, counter); e.Channel != store.ChannelCounter {
			t.Errorf("no channel given: stored %q, want counter", e.Channel)
		}
		rej := intakeReq("client-0003", d.ID, "k3", 1)
		rej.Enrolment.Outcome, rej.Enrolment.Reason = store.Rejected, "invalid_field"
		if e, _, err := s.Intake(ctx, rej); err != nil || e.Outcome != store.Rejected || e.ResidentRef != "" {
			t.Errorf("rejected = %+v, %v", e, err)
		}
		if _, _, err := s.ResidentByKey(ctx, []byte("k3")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a rejected item made a resident: %v", err)
		}
		// Proxy caps: one proxy per resident.
		p1 := intakeReq("client-0004", d.ID, "k1", 1)
		p1.ProxyKey = []byte("family-1")
		if e, _, err := s.Intake(ctx, p1); err != nil || e.Outcome != store.Accepted {
			t.Errorf("first proxy = %+v, %v", e, err)
		}
		p2 := intakeReq("client-0005", d.ID, "k1", 1)
		p2.ProxyKey = []byte("family-2")
		if e, _, err := s.Intake(ctx, p2); err != nil || e.Outcome != store.Rejected || e.Reason != "proxy_cap_exceeded" {
			t.Errorf("second proxy = %+v, %v; want rejected over the cap", e, err)
		}
		// Self-enrolment limits: the device has 2 accepted kiosk items (k1's
		// first and proxy, within the hour).
		lim := intakeReq("client-0006", d.ID, "k6", 1)
		lim.Limits = store.SelfLimits{PerDevice: 2, DeviceWindow: time.Hour}
		if _, _, err := s.Intake(ctx, lim); !errors.Is(err, store.ErrRateLimited) {
			t.Errorf("over the device limit: %v, want ErrRateLimited", err)
		}
		lim.Limits = store.SelfLimits{PerResident: 2, ResidentWindow: time.Hour}
		lim.Resident.Key = []byte("k1")
		if _, _, err := s.Intake(ctx, lim); !errors.Is(err, store.ErrRateLimited) {
			t.Errorf("over the resident limit: %v, want ErrRateLimited", err)
		}
		lim.Limits.PerResident = 3
		if e, _, err := s.Intake(ctx, lim); err != nil || e.Outcome != store.Accepted {
			t.Errorf("within the limits: %+v, %v", e, err)
		}
		// Concurrent retries of one new item: stored once.
		fresh := race(t, 8, func(int) (bool, error) {
			_, dup, err := s.Intake(ctx, intakeReq("client-race", d.ID, "k-race", 7))
			return !dup, err
		})
		if fresh != 1 {
			t.Errorf("8 concurrent retries stored %d times, want once", fresh)
		}
	})
}

// TestTokens: one active token per resident unless replaced or
// superseded; revocation; prints recorded once.
func TestTokens(t *testing.T) {
	each(t, func(t *testing.T, s store.Store) {
		d, r, k := issuer(t, s)
		tok := func(id string, at time.Time) store.Token {
			return store.Token{ID: id, ResidentID: r.ID, KeyID: k.KeyID, IssuedAt: at, ExpiresAt: at.Add(24 * time.Hour), DeviceID: d.ID, WorkerID: "w1"}
		}
		if sup, err := s.IssueToken(ctx, tok("T1", t0), false, ""); err != nil || len(sup) != 0 {
			t.Fatalf("first token: %v, %v", sup, err)
		}
		if _, err := s.IssueToken(ctx, tok("T2", t0.Add(time.Minute)), false, ""); !errors.Is(err, store.ErrActiveToken) {
			t.Errorf("second without replace: %v, want ErrActiveToken", err)
		}
		if sup, err := s.IssueToken(ctx, tok("T2", t0.Add(time.Minute)), true, ""); err != nil || len(sup) != 1 || sup[0] != "T1" {
			t.Errorf("replace: %v, %v; want T1 superseded", sup, err)
		}
		got, err := s.Token(ctx, "T1")
		if err != nil || got.State != "superseded" || got.SupersededBy != "T2" || !got.StateAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("T1 = %+v, %v", got, err)
		}
		other := tok("T3", t0.Add(2*time.Minute))
		other.ResidentID = 0 // taken from the token superseded
		if sup, err := s.IssueToken(ctx, other, false, "T2"); err != nil || len(sup) != 1 || sup[0] != "T2" {
			t.Errorf("supersede T2: %v, %v", sup, err)
		}
		if _, err := s.IssueToken(ctx, tok("T4", t0.Add(3*time.Minute)), false, "T2"); !errors.Is(err, store.ErrTokenNotActive) {
			t.Errorf("supersede a superseded token: %v, want ErrTokenNotActive", err)
		}
		got, err = s.Token(ctx, "T3")
		if err != nil || got.State != "active" || got.ResidentID != r.ID || !got.IssuedAt.Equal(t0.Add(2*time.Minute)) || got.WorkerID != "w1" || got.DeviceID != d.ID {
			t.Errorf("T3 = %+v, %v", got, err)
		}
		if _, err := s.Token(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown token: %v, want ErrNotFound", err)
		}
		p := store.Print{ClientID: "print-0001", TokenID: "T3", DeviceID: d.ID, WorkerID: "w1", PrintedAt: t0, RecordedAt: t0}
		if dup, err := s.RecordPrint(ctx, p); err != nil || dup {
			t.Errorf("print: dup %v, %v", dup, err)
		}
		if dup, err := s.RecordPrint(ctx, p); err != nil || !dup {
			t.Errorf("print again: dup %v, %v; want a duplicate", dup, err)
		}
		p.TokenID = "T2"
		if _, err := s.RecordPrint(ctx, p); !errors.Is(err, store.ErrConflict) {
			t.Errorf("print of another token under the same ID: %v, want ErrConflict", err)
		}
		p.ClientID, p.TokenID = "print-0002", "nope"
		if _, err := s.RecordPrint(ctx, p); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("print of an unknown token: %v, want ErrNotFound", err)
		}
		revoked, err := s.RevokeTokens(ctx, r.ID, t0.Add(time.Hour), "D1", "w1")
		if err != nil || len(revoked) != 1 || revoked[0] != "T3" {
			t.Errorf("revoke: %v, %v; want T3", revoked, err)
		}
		if revoked, err := s.RevokeTokens(ctx, r.ID, t0.Add(time.Hour), "D2", "w2"); err != nil || len(revoked) != 0 {
			t.Errorf("revoke again: %v, %v; want none", revoked, err)
		}
		_, _, toks, err := s.ResidentByID(ctx, r.ID)
		if err != nil || len(toks) != 3 || toks[0].ID != "T1" || toks[2].State != "revoked" {
			t.Errorf("tokens = %+v, %v", toks, err)
		}
		if tk, err := s.Token(ctx, "T3"); err != nil || tk.RevokedDevice != "D1" || tk.RevokedWorker != "w1" {
			t.Errorf("revoked token = %+v, %v; want revoked by D1 and w1", tk, err)
		}
	})
}

// TestResidentByKeyConcurrent: calls made at once, which the SQL stores
// read together in shared statements, each get their own resident with
// her own events, a key asked by several callers included, and an
// unknown key gets ErrNotFound.
func TestResidentByKeyConcurrent(t *testing.T) {
	each(t, func(t *testing.T, s store.Store) {
		const residents, callers = 8, 64
		ids := make(map[string]int64)
		for i := range residents {
			k := fmt.Sprint("k", i)
			r := resident(t, s, k)
			ids[k] = r.ID
			for j := range i % 3 { // 0, 1 or 2 events, told apart by their source
				if _, err := s.AddEvent(ctx, r.ID, store.Event{Kind: "k", At: t0, RecordedAt: t0, Source: fmt.Sprint(k, "/", j)},
					func([]store.Event) []time.Time { return nil }); err != nil {
					t.Fatal(err)
				}
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, callers)
		for c := range callers {
			wg.Go(func() {
				i := c % (residents + 1) // residents+1 callers in turn ask for a key nobody has
				k := fmt.Sprint("k", i)
				r, evs, err := s.ResidentByKey(ctx, []byte(k))
				if i == residents {
					if !errors.Is(err, store.ErrNotFound) {
						errs <- fmt.Errorf("caller %d, unknown key %s: %+v, %v; want ErrNotFound", c, k, r, err)
					}
					return
				}
				if err != nil || r.ID != ids[k] || string(r.Key) != k || r.Ref != "R-"+k || len(evs) != i%3 {
					errs <- fmt.Errorf("caller %d, key %s: %+v with %d events, %v; want resident %d with %d", c, k, r, len(evs), err, ids[k], i%3)
					return
				}
				for j, e := range evs {
					if want := fmt.Sprint(k, "/", j); e.Source != want {
						errs <- fmt.Errorf("caller %d, key %s: event %d from %q, want %q", c, k, j, e.Source, want)
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

// TestFeed: a device sees the changes and boundaries of the residents it
// serves only, in order, paged.
func TestFeed(t *testing.T) {
	each(t, func(t *testing.T, s store.Store) {
		d1, d2 := device(t, s, "D1"), device(t, s, "D2")
		var ids []int64
		for i := range 3 {
			e, _, err := s.Intake(ctx, intakeReq(fmt.Sprintf("client-%04d", i), d1.ID, fmt.Sprint("k", i), 1))
			if err != nil {
				t.Fatal(err)
			}
			r, _, _ := s.ResidentByKey(ctx, []byte(fmt.Sprint("k", i)))
			if r.Ref != e.ResidentRef {
				t.Fatalf("resident %d: %+v", i, r)
			}
			ids = append(ids, r.ID)
			at := t0.Add(time.Duration(i) * time.Hour)
			if _, err := s.AddEvent(ctx, r.ID, store.Event{Kind: "k", At: t0, RecordedAt: t0, Source: "t"},
				func([]store.Event) []time.Time { return []time.Time{at.Add(time.Hour), t0.Add(10 * time.Hour)} }); err != nil {
				t.Fatal(err)
			}
		}
		all, err := s.Changes(ctx, d1.ID, 0, 100)
		if err != nil || len(all) != 6 { // served + event, three residents
			t.Fatalf("changes = %+v, %v", all, err)
		}
		for i := 1; i < len(all); i++ {
			if all[i].Seq <= all[i-1].Seq {
				t.Errorf("changes out of order: %+v", all)
			}
		}
		page, err := s.Changes(ctx, d1.ID, all[1].Seq, 2)
		if err != nil || len(page) != 2 || page[0] != all[2] || page[1] != all[3] {
			t.Errorf("page after %d = %+v, %v", all[1].Seq, page, err)
		}
		if none, err := s.Changes(ctx, d2.ID, 0, 100); err != nil || len(none) != 0 {
			t.Errorf("a device serving nobody: %+v, %v", none, err)
		}
		bs, err := s.Boundaries(ctx, d1.ID, t0, t0.Add(10*time.Hour), t0, 0, 100)
		if err != nil || len(bs) != 6 {
			t.Fatalf("boundaries = %+v, %v", bs, err)
		}
		// Paged from the position of the third: (10 h, ids[0]).
		rest, err := s.Boundaries(ctx, d1.ID, t0, t0.Add(10*time.Hour), bs[3].At, bs[3].ResidentID, 2)
		if err != nil || len(rest) != 2 || rest[0] != bs[4] || rest[1] != bs[5] || rest[0].ResidentID != ids[1] {
			t.Errorf("boundaries after %+v = %+v, %v", bs[3], rest, err)
		}
		if early, err := s.Boundaries(ctx, d1.ID, t0, t0.Add(90*time.Minute), t0, 0, 100); err != nil || len(early) != 1 || early[0].ResidentID != ids[0] {
			t.Errorf("boundaries through 1.5 h = %+v, %v", early, err)
		}
	})
}

// TestCorrections: filed once per client ID, listed by device and state,
// resolved once, an accepted one adding its event.
func TestCorrections(t *testing.T) {
	each(t, func(t *testing.T, s store.Store) {
		d := device(t, s, "D1")
		r := resident(t, s, "k1")
		c := store.Correction{ClientID: "corr-0001", ResidentID: r.ID, DeviceID: d.ID, WorkerID: "w1", Reason: "wrong test result", FiledAt: t0}
		got, dup, err := s.FileCorrection(ctx, c)
		if err != nil || dup || got.ID == 0 || got.State != "open" || got.ResidentRef != "R-k1" || !got.FiledAt.Equal(t0) {
			t.Fatalf("file = %+v, dup %v, %v", got, dup, err)
		}
		if again, dup, err := s.FileCorrection(ctx, c); err != nil || !dup || again.ID != got.ID {
			t.Errorf("file again = %+v, dup %v, %v", again, dup, err)
		}
		c2 := c
		c2.Reason = "another"
		if _, _, err := s.FileCorrection(ctx, c2); !errors.Is(err, store.ErrConflict) {
			t.Errorf("same ID, other reason: %v, want ErrConflict", err)
		}
		c2.ClientID, c2.DeviceID = "corr-0002", "D-other"
		second, _, err := s.FileCorrection(ctx, c2)
		if err != nil {
			t.Fatal(err)
		}
		e := store.Event{Kind: "medical_release", At: t0, RecordedAt: t0.Add(time.Minute), Source: fmt.Sprintf("correction:%d", got.ID)}
		res, err := s.ResolveCorrection(ctx, got.ID, "accepted", "checked", t0.Add(time.Minute), &e, nil)
		if err != nil || res.State != "accepted" || res.EventKind != "medical_release" || res.Note != "checked" || !res.ResolvedAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("resolve = %+v, %v", res, err)
		}
		if _, evs, _ := s.ResidentByKey(ctx, []byte("k1")); len(evs) != 1 || evs[0].Source != e.Source {
			t.Errorf("events after acceptance = %+v", evs)
		}
		if _, err := s.ResolveCorrection(ctx, got.ID, "rejected", "", t0, nil, nil); !errors.Is(err, store.ErrNotOpen) {
			t.Errorf("resolve twice: %v, want ErrNotOpen", err)
		}
		if _, err := s.ResolveCorrection(ctx, 1<<40, "rejected", "", t0, nil, nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("resolve unknown: %v, want ErrNotFound", err)
		}
		if one, err := s.Correction(ctx, second.ID); err != nil || one.DeviceID != "D-other" {
			t.Errorf("Correction = %+v, %v", one, err)
		}
		if _, err := s.Correction(ctx, 1<<40); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown correction: %v, want ErrNotFound", err)
		}
		for _, tc := range []struct {
			device, state string
			want          int
		}{{"", "", 2}, {d.ID, "", 1}, {"", "open", 1}, {d.ID, "open", 0}} {
			if cs, err := s.Corrections(ctx, tc.device, tc.state); err != nil || len(cs) != tc.want {
				t.Errorf("Corrections(%q, %q) = %d, %v; want %d", tc.device, tc.state, len(cs), err, tc.want)
			}
		}
	})
}

func TestWorkersAndKeys(t *testing.T) {
	each(t, func(t *testing.T, s store.Store) {
		w := store.Worker{ID: "w1", DisplayName: "王社工", PasswordHash: "h1", CreatedAt: t0, UpdatedAt: t0}
		if err := s.PutWorker(ctx, w); err != nil {
			t.Fatal(err)
		}
		w.PasswordHash, w.UpdatedAt, w.Disabled, w.CreatedAt = "h2", t0.Add(time.Hour), true, t0.Add(time.Hour)
		if err := s.PutWorker(ctx, w); err != nil {
			t.Fatal(err)
		}
		got, err := s.Worker(ctx, "w1")
		if err != nil || got.PasswordHash != "h2" || !got.Disabled || !got.CreatedAt.Equal(t0) || !got.UpdatedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("worker = %+v, %v; want replaced but for its creation time", got, err)
		}
		if _, err := s.Worker(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown worker: %v, want ErrNotFound", err)
		}
		s.PutWorker(ctx, store.Worker{ID: "w0", DisplayName: "a", PasswordHash: "h", CreatedAt: t0, UpdatedAt: t0})
		if all, err := s.Workers(ctx); err != nil || len(all) != 2 || all[0].ID != "w0" || all[1].Disabled != true {
			t.Errorf("Workers = %+v, %v", all, err)
		}

		k1 := signingKey(t, s, "key-1", t0)
		k2 := signingKey(t, s, "key-2", t0.Add(time.Hour))
		if err := s.AddSigningKey(ctx, k1, t0); !errors.Is(err, store.ErrExists) {
			t.Errorf("the same key again: %v, want ErrExists", err)
		}
		keys, err := s.SigningKeys(ctx)
		if err != nil || len(keys) != 2 || keys[0].KeyID != "key-1" || !keys[0].RetiredAt.Equal(t0.Add(time.Hour)) ||
			!keys[1].RetiredAt.IsZero() || !keys[1].PrivateKey.Equal(k2.PrivateKey) || !keys[0].PrivateKey.Equal(k1.PrivateKey) {
			t.Errorf("SigningKeys = %+v, %v", keys, err)
		}

		// Revoking: the key in use is retired too; a second revocation
		// keeps the first time; an unknown key is ErrNotFound.
		if err := s.RevokeSigningKey(ctx, "key-2", t0.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeSigningKey(ctx, "key-2", t0.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeSigningKey(ctx, "key-9", t0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown key: %v, want ErrNotFound", err)
		}
		keys, err = s.SigningKeys(ctx)
		if err != nil || len(keys) != 2 || !keys[0].RevokedAt.IsZero() || !keys[0].RetiredAt.Equal(t0.Add(time.Hour)) ||
			!keys[1].RevokedAt.Equal(t0.Add(2*time.Hour)) || !keys[1].RetiredAt.Equal(t0.Add(2*time.Hour)) {
			t.Errorf("after revoking key-2: %+v, %v", keys, err)
		}
	})
}

// TestCredentials: a medical-visit credential is stored once under its
// ID, read back as written, and purged a while after it expires.
func TestCredentials(t *testing.T) {
	each(t, func(t *testing.T, s store.Store) {
		d, r, k := issuer(t, s)
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

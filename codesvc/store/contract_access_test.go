package store_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/store"
)

// TestAccessRecords: records come back as written, in time order, per
// resident; groups count by place and purpose with the latest group first
// and honour since and the limit; a batch larger than one statement's
// chunk is written whole.
func TestAccessRecords(t *testing.T) {
	each(t, func(t *testing.T, s store.Store) {
		rec := func(k string, at time.Duration, place, purpose string) store.AccessRecord {
			return store.AccessRecord{ResidentKey: []byte(k), At: t0.Add(at), DeviceID: "D-" + place, Place: place, Role: "venue",
				Purpose: purpose, Action: "status", WorkerID: ""}
		}
		in := []store.AccessRecord{
			rec("k1", time.Hour, "徐家汇地铁站", "venue_entry"),
			rec("k1", 3*time.Hour, "徐家汇地铁站", "venue_entry"),
			rec("k1", 2*time.Hour, "社区事务受理中心", "counter_service"),
			rec("k2", 4*time.Hour, "徐家汇地铁站", "venue_entry"),
			rec("k1", -48*time.Hour, "旧场所", "venue_entry"),
		}
		in[2].WorkerID, in[2].Role = "w1", "counter"
		if err := s.RecordAccess(ctx, in); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordAccess(ctx, nil); err != nil {
			t.Errorf("no records: %v", err)
		}
		got, err := s.AccessRecords(ctx, []byte("k1"), t0)
		if err != nil || len(got) != 3 {
			t.Fatalf("AccessRecords = %+v, %v; want 3", got, err)
		}
		for i, w := range []store.AccessRecord{in[0], in[2], in[1]} {
			g := got[i]
			if !bytes.Equal(g.ResidentKey, w.ResidentKey) || !g.At.Equal(w.At) || g.DeviceID != w.DeviceID || g.Place != w.Place ||
				g.Role != w.Role || g.Purpose != w.Purpose || g.Action != w.Action || g.WorkerID != w.WorkerID || g.ID == 0 {
				t.Errorf("record %d = %+v, want %+v", i, g, w)
			}
		}
		groups, err := s.AccessGroups(ctx, []byte("k1"), t0, 10)
		want := []store.AccessGroup{
			{Place: "徐家汇地铁站", Purpose: "venue_entry", Count: 2, First: t0.Add(time.Hour), Last: t0.Add(3 * time.Hour)},
			{Place: "社区事务受理中心", Purpose: "counter_service", Count: 1, First: t0.Add(2 * time.Hour), Last: t0.Add(2 * time.Hour)},
		}
		if err != nil || len(groups) != len(want) {
			t.Fatalf("AccessGroups = %+v, %v", groups, err)
		}
		for i := range want {
			g, w := groups[i], want[i]
			if g.Place != w.Place || g.Purpose != w.Purpose || g.Count != w.Count || !g.First.Equal(w.First) || !g.Last.Equal(w.Last) {
				t.Errorf("group %d = %+v, want %+v", i, g, w)
			}
		}
		if groups, _ := s.AccessGroups(ctx, []byte("k1"), t0, 1); len(groups) != 1 || groups[0].Place != "徐家汇地铁站" {
			t.Errorf("limit 1: %+v", groups)
		}
		if groups, _ := s.AccessGroups(ctx, []byte("k1"), t0.Add(-72*time.Hour), 10); len(groups) != 3 {
			t.Errorf("since three days before: %d groups, want 3", len(groups))
		}
		if groups, err := s.AccessGroups(ctx, []byte("nobody"), t0, 10); err != nil || len(groups) != 0 {
			t.Errorf("nobody's groups = %+v, %v", groups, err)
		}
		many := make([]store.AccessRecord, 250)
		for i := range many {
			many[i] = rec("k3", time.Duration(i)*time.Second, fmt.Sprint("place ", i%7), "self_service")
		}
		if err := s.RecordAccess(ctx, many); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.AccessRecords(ctx, []byte("k3"), t0); len(got) != len(many) {
			t.Errorf("a batch of %d: %d written", len(many), len(got))
		}
	})
}

// TestAccessRecordsConcurrent: calls made at once, which the SQL stores
// group into shared transactions, each return only once their records are
// written, and every record is kept once.
func TestAccessRecordsConcurrent(t *testing.T) {
	each(t, func(t *testing.T, s store.Store) {
		const callers, per = 64, 2
		var wg sync.WaitGroup
		errs := make(chan error, callers)
		for c := range callers {
			wg.Go(func() {
				recs := make([]store.AccessRecord, per)
				for i := range recs {
					recs[i] = store.AccessRecord{ResidentKey: []byte(fmt.Sprint("c", c)), At: t0.Add(time.Duration(i) * time.Second),
						DeviceID: "D1", Place: "p", Role: "venue", Purpose: "venue_entry", Action: "token_status"}
				}
				if err := s.RecordAccess(ctx, recs); err != nil {
					errs <- err
					return
				}
				if got, err := s.AccessRecords(ctx, []byte(fmt.Sprint("c", c)), time.Time{}); err != nil || len(got) != per {
					errs <- fmt.Errorf("caller %d reads %d records back after RecordAccess returned, %v; want %d", c, len(got), err, per)
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

// TestPurgeAccess: over access generated across a year, the purge removes
// exactly the records dated before its bound, of every resident, reports
// how many, and keeps every later one; a second purge removes nothing.
func TestPurgeAccess(t *testing.T) {
	each(t, func(t *testing.T, s store.Store) {
		const days = 365
		var all []store.AccessRecord
		for d := range days {
			for i := range 3 {
				all = append(all, store.AccessRecord{ResidentKey: []byte(fmt.Sprint("k", (d+i)%5)), At: t0.Add(time.Duration(d)*24*time.Hour + time.Duration(i)*time.Minute),
					DeviceID: "D1", Place: "p", Purpose: "venue_entry", Action: "token_status"})
			}
		}
		if err := s.RecordAccess(ctx, all); err != nil {
			t.Fatal(err)
		}
		bound := t0.Add(185*24*time.Hour + time.Minute) // inside day 185: its first record goes, its later ones stay
		wantGone := 0
		for _, r := range all {
			if r.At.Before(bound) {
				wantGone++
			}
		}
		n, err := s.PurgeAccess(ctx, bound)
		if err != nil || n != int64(wantGone) {
			t.Fatalf("PurgeAccess = %d, %v; want %d", n, err, wantGone)
		}
		left := 0
		for k := range 5 {
			got, err := s.AccessRecords(ctx, []byte(fmt.Sprint("k", k)), time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range got {
				if r.At.Before(bound) {
					t.Errorf("record at %v survived the purge before %v", r.At, bound)
				}
			}
			left += len(got)
		}
		if left != len(all)-wantGone {
			t.Errorf("%d records left, want %d", left, len(all)-wantGone)
		}
		if n, err := s.PurgeAccess(ctx, bound); err != nil || n != 0 {
			t.Errorf("second purge = %d, %v; want 0", n, err)
		}
	})
}

// testChain is an ExportChain for the tests: SHA-256 over the previous
// hash, the seq and the kind.
func testChain(prev []byte, e store.ExportEntry) []byte {
	h := sha256.Sum256(fmt.Appendf(append([]byte(nil), prev...), "%d %s %s", e.Seq, e.Subject, e.Kind))
	return h[:]
}

// TestHealthConsent: the newest consent row is in force; giving one makes
// the resident's export mark with the colour of its entries, withdrawing
// removes it; the entries are chained in order.
func TestHealthConsent(t *testing.T) {
	each(t, func(t *testing.T, s store.Store) {
		r := resident(t, s, "k1")
		if _, err := s.HealthConsent(ctx, r.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("no consent yet: %v, want ErrNotFound", err)
		}
		if _, err := s.ExportMark(ctx, r.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("no mark yet: %v, want ErrNotFound", err)
		}
		give := store.HealthConsent{ResidentID: r.ID, Given: true, Version: "v1", Subject: "S1", At: t0, DeviceID: "D1"}
		entries := []store.ExportEntry{
			{ResidentID: r.ID, Subject: "S1", Kind: "consent_given", At: t0},
			{ResidentID: r.ID, Subject: "S1", Kind: "colour", At: t0, Colour: "yellow"},
		}
		if err := s.SetHealthConsent(ctx, give, entries, testChain); err != nil {
			t.Fatal(err)
		}
		c, err := s.HealthConsent(ctx, r.ID)
		if err != nil || !c.Given || c.Version != "v1" || c.Subject != "S1" || !c.At.Equal(t0) || c.DeviceID != "D1" || c.ID == 0 {
			t.Errorf("HealthConsent = %+v, %v", c, err)
		}
		if m, err := s.ExportMark(ctx, r.ID); err != nil || m.Subject != "S1" || m.Colour != "yellow" {
			t.Errorf("ExportMark = %+v, %v; want S1, yellow", m, err)
		}
		withdraw := store.HealthConsent{ResidentID: r.ID, Given: false, Subject: "S1", At: t0.Add(time.Hour), DeviceID: "D2", WorkerID: "w1"}
		if err := s.SetHealthConsent(ctx, withdraw, []store.ExportEntry{{ResidentID: r.ID, Subject: "S1", Kind: "consent_withdrawn", At: t0.Add(time.Hour)}}, testChain); err != nil {
			t.Fatal(err)
		}
		if c, err := s.HealthConsent(ctx, r.ID); err != nil || c.Given || c.WorkerID != "w1" {
			t.Errorf("after withdrawal = %+v, %v", c, err)
		}
		if _, err := s.ExportMark(ctx, r.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("mark after withdrawal: %v, want ErrNotFound", err)
		}
		got, err := s.Exports(ctx, 0, 10)
		if err != nil || len(got) != 3 {
			t.Fatalf("Exports = %+v, %v", got, err)
		}
		var prev []byte
		for i, e := range got {
			if e.Seq != int64(i+1) || !bytes.Equal(e.Hash, testChain(prev, e)) || e.ResidentID != r.ID {
				t.Errorf("entry %d = %+v: seq or hash not chained", i, e)
			}
			prev = e.Hash
		}
		if got[1].Colour != "yellow" || !got[2].At.Equal(t0.Add(time.Hour)) || !got[0].ExpiresAt.IsZero() {
			t.Errorf("entries = %+v", got)
		}
		if page, _ := s.Exports(ctx, 1, 1); len(page) != 1 || page[0].Seq != 2 {
			t.Errorf("page after 1, limit 1 = %+v", page)
		}
	})
}

// TestExportProgress: only residents who share now appear in the
// export's changes and boundaries; the state moves only from where it
// is, once, however many instances try at once; appended entries keep
// the chain and update the marks.
func TestExportProgress(t *testing.T) {
	each(t, func(t *testing.T, s store.Store) {
		a, b := resident(t, s, "ka"), resident(t, s, "kb")
		sched := func([]store.Event) []time.Time { return []time.Time{t0.Add(2 * time.Hour)} }
		for _, r := range []store.Resident{a, b} {
			if _, err := s.AddEvent(ctx, r.ID, store.Event{Kind: "arrival_key_area", At: t0, RecordedAt: t0}, sched); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SetHealthConsent(ctx, store.HealthConsent{ResidentID: a.ID, Given: true, Version: "v1", Subject: "SA", At: t0, DeviceID: "D1"}, nil, testChain); err != nil {
			t.Fatal(err)
		}
		st, err := s.ExportState(ctx)
		if err != nil || st != (store.ExportState{Through: st.Through}) || !st.Through.IsZero() {
			t.Fatalf("first state = %+v, %v", st, err)
		}
		ch, err := s.ExportChanges(ctx, 0, 10)
		if err != nil || len(ch) != 1 || ch[0].ResidentID != a.ID || ch[0].Kind != "event" || !ch[0].At.Equal(t0) {
			t.Fatalf("ExportChanges = %+v, %v; want a's event only", ch, err)
		}
		bs, err := s.ExportBoundaries(ctx, st, t0.Add(3*time.Hour), 10)
		if err != nil || len(bs) != 1 || bs[0].ResidentID != a.ID || !bs[0].At.Equal(t0.Add(2*time.Hour)) {
			t.Fatalf("ExportBoundaries = %+v, %v; want a's only", bs, err)
		}
		if bs, _ := s.ExportBoundaries(ctx, store.ExportState{Through: t0.Add(2 * time.Hour), ThroughResident: a.ID}, t0.Add(3*time.Hour), 10); len(bs) != 0 {
			t.Errorf("boundaries after the position = %+v, want none", bs)
		}
		next := store.ExportState{ChangeSeq: ch[0].Seq, Through: bs[0].At, ThroughResident: bs[0].ResidentID}
		entry := []store.ExportEntry{{ResidentID: a.ID, Subject: "SA", Kind: "colour", At: t0.Add(2 * time.Hour), Colour: "green"}}
		const n = 4
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { errs[i] = s.AppendExport(ctx, st, next, entry, testChain) })
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, store.ErrConflict):
				t.Errorf("AppendExport: %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d of %d instances moved the state; want exactly 1", won, n)
		}
		if got, _ := s.ExportState(ctx); got.ChangeSeq != next.ChangeSeq || !got.Through.Equal(next.Through) || got.ThroughResident != next.ThroughResident {
			t.Errorf("state = %+v, want %+v", got, next)
		}
		if m, _ := s.ExportMark(ctx, a.ID); m.Colour != "green" {
			t.Errorf("mark colour = %q, want green", m.Colour)
		}
		if got, _ := s.Exports(ctx, 0, 10); len(got) != 1 || !bytes.Equal(got[0].Hash, testChain(nil, got[0])) {
			t.Errorf("exports = %+v, want the one entry", got)
		}
	})
}

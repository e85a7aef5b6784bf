package syncer_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/codesvc/verify"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/sync/keystore"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

func TestOfflineEnrolmentThenSync(t *testing.T) {
	s := startService(t)
	k := newKiosk(t, s, "", start)
	ctx := context.Background()
	s.cut()
	ids := []pii.IDNumber{resident(t, 1, 1), resident(t, 2, 2), resident(t, 3, 3)}
	for i, id := range ids {
		k.enrol(t, id, i)
	}
	// Offline: a new enrolment is "pending" with its receipt, never a colour.
	a, err := k.eng.Status(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if a.Source != healthcode.SourcePending || a.Colour != "" || a.Receipt == "" {
		t.Errorf("offline status of a new enrolment = %+v, want pending with a receipt and no colour", a)
	}
	if err := k.eng.SyncOnce(ctx); err == nil {
		t.Fatal("SyncOnce with the network cut: err = nil")
	}
	if sum := k.summary(t); sum.Pending != 3 || sum.Online || sum.LastError == "" {
		t.Errorf("summary offline = %+v, want 3 pending, offline, an error", sum)
	}
	s.restore()
	if err := k.eng.SyncOnce(ctx); err != nil {
		t.Fatalf("SyncOnce after restore: %v", err)
	}
	if all, acc, res := s.enrolments(); all != 3 || acc != 3 || res != 3 {
		t.Errorf("service enrolments = %d (%d accepted, %d residents), want 3", all, acc, res)
	}
	sum := k.summary(t)
	if sum.Pending != 0 || !sum.Online || sum.LastError != "" || sum.LastSuccess.IsZero() {
		t.Errorf("summary after sync = %+v, want nothing pending, online", sum)
	}
	a, err = k.eng.Status(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if a.Source != healthcode.SourceLive || a.Colour != "green" || !a.Known {
		t.Errorf("status online = %+v, want live green", a)
	}
}

// TestFaults puts each fault in front of the real service, checks that a
// push fails without losing or quarantining anything, then lifts it and
// checks that every enrolment reached the service exactly once.
func TestFaults(t *testing.T) {
	for _, mode := range []string{fault500, fault500After, faultGarbage, faultTruncated, faultClose, faultCloseAfter, faultSlow} {
		t.Run(mode, func(t *testing.T) {
			s := startService(t)
			k := newKiosk(t, s, "", start)
			ctx := context.Background()
			const n = 25 // two batches of BatchSize 20
			for i := range n {
				k.enrol(t, resident(t, i, i), i)
			}
			s.faults.set(mode)
			if err := k.eng.SyncOnce(ctx); err == nil {
				t.Fatal("SyncOnce through the fault: err = nil")
			}
			sum := k.summary(t)
			if sum.Pending != n || len(sum.Quarantined) != 0 {
				t.Errorf("after fault: %d pending, %d quarantined; want %d pending, none quarantined", sum.Pending, len(sum.Quarantined), n)
			}
			s.faults.idle() // let the service finish what the kiosk gave up on
			s.faults.set(faultNone)
			if err := k.eng.SyncOnce(ctx); err != nil {
				t.Fatalf("SyncOnce after the fault: %v", err)
			}
			if all, acc, res := s.enrolments(); all != n || acc != n || res != n {
				t.Errorf("service enrolments = %d (%d accepted, %d residents), want %d each", all, acc, res, n)
			}
			if sum := k.summary(t); sum.Pending != 0 || len(sum.Quarantined) != 0 {
				t.Errorf("after recovery: %+v, want nothing pending or quarantined", sum)
			}
		})
	}
}

func TestQuarantineAndRetry(t *testing.T) {
	s := startService(t)
	k := newKiosk(t, s, "", start)
	ctx := context.Background()
	k.enrol(t, resident(t, 1, 1), 0)
	bad := selfEnrolment(resident(t, 2, 2), 1)
	bad.Actor = api.Actor{Kind: api.ActorWorker, WorkerID: "w-late"} // not known to the service yet
	bad.Consent.By, bad.Channel = api.ActorWorker, api.ChannelCounter
	r, err := k.eng.Enrol(ctx, bad)
	if err != nil {
		t.Fatal(err)
	}
	k.enrol(t, resident(t, 3, 3), 2)
	k.syncOnce(t, ctx)
	sum := k.summary(t)
	if len(sum.Quarantined) != 1 {
		t.Fatalf("quarantined = %+v, want one item", sum.Quarantined)
	}
	q := sum.Quarantined[0]
	if q.Receipt != r.Number || q.Reason != api.ReasonUnknownWorker {
		t.Errorf("quarantined item = %+v, want receipt %s, reason %s", q, r.Number, api.ReasonUnknownWorker)
	}
	if _, acc, _ := s.enrolments(); acc != 2 {
		t.Errorf("accepted at the service = %d, want the 2 good items (the bad one must not block them)", acc)
	}
	// Offline status of the quarantined resident: still pending, no colour.
	s.cut()
	if a, _ := k.eng.Status(ctx, bad.IDNumber); a.Source != healthcode.SourcePending || a.Colour != "" {
		t.Errorf("status of quarantined enrolment = %+v, want pending", a)
	}
	s.restore()
	// The fix: the worker is registered at the service. Then Retry.
	// She logs in: the retried item goes with her session.
	k.eng.SetWorkerSession(k.workerSession(t, s, "w-late", "secret-pw"))
	if err := k.eng.Retry(ctx, q.Seq); err != nil {
		t.Fatal(err)
	}
	k.syncOnce(t, ctx)
	if sum := k.summary(t); len(sum.Quarantined) != 0 || sum.Pending != 0 {
		t.Errorf("after retry: %+v, want nothing quarantined or pending", sum)
	}
	if _, acc, res := s.enrolments(); acc != 3 || res != 3 {
		t.Errorf("accepted at the service = %d (%d residents), want 3", acc, res)
	}
}

// issueAndPrint asks the service for a token the way the print flow does
// and records the print through the engine.
func issueAndPrint(t *testing.T, s *service, k *kiosk, id pii.IDNumber) api.TokenResponse {
	t.Helper()
	ctx := context.Background()
	dev, err := syncer.LoadIdentity(ctx, k.st)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.svc.IssueToken(ctx, dev.DeviceID, "", id, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.eng.RecordPrint(ctx, syncer.Print{IDNumber: id, Token: tok}); err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestFeedCallListAndRevocation(t *testing.T) {
	s, k, id := enrolledKiosk(t, 10, 1)
	ctx := context.Background()
	tok := issueAndPrint(t, s, k, id)
	if tok.Status.Colour != "green" {
		t.Fatalf("printed colour %s, want green", tok.Status.Colour)
	}
	k.syncOnce(t, ctx) // pushes the print record, reads the feed
	if l, _ := k.st.CallList(ctx); len(l) != 0 {
		t.Fatalf("call list before any change = %+v, want empty", l)
	}
	s.clk.Add(time.Hour)
	if _, err := s.svc.AddEvent(ctx, id, rules.ArrivalKeyArea, s.clk.Now(), "test"); err != nil {
		t.Fatal(err)
	}
	k.syncOnce(t, ctx)
	l, err := k.st.CallList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != 1 || l[0].Printed != "green" || l[0].Current != "yellow" || l[0].MaskedID != id.Masked() {
		t.Fatalf("call list = %+v, want one entry green → yellow for %s", l, id.Masked())
	}
	// 挂失: the old code is revoked, and the feed tells the kiosk.
	if _, err := s.svc.ReportLost(ctx, "", "", id); err != nil {
		t.Fatal(err)
	}
	k.syncOnce(t, ctx)
	p, err := k.st.PrintedFor(ctx, k.st.KeyOf(id))
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != 1 || p[0].State != api.StateRevoked {
		t.Errorf("printed codes after 挂失 = %+v, want the token revoked", p)
	}
	if tl, err := k.eng.TrustList(ctx); err != nil || len(tl.Keys) == 0 {
		t.Errorf("trust list = %v, %v; want a verified list with keys", tl, err)
	}
}

// TestNeverStaleGreen runs with the kiosk's clock five hours slow. The
// service's clock must decide freshness.
func TestNeverStaleGreen(t *testing.T) {
	s := startService(t)
	k := newKiosk(t, s, "", start.Add(-5*time.Hour))
	ctx := context.Background()
	green, yellow := resident(t, 20, 1), resident(t, 21, 2)
	k.enrol(t, green, 0)
	k.enrol(t, yellow, 1)
	k.syncOnce(t, ctx)
	if skew := k.eng.Clock().Skew(); (skew - 5*time.Hour).Abs() > 2*time.Second {
		t.Fatalf("skew = %v, want about 5h", skew)
	}
	// Arrival 13 days 22 hours ago: yellow, turning green in 2 hours.
	if _, err := s.svc.AddEvent(ctx, yellow, rules.ArrivalKeyArea, s.clk.Now().Add(-14*24*time.Hour+2*time.Hour), "test"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []pii.IDNumber{green, yellow} {
		if a, err := k.eng.Status(ctx, id); err != nil || a.Source != healthcode.SourceLive {
			t.Fatalf("live status = %+v, %v", a, err)
		}
	}
	s.cut()
	tests := []struct {
		name    string
		advance time.Duration // kiosk clock moves on, offline
		id      pii.IDNumber
		source  healthcode.Source
		colour  healthcode.Colour
	}{
		{"green cached", time.Hour, green, healthcode.SourceCached, "green"},
		{"yellow cached before valid-until", 0, yellow, healthcode.SourceCached, "yellow"},
		{"yellow past valid-until", 90 * time.Minute, yellow, healthcode.SourceUnknown, ""},
		{"green within 24h", 21 * time.Hour, green, healthcode.SourceCached, "green"},
		// 24h01m after as-of by the service's clock, but only 19h by the
		// kiosk's own: a kiosk trusting its own clock would show green.
		{"green past freshness", time.Hour + time.Minute, green, healthcode.SourceUnknown, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k.clk.Add(tc.advance)
			a, err := k.eng.Status(ctx, tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if a.Source != tc.source || a.Colour != tc.colour {
				t.Errorf("status = %s %q (%s), want %s %q", a.Source, a.Colour, a.Why, tc.source, tc.colour)
			}
			if a.Source == healthcode.SourceCached && a.AsOf.IsZero() {
				t.Error("cached answer without its as-of time")
			}
			// A screen takes a cached colour off at the earlier of its
			// valid_until and the freshness bound, both still ahead.
			if u := a.Status().Until(); a.Source == healthcode.SourceCached &&
				(!k.eng.Clock().Now().Before(u) || u.After(a.AsOf.Add(syncer.DefaultFreshness)) ||
					!a.ValidUntil.IsZero() && u.After(a.ValidUntil)) {
				t.Errorf("cached answer shown until %v (as of %v, valid until %v, now %v)", u, a.AsOf, a.ValidUntil, k.eng.Clock().Now())
			}
			if a.Source == healthcode.SourceUnknown && a.Why == "" {
				t.Error("unknown answer without a reason")
			}
		})
	}
}

func TestOfflineLogin(t *testing.T) {
	s := startService(t)
	ctx := context.Background()
	if err := s.svc.AddWorker(ctx, "w-1", "王老师", "correct horse"); err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/kiosk.db"
	k := newKiosk(t, s, path, start)
	k.syncOnce(t, ctx)
	s.cut()
	if w, err := k.eng.Login(ctx, "w-1", "correct horse"); err != nil || w.DisplayName != "王老师" {
		t.Fatalf("offline login = %+v, %v; want 王老师", w, err)
	}
	if _, err := k.eng.Login(ctx, "nobody", "x"); !errors.Is(err, syncer.ErrBadLogin) {
		t.Errorf("unknown worker: err = %v, want ErrBadLogin", err)
	}
	for i := 1; i <= 5; i++ {
		_, err := k.eng.Login(ctx, "w-1", "wrong")
		want := syncer.ErrBadLogin
		if i == 5 {
			want = syncer.ErrLocked
		}
		if !errors.Is(err, want) {
			t.Fatalf("failure %d: err = %v, want %v", i, err, want)
		}
	}
	// Locked, even with the right password, and across a restart.
	k.st.Close()
	k = newKiosk(t, s, path, start.Add(10*time.Minute))
	var le *syncer.LockedError
	if _, err := k.eng.Login(ctx, "w-1", "correct horse"); !errors.As(err, &le) {
		t.Fatalf("login while locked after restart: err = %v, want *LockedError", err)
	}
	k.clk.Add(6 * time.Minute)
	if _, err := k.eng.Login(ctx, "w-1", "correct horse"); err != nil {
		t.Errorf("login after the lockout: %v", err)
	}
	if err := k.st.VerifyAudit(ctx); err != nil {
		t.Errorf("audit chain: %v", err)
	}
}

// TestRunResumesWhenNetworkReturns runs the loop, cuts the network, and
// checks that the kiosk catches up by itself once it is back.
func TestRunResumesWhenNetworkReturns(t *testing.T) {
	s := startService(t)
	k := newKiosk(t, s, "", start)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	s.cut()
	go func() { done <- k.eng.Run(ctx) }()
	for i := range 5 {
		k.enrol(t, resident(t, 30+i, i), i)
	}
	waitFor(t, func() bool { sum := k.summary(t); return sum.LastError != "" })
	s.restore()
	waitFor(t, func() bool { sum := k.summary(t); return sum.Pending == 0 && sum.Online })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run returned %v after cancel, want nil", err)
	}
	if _, acc, _ := s.enrolments(); acc != 5 {
		t.Errorf("accepted at the service = %d, want 5", acc)
	}
}

// waitFor polls cond until it holds, failing after 10 s (a deadlock
// guard, not a timing assertion).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestNoPersonalDataOnDisk runs a whole session (enrolments, a print, a
// correction sent and one left queued, feed, a failed login) and then
// reads the kiosk's raw database file and -wal for every resident's ID
// number and name and for the corrections' reasons.
func TestNoPersonalDataOnDisk(t *testing.T) {
	s := startService(t)
	k := newKiosk(t, s, "", start)
	ctx := context.Background()
	var ids []pii.IDNumber
	for i := range 6 {
		id := resident(t, 40+i, i)
		ids = append(ids, id)
		en := selfEnrolment(id, i)
		if i == 5 {
			en.Actor = api.Actor{Kind: api.ActorFamily, WorkerID: "w-h"}
			en.Consent.By, en.Channel = api.ActorFamily, api.ChannelCounter
			en.WorkerSession = k.workerSession(t, s, "w-h", "harness-pw")
			en.Family = resident(t, 1, 900)
			ids = append(ids, en.Family)
		}
		if _, err := k.eng.Enrol(ctx, en); err != nil {
			t.Fatal(err)
		}
	}
	k.syncOnce(t, ctx)
	issueAndPrint(t, s, k, ids[0])
	const sentReason, queuedReason = "colour wrong after test", "颜色不对，已出院"
	if _, err := k.eng.RequestCorrection(ctx, ids[1], "w-h", k.workerSession(t, s, "w-h", "harness-pw"), sentReason); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[:3] {
		if _, err := k.eng.Status(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	k.eng.Login(ctx, "w-1", "guess")
	k.syncOnce(t, ctx)
	if cs, err := s.svc.Store.Corrections(ctx, "", ""); err != nil || len(cs) != 1 {
		t.Errorf("service corrections = %d, %v; want the one filed", len(cs), err)
	}
	// A correction queued while the network is down stays in the outbox,
	// ready to send: it too must be unreadable on disk.
	s.cut()
	if _, err := k.eng.RequestCorrection(ctx, ids[2], "w-h", "", queuedReason); err != nil {
		t.Fatal(err)
	}
	if err := k.eng.SyncOnce(ctx); err == nil {
		t.Fatal("SyncOnce with the network cut: err = nil")
	}
	if sum := k.summary(t); sum.Pending != 1 {
		t.Fatalf("pending after the cut = %d, want the queued correction", sum.Pending)
	}
	check := func(when string) {
		t.Helper()
		for _, suffix := range []string{"", "-wal"} {
			b, err := os.ReadFile(k.path + suffix)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				if bytes.Contains(b, []byte(id.Reveal())) {
					t.Errorf("%s: kiosk file%s holds ID number %s in the clear", when, suffix, id)
				}
			}
			for _, n := range names {
				if bytes.Contains(b, []byte(n.Reveal())) {
					t.Errorf("%s: kiosk file%s holds name %s in the clear", when, suffix, n)
				}
			}
			for _, r := range []string{sentReason, queuedReason} {
				if bytes.Contains(b, []byte(r)) {
					t.Errorf("%s: kiosk file%s holds a correction's reason in the clear", when, suffix)
				}
			}
		}
	}
	check("open")
	k.st.Close()
	check("closed")
}

// TestReprintable: offline, the engine lets the kiosk print again only
// the newest active code printed here, and only while the cached status
// may be shown; a revoked code, an unknown status or a never-printed
// resident gets nothing.
func TestReprintable(t *testing.T) {
	s := startService(t)
	k := newKiosk(t, s, "", start)
	ctx := context.Background()
	printed, revoked, never := resident(t, 30, 1), resident(t, 31, 2), resident(t, 32, 3)
	for i, id := range []pii.IDNumber{printed, revoked, never} {
		k.enrol(t, id, i)
	}
	k.syncOnce(t, ctx)
	issueAndPrint(t, s, k, printed)
	s.clk.Add(time.Minute)
	k.clk.Add(time.Minute)
	newest := issueAndPrint(t, s, k, printed) // supersedes the first at the service
	issueAndPrint(t, s, k, revoked)
	if _, err := s.svc.ReportLost(ctx, "", "", revoked); err != nil {
		t.Fatal(err)
	}
	k.syncOnce(t, ctx) // the feed marks the first code superseded, the other revoked
	for _, id := range []pii.IDNumber{printed, revoked, never} {
		if _, err := k.eng.Status(ctx, id); err != nil { // caches a live answer
			t.Fatal(err)
		}
	}
	s.cut()
	tests := []struct {
		name    string
		advance time.Duration
		id      pii.IDNumber
		ok      bool
	}{
		{"newest active code", 0, printed, true},
		{"revoked code", 0, revoked, false},
		{"never printed here", 0, never, false},
		{"status past the freshness bound", 25 * time.Hour, printed, false},
	}
	for _, tc := range tests {
		k.clk.Add(tc.advance)
		ans, err := k.eng.CachedStatus(ctx, tc.id)
		if err != nil {
			t.Fatal(err)
		}
		c, ok, err := k.eng.Reprintable(ctx, tc.id, ans)
		if err != nil {
			t.Fatal(err)
		}
		if ok != tc.ok {
			t.Errorf("%s: reprintable = %v (answer %s, %s), want %v", tc.name, ok, ans.Source, ans.Why, tc.ok)
		}
		if ok && c.TokenID != newest.TokenID {
			t.Errorf("%s: re-print of %s, want the newest code %s", tc.name, c.TokenID, newest.TokenID)
		}
	}
}

// TestRateLimitedEnrolmentsWait: self-enrolments the service defers stay
// queued in their place, the kiosk stays online, and they go out once the
// service takes them; none is lost or quarantined.
func TestRateLimitedEnrolmentsWait(t *testing.T) {
	s := startServiceWith(t, server.Options{SelfLimits: store.SelfLimits{PerDevice: 2, DeviceWindow: time.Hour, PerResident: -1}})
	k := newKiosk(t, s, "", start)
	ctx := context.Background()
	for i := range 5 {
		en := selfEnrolment(resident(t, 40+i, i), i)
		en.Channel, en.Consent.Version = api.ChannelKiosk, "kiosk-self-test"
		if _, err := k.eng.Enrol(ctx, en); err != nil {
			t.Fatal(err)
		}
	}
	err := k.eng.SyncOnce(ctx)
	if !errors.Is(err, syncer.ErrDeferred) {
		t.Fatalf("sync over the limit: %v, want ErrDeferred", err)
	}
	sum := k.summary(t)
	if sum.Pending != 3 || len(sum.Quarantined) != 0 || !sum.Online {
		t.Fatalf("after the first sync: %d pending, %d quarantined, online %v; want 3, 0, online", sum.Pending, len(sum.Quarantined), sum.Online)
	}
	for _, want := range []int{1, 0} {
		s.clk.Add(time.Hour + time.Second)
		k.clk.Add(time.Hour + time.Second)
		k.eng.SyncOnce(ctx)
		if sum := k.summary(t); sum.Pending != want || len(sum.Quarantined) != 0 {
			t.Fatalf("an hour later: %d pending, %d quarantined; want %d and 0", sum.Pending, len(sum.Quarantined), want)
		}
	}
	if _, accepted, residents := s.enrolments(); accepted != 5 || residents != 5 {
		t.Errorf("service: %d accepted for %d residents, want 5 and 5", accepted, residents)
	}
}

// TestReadyCodes: a resident enrolled here offline is listed once the
// service has accepted her enrolment, with her receipt, until a code is
// printed for her here or at another kiosk.
func TestReadyCodes(t *testing.T) {
	s := startService(t)
	k := newKiosk(t, s, "", start)
	ctx := context.Background()
	here, elsewhere := resident(t, 50, 1), resident(t, 51, 2)
	s.cut()
	rHere := k.enrol(t, here, 0)
	rElse := k.enrol(t, elsewhere, 1)
	if err := k.eng.SyncOnce(ctx); err == nil {
		t.Fatal("sync with the service cut: no error")
	}
	if l, err := k.st.ReadyCodes(ctx); err != nil || len(l) != 0 {
		t.Fatalf("ready before the service accepted: %+v, %v; want none", l, err)
	}
	s.restore()
	k.syncOnce(t, ctx)
	l, err := k.st.ReadyCodes(ctx)
	if err != nil || len(l) != 2 || l[0].Receipt != rHere.Number || l[1].Receipt != rElse.Number ||
		l[0].MaskedName != names[0].Masked() || l[0].ResidentRef == "" {
		t.Fatalf("ready after sync: %+v, %v; want both receipts with masked names", l, err)
	}
	issueAndPrint(t, s, k, here)
	other := newKiosk(t, s, "", start)
	other.syncOnce(t, ctx)
	issueAndPrint(t, s, other, elsewhere)
	k.syncOnce(t, ctx) // the feed shows her new code
	if l, err := k.st.ReadyCodes(ctx); err != nil || len(l) != 0 {
		t.Errorf("ready after both took a code: %+v, %v; want none", l, err)
	}
}

// TestOnlineFollowsEveryCall checks that Summary().Online changes with
// each call to the service between syncs, not only with a sync: the
// engine's own status look-ups, and calls other parts of the kiosk make
// with the remote's client (here the worker list, as the token and venue
// calls do).
func TestOnlineFollowsEveryCall(t *testing.T) {
	s, k, id := enrolledKiosk(t, 70, 1)
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	steps := []struct {
		name string
		do   func()
		want bool
	}{
		{"after a sync", func() {}, true},
		{"status with the network cut", func() { s.cut(); k.eng.Status(ctx, id) }, false},
		{"status with the network back", func() { s.restore(); k.eng.Status(ctx, id) }, true},
		{"client call with the network cut", func() { s.cut(); k.rm.C.Workers(ctx) }, false},
		{"client call with the network back", func() { s.restore(); k.rm.C.Workers(ctx) }, true},
		{"status through a 500", func() { s.faults.set(fault500); k.eng.Status(ctx, id) }, false},
		// The service refusing the request itself (an ID number it
		// rejects) is the service answering.
		{"status refused as a bad request", func() { s.faults.set(faultNone); k.eng.Status(ctx, pii.IDNumber("310101194801010000")) }, true},
		// A call its caller gave up on says nothing about the service.
		{"cancelled call with the network cut", func() { s.cut(); k.eng.Status(cancelled, id); k.rm.C.Workers(cancelled) }, true},
		{"cancelled call after an offline call", func() { k.eng.Status(ctx, id); k.eng.Status(cancelled, id) }, false},
	}
	for _, st := range steps {
		st.do()
		sum := k.summary(t)
		if sum.Online != st.want {
			t.Errorf("%s: Online = %v, want %v", st.name, sum.Online, st.want)
		}
	}
	if sum := k.summary(t); sum.LastError != "" {
		t.Errorf("LastError = %q after calls that were not syncs, want the last sync's (none)", sum.LastError)
	}
}

// TestFinding4KioskRefusesAfterPull: once a leaked signing key is revoked
// at the service, a kiosk's next sync pulls the new trust list (the feed
// announces its version), and the kiosk's offline venue check refuses a
// token forged with that key.
func TestFinding4KioskRefusesAfterPull(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	k := newKiosk(t, s, "", start)
	k.syncOnce(t, ctx)
	keys, err := s.svc.Store.SigningKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	leaked := keys[len(keys)-1]
	var tid [12]byte
	rand.Read(tid[:])
	now := s.clk.Now()
	forged, err := token.NewSigner(leaked.Issuer, leaked.KeyID, leaked.PrivateKey).Sign(token.Claims{TokenID: tid,
		IssuedAt: now, ExpiresAt: now.Add(token.DefaultValidity), MaskedName: "王*",
		Status: &token.StatusClaim{Colour: healthcode.Green, AsOf: now, Version: 1}})
	if err != nil {
		t.Fatal(err)
	}
	offline := func() (verify.Result, error) {
		tl, err := k.eng.TrustList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return (&verify.Verifier{Trust: tl, Now: k.eng.Clock().Now}).Verify(ctx, forged)
	}
	if res, err := offline(); err != nil || res.Colour != healthcode.Green {
		t.Fatalf("before the revocation the forgery passes offline (the reason for revoking): %+v, %v", res, err)
	}
	if _, err := s.svc.RevokeKey(ctx, leaked.KeyID); err != nil {
		t.Fatal(err)
	}
	k.syncOnce(t, ctx)
	if res, err := offline(); !errors.Is(err, token.ErrUnknownKey) || res.Colour != "" {
		t.Errorf("after the next pull: colour %q, err %v; want ErrUnknownKey", res.Colour, err)
	}
}

// replayTrustList answers GET /v1/trust-list with an old signed list, as
// a lagging mirror or someone replaying a captured answer would.
type replayTrustList struct {
	old  []byte
	next http.Handler
}

func (r replayTrustList) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.URL.Path == "/v1/trust-list" {
		w.Header().Set("Content-Type", "application/json")
		w.Write(r.old)
		return
	}
	r.next.ServeHTTP(w, req)
}

// TestFinding2OldTrustListRefused: the kiosk stored whatever trust list
// it fetched, so an older list (genuinely signed, from before a key was
// revoked) could bring the revoked key back. A list not newer than the
// one held is refused now, and the held one stays.
func TestFinding2OldTrustListRefused(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	k := newKiosk(t, s, "", start)
	old, _, err := s.svc.SignedTrustList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := s.svc.Store.SigningKeys(ctx)
	leaked := keys[0].KeyID
	if _, err := s.svc.RevokeKey(ctx, leaked); err != nil {
		t.Fatal(err)
	}
	k.syncOnce(t, ctx)
	s.clk.Add(time.Minute)
	if _, err := s.svc.RotateKey(ctx); err != nil { // a newer list is announced
		t.Fatal(err)
	}
	s.faults.next = replayTrustList{old: old, next: s.faults.next}
	if err := k.eng.SyncOnce(ctx); !errors.Is(err, syncer.ErrOldTrustList) {
		t.Errorf("sync with an old list served: %v, want ErrOldTrustList", err)
	}
	tl, err := k.eng.TrustList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tl.Key(leaked); ok {
		t.Error("the revoked key came back with the old list")
	}
}

// TestFinding2ClockBound: the kiosk's service clock moves only within
// client.MaxSkew, whatever an answer says.
func TestFinding2ClockBound(t *testing.T) {
	now := start
	c := syncer.NewClock(func() time.Time { return now }, 0)
	c.Observe(now.Add(10*24*time.Hour), now)
	if c.Skew() != 0 {
		t.Errorf("an answer 10 days ahead moved the clock by %v", c.Skew())
	}
	c.Observe(now.Add(-client.MaxSkew-time.Second), now)
	if c.Skew() != 0 {
		t.Errorf("an answer past the bound moved the clock by %v", c.Skew())
	}
	c.Observe(now.Add(8*time.Hour), now) // a kiosk a time zone off
	if c.Skew() != 8*time.Hour {
		t.Errorf("skew %v, want 8h", c.Skew())
	}
}

// residentKeyUnder is the keyed hash of an ID number as the kiosk's store
// computes it (localstore.KeyOf, whose algorithm is public), under a
// candidate secret.
func residentKeyUnder(secret []byte, id string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("resident-key-v1\x00"))
	m.Write([]byte(id))
	return m.Sum(nil)
}

// fileContents returns every value of every column of every table of the
// SQLite file at path, read as the attacker would, with the driver.
func fileContents(t *testing.T, path string) (texts []string, blobs [][]byte) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table'")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	for _, tbl := range tables {
		rows, err := db.Query("SELECT * FROM " + tbl)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			for _, v := range vals {
				switch v := v.(type) {
				case string:
					texts = append(texts, v)
				case []byte:
					texts, blobs = append(texts, string(v)), append(blobs, v)
				}
			}
		}
		rows.Close()
	}
	return texts, blobs
}

// TestFinding3StolenDatabase: the keyed-hash secret and the device's
// signing seed were in kiosk.db beside the status cache, which also kept
// the masked number (its last four characters) and the reason; the
// review recovered a full ID number and its red/medical_management status
// from the file alone in 339,000 tries. Now the secrets are in a key file
// elsewhere (sync/keystore), the cache keeps the colour and its times
// only, and a venue tap is not cached. The same search, on a copy of the
// file without the key file, finds nothing; with the key file's secret
// (which the copy does not have) it finds the number at once, so the
// search itself is sound.
func TestFinding3StolenDatabase(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	k := newKiosk(t, s, "", start)
	red := resident(t, 3000, 123) // the one the attacker is after
	passer := resident(t, 3100, 456)
	k.enrol(t, red, 0)
	if _, err := s.svc.AddEvent(ctx, passer, rules.ArrivalKeyArea, time.Time{}, "test"); err != nil {
		t.Fatal(err)
	}
	k.syncOnce(t, ctx)
	if _, err := s.svc.AddEvent(ctx, red, rules.MedicalStart, time.Time{}, "test"); err != nil {
		t.Fatal(err)
	}
	if a, err := k.eng.Status(ctx, red); err != nil || a.Colour != healthcode.Red {
		t.Fatalf("status of the red resident: %+v, %v", a, err)
	}
	tok, err := k.rm.C.IssueToken(ctx, api.IssueTokenRequest{IDNumber: red.Reveal(), Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.eng.RecordPrint(ctx, syncer.Print{IDNumber: red, Token: tok}); err != nil {
		t.Fatal(err)
	}
	if a, err := k.eng.VenueStatus(ctx, passer); err != nil || a.Colour != healthcode.Yellow {
		t.Fatalf("venue tap: %+v, %v", a, err)
	}
	k.syncOnce(t, ctx)
	keys, _, err := keystore.File{Path: keyFile(k.path)}.Load()
	if err != nil {
		t.Fatal(err)
	}
	k.st.Close()

	// The copy: the database file alone, as a backup or a lifted disk
	// image of the data folder holds it.
	stolen := filepath.Join(t.TempDir(), "kiosk.db")
	raw, err := os.ReadFile(k.path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stolen, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	for what, secret := range map[string][]byte{"keyed-hash secret": keys.ResidentSecret, "device seed": keys.DeviceSeed, "audit key": keys.AuditKey} {
		if bytes.Contains(raw, secret) {
			t.Errorf("the file holds the %s", what)
		}
	}
	texts, blobs := fileContents(t, stolen)
	for _, v := range texts {
		for _, secret := range []string{red.Reveal(), red.Masked(), names[0].Reveal(), rules.ReasonMedicalManagement, "arrival_key_area"} {
			if strings.Contains(v, secret) {
				t.Errorf("the file holds %q in %q", secret, v)
			}
		}
	}

	// The search: the attacker knows the region and the birth date (the
	// strongest prior the review assumed) and tries every sequence
	// number and check digit, under every 32-byte value in the file and
	// under no secret at all, against every value in the file.
	values := map[string]bool{}
	var candidates [][]byte
	for _, b := range blobs {
		values[string(b)] = true
		if len(b) == 32 {
			candidates = append(candidates, b)
		}
	}
	candidates = append(candidates, nil)
	search := func(secrets [][]byte) (found []string) {
		prefix := red.Reveal()[:14]
		for n := range 1000 {
			first := fmt.Sprintf("%s%03d", prefix, n)
			c, _ := pii.CheckDigit(first)
			id := first + string(c)
			for _, sec := range secrets {
				if values[string(residentKeyUnder(sec, id))] {
					found = append(found, id)
				}
			}
		}
		return found
	}
	if found := search(candidates); len(found) > 0 {
		t.Errorf("recovered %v from the file alone (%d candidate secrets tried)", found, len(candidates))
	}
	if found := search([][]byte{keys.ResidentSecret}); len(found) != 1 || found[0] != red.Reveal() {
		t.Fatalf("with the key file's secret the search finds %v: the search proves nothing", found)
	}
	if values[string(residentKeyUnder(keys.ResidentSecret, passer.Reveal()))] {
		t.Error("the venue tap was kept")
	}

	// And the kiosk's own code refuses the copy without its key file.
	if _, err := localstore.Open(ctx, stolen, localstore.Options{KeyFile: filepath.Join(t.TempDir(), "kiosk.key")}); !errors.Is(err, localstore.ErrKeysMissing) {
		t.Errorf("opening the copy without its key file: %v, want ErrKeysMissing", err)
	}
}

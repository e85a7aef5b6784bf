package rig_test

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/wire"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/sqlitestore"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/pii/piitest"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

var (
	consistencySeeds = flag.Int("consistency.seeds", 2, "simulated histories the cross-channel test runs (make consistency: many)")
	consistencyFirst = flag.Uint64("consistency.first", 1, "the first history's seed")
	consistencySteps = flag.Int("consistency.steps", 10, "steps of each history, each up to a day and a half apart")
)

// TestOneTruthAcrossChannels runs simulated weeks on a fake clock: random
// residents and events (arrivals from key areas, close contacts and their
// end, negative tests, medical red and release, events recorded days
// late, as a correction records them) and rule changes (the service
// restarted on the same store with a 7-day or 14-day arrival). At random
// instants, and at every arrival's end, it asks every channel with the
// clock standing still: the status API, the kiosk's engine, the venue by
// card, a new paper code (the self-service and counter slip), the venue
// by that paper code live, the call list after a sync; then, with the
// network cut, the engine, the venue by card and by paper on its claim.
// The truth is rules.Evaluate over the test's own record of the events.
//
// It requires: every online channel says the truth at the instant (so a
// scheduled change is on every one of them at its instant, not a second
// later); an offline colour only inside its valid_until and freshness
// bound, the newest the kiosk was given, and the truth when nothing was
// recorded and the rules did not change since its as-of; no green shown
// where the truth is not green by those rules.
func TestOneTruthAcrossChannels(t *testing.T) {
	var total figures
	for seed := range uint64(*consistencySeeds) {
		f := runHistory(t, *consistencyFirst+seed, *consistencySteps)
		total.add(f)
		if t.Failed() {
			t.Logf("seed %d failed", *consistencyFirst+seed)
			break
		}
	}
	t.Logf("cross-channel consistency: %s", total)
	if total.online == 0 || total.offline == 0 || total.transitions == 0 {
		t.Errorf("the histories exercised too little: %s", total)
	}
}

// figures are what a history counted.
type figures struct {
	histories, steps, events, late, ruleChanges int
	online                                      int // answers with a colour from online channels
	offline                                     int // offline answers asked for
	offColour                                   int // of which with a colour
	transitions                                 int // arrival ends probed at their instant
	disagree                                    int // online answers that were not the truth
	pastBound                                   int // offline colours past valid_until or freshness
	notNewest                                   int // offline colours older than an answer the kiosk had
	wrongCached                                 int // offline colours not the truth with nothing changed since
	staleGreen                                  int
	claimPast                                   int // paper claims showing a colour the resident's valid_until had ended
}

func (f *figures) add(g figures) {
	f.histories++
	f.steps += g.steps
	f.events += g.events
	f.late += g.late
	f.ruleChanges += g.ruleChanges
	f.online += g.online
	f.offline += g.offline
	f.offColour += g.offColour
	f.transitions += g.transitions
	f.disagree += g.disagree
	f.pastBound += g.pastBound
	f.notNewest += g.notNewest
	f.wrongCached += g.wrongCached
	f.staleGreen += g.staleGreen
	f.claimPast += g.claimPast
}

func (f figures) String() string {
	return fmt.Sprintf("%d histories, %d steps, %d events (%d recorded late), %d rule changes; "+
		"%d online colours, %d offline answers (%d with a colour), %d transitions at their instant; "+
		"disagreements %d, offline colours past their bound %d, not the newest %d, not the truth %d, stale greens %d; "+
		"paper claims past the resident's valid_until %d",
		f.histories, f.steps, f.events, f.late, f.ruleChanges, f.online, f.offline, f.offColour, f.transitions,
		f.disagree, f.pastBound, f.notNewest, f.wrongCached, f.staleGreen, f.claimPast)
}

// world is one service and one kiosk on a fake clock.
type world struct {
	t       *testing.T
	rng     *rand.Rand
	now     atomic.Int64 // Unix nanoseconds
	st      store.Store
	handler atomic.Pointer[http.Handler]
	offline atomic.Bool
	svc     *server.Service
	rules   rules.Rules
	ruledAt time.Time // the last rule change
	eng     *syncer.Engine
	back    *wire.Backend
	counter *wire.Counter
	people  []*person
	f       figures
}

// person is a resident as the test knows her.
type person struct {
	id        pii.IDNumber
	name      pii.Name
	events    []rules.Event
	changedAt time.Time // the last event recorded for her
	newest    time.Time // the newest as-of the kiosk was given for her
	qr        string    // her latest paper code
}

func (w *world) clock() time.Time { return time.Unix(0, w.now.Load()).UTC() }

func (w *world) advance(d time.Duration) { w.now.Add(int64(d)) }

// rulesWith is the default rules with the arrival lasting d.
func rulesWith(d time.Duration) rules.Rules {
	r := rules.Default()
	r.ArrivalYellow = d
	r.Version = fmt.Sprintf("test-arrival-%dd", int(d/(24*time.Hour)))
	r.States = slices.Clone(r.States)
	for i := range r.States {
		if r.States[i].Reason == rules.ReasonArrivalKeyArea {
			r.States[i].Duration = d
		}
	}
	return r
}

// startService (re)starts the service on the store with the rules.
func (w *world) startService(ctx context.Context, r rules.Rules) {
	svc, err := server.New(ctx, w.st, server.Options{Rules: r, Now: w.clock, Logger: quietLog(),
		SelfLimits: store.SelfLimits{PerDevice: -1, PerResident: -1}, LookupLimits: map[api.Role]server.Limit{}})
	if err != nil {
		w.t.Fatal(err)
	}
	w.svc, w.rules, w.ruledAt = svc, r, w.clock()
	var h http.Handler = server.NewHandler(svc)
	w.handler.Store(&h)
}

func newWorld(t *testing.T, seed uint64) *world {
	ctx := context.Background()
	w := &world{t: t, rng: rand.New(rand.NewPCG(seed, seed*0x9e3779b97f4a7c15))}
	w.now.Store(time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC).UnixNano())
	dir := t.TempDir()
	var err error
	if w.st, err = sqlitestore.Open(ctx, filepath.Join(dir, "codes.db")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.st.Close() })
	w.startService(ctx, rules.Default())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		if w.offline.Load() {
			panic(http.ErrAbortHandler)
		}
		(*w.handler.Load()).ServeHTTP(rw, req)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	clock := syncer.NewClock(w.clock, 0)
	ls, err := localstore.Open(ctx, filepath.Join(dir, "kiosk.db"), localstore.Options{Now: clock.Now,
		KeyFile: filepath.Join(dir, "keys", "kiosk.key")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ls.Close() })
	code, _, err := w.svc.ProvisionDevice(ctx, "consistency kiosk", api.RoleCounter)
	if err != nil {
		t.Fatal(err)
	}
	id, err := syncer.Register(ctx, ls, client.Provisioning{BaseURL: url, Code: code, Fingerprint: w.svc.Fingerprint(nil), Name: "k"})
	if err != nil {
		t.Fatal(err)
	}
	remote := syncer.NewClientRemote(url, http.DefaultClient, id, clock)
	// The engine's loop is not run: the test syncs at its own instants.
	if w.eng, err = syncer.New(ctx, syncer.Config{Store: ls, Remote: remote, Clock: clock, Interval: time.Hour,
		LiveTimeout: 30 * time.Second, Logger: quietLog()}); err != nil {
		t.Fatal(err)
	}
	w.back = &wire.Backend{Engine: w.eng, Client: remote.C, Timeout: 30 * time.Second, ConfirmWait: 30 * time.Second}
	w.counter = &wire.Counter{Backend: w.back}
	return w
}

// enrol adds a resident to the service. The ID numbers differ in their
// last four digits, so that the call list's masked form names one.
func (w *world) enrol(ctx context.Context, n int) {
	birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 37*n)
	id, err := piitest.ShanghaiID(birth.Format("20060102"), n, w.clock())
	if err != nil {
		w.t.Fatal(err)
	}
	p := &person{id: id, name: pii.Name([]string{"张三丰", "李秀英", "周建国", "王淑芬", "陈国强"}[n%5])}
	if _, err := w.svc.SeedResident(ctx, id, p.name, ""); err != nil {
		w.t.Fatal(err)
	}
	w.people = append(w.people, p)
}

// event records a random event for p, now or (sometimes) days late.
func (w *world) event(ctx context.Context, p *person) {
	kinds := []rules.EventKind{rules.ArrivalKeyArea, rules.ArrivalKeyArea, rules.ArrivalKeyArea, rules.CloseContactStart,
		rules.CloseContactEnd, rules.TestNegative, rules.MedicalStart, rules.MedicalRelease, rules.MedicalRelease}
	kind := kinds[w.rng.IntN(len(kinds))]
	at := w.clock().Add(-time.Duration(w.rng.IntN(3600)) * time.Second).Truncate(time.Second)
	if w.rng.IntN(4) == 0 { // recorded late, as a correction records it
		at = at.Add(-time.Duration(1+w.rng.IntN(72)) * time.Hour)
		w.f.late++
	}
	ev, err := w.svc.AddEvent(ctx, p.id, kind, at, "consistency")
	if err != nil {
		w.t.Fatal(err)
	}
	p.events = append(p.events, rules.Event{Kind: kind, At: ev.At, Seq: ev.Seq})
	p.changedAt = w.clock()
	w.f.events++
}

// truth is her colour at now by the rules in force.
func (w *world) truth(p *person, at time.Time) rules.Status {
	return rules.Evaluate(w.rules, p.events, at)
}

func runHistory(t *testing.T, seed uint64, steps int) figures {
	ctx := context.Background()
	w := newWorld(t, seed)
	for n := range 6 {
		w.enrol(ctx, n)
	}
	for step := range steps {
		w.f.steps++
		if w.rng.IntN(8) == 0 {
			d := 14 * 24 * time.Hour
			if w.rules.ArrivalYellow == d {
				d = 7 * 24 * time.Hour
			}
			w.startService(ctx, rulesWith(d))
			w.f.ruleChanges++
		}
		for _, p := range w.people {
			if w.rng.IntN(3) == 0 {
				w.event(ctx, p)
			}
		}
		w.probeOnline(ctx, w.people)
		// The next instant: a random one, or the next arrival's end
		// exactly, whichever comes first.
		next := w.clock().Add(time.Duration(1+w.rng.IntN(36)) * time.Hour)
		end, who := w.nextArrivalEnd()
		if !end.IsZero() && !end.After(next) {
			w.now.Store(end.UnixNano())
			w.f.transitions++
			if w.rng.IntN(2) == 0 {
				// Offline at the instant: her cached yellow is past
				// its valid_until.
				w.probeOffline(ctx)
			}
			w.probeOnline(ctx, []*person{who})
		} else {
			w.now.Store(next.UnixNano())
		}
		if w.rng.IntN(2) == 0 {
			w.probeOffline(ctx)
		}
		if t.Failed() {
			t.Logf("seed %d failed at step %d, %v", seed, step, w.clock())
			break
		}
	}
	return w.f
}

// nextArrivalEnd is the earliest instant after now at which an arrival's
// yellow ends by the rules in force, and whose.
func (w *world) nextArrivalEnd() (time.Time, *person) {
	var end time.Time
	var who *person
	now := w.clock()
	for _, p := range w.people {
		for _, e := range p.events {
			if e.Kind != rules.ArrivalKeyArea {
				continue
			}
			if at := e.At.Add(w.rules.ArrivalYellow); at.After(now) && (end.IsZero() || at.Before(end)) {
				end, who = at, p
			}
		}
	}
	return end, who
}

// probeOnline asks every online channel about each of the people, with
// the clock standing still, and requires the truth from each.
func (w *world) probeOnline(ctx context.Context, people []*person) {
	w.offline.Store(false)
	now := w.clock()
	for _, p := range people {
		want := w.truth(p, now)
		r := flow.Resident{Name: p.name, Number: p.id}
		got := map[string]healthcode.Status{}
		api, err := w.svc.StatusFor(ctx, p.id)
		if err != nil {
			w.t.Fatal(err)
		}
		got["status API"] = healthcode.Status{Source: healthcode.SourceLive, Colour: api.Status.Colour, AsOf: api.Status.AsOf}
		w.askKiosk(ctx, r, got)
		tk, err := w.back.PaperCode(ctx, r)
		if err != nil {
			w.t.Fatal(err)
		}
		got["paper code"] = tk.Status
		if err := w.back.Printed(ctx, tk); err != nil {
			w.t.Fatal(err)
		}
		p.qr = tk.QR
		paper, err := w.back.CheckCode(ctx, p.qr)
		if err != nil {
			w.t.Fatalf("venue paper check of a code just printed: %v", err)
		}
		got["venue paper"] = paper.Status
		for ch, s := range got {
			w.f.online++
			if s.Source != healthcode.SourceLive || s.Colour != want.Colour {
				w.f.disagree++
				w.t.Errorf("%v: %s says %s %q, the truth is %q (%s)", now, ch, s.Source, s.Colour, want.Colour, want.Reason)
			}
			if s.Colour == healthcode.Green && want.Colour != healthcode.Green {
				w.f.staleGreen++
			}
			if s.AsOf.After(p.newest) {
				p.newest = s.AsOf
			}
		}
	}
	// The call list after a sync: the colour now of everyone on it.
	if err := w.eng.SyncOnce(ctx); err != nil {
		w.t.Fatal(err)
	}
	d, err := w.counter.Dashboard(ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, c := range d.Calls {
		for _, p := range w.people {
			if p.id.Masked() != c.MaskedID {
				continue
			}
			w.f.online++
			if want := w.truth(p, now); c.Current != want.Colour {
				w.f.disagree++
				w.t.Errorf("%v: the call list says %q now for %s, the truth is %q", now, c.Current, c.MaskedID, want.Colour)
			}
		}
	}
}

// probeOffline cuts the network and asks the kiosk's offline channels
// about everyone.
func (w *world) probeOffline(ctx context.Context) {
	w.offline.Store(true)
	defer w.offline.Store(false)
	now := w.clock()
	for _, p := range w.people {
		r := flow.Resident{Name: p.name, Number: p.id}
		got := map[string]healthcode.Status{}
		w.askKiosk(ctx, r, got)
		for ch, s := range got {
			w.checkOffline(p, ch, s, now, true)
		}
		if p.qr != "" {
			paper, err := w.back.CheckCode(ctx, p.qr)
			if err != nil {
				w.t.Fatalf("venue paper check offline: %v", err)
			}
			w.checkOffline(p, "venue paper (claim)", paper.Status, now, false)
		}
	}
}

// askKiosk puts into got what the kiosk's sync engine and its venue check
// of her card say of r, online or off.
func (w *world) askKiosk(ctx context.Context, r flow.Resident, got map[string]healthcode.Status) {
	ans, err := w.eng.Status(ctx, r.Number)
	if err != nil {
		w.t.Fatal(err)
	}
	got["engine"] = ans.Status()
	card, err := w.back.CardStatus(ctx, r)
	if err != nil {
		w.t.Fatal(err)
	}
	got["venue card"] = card.Status
}

// checkOffline judges one offline answer. bounded is the kiosk's own
// cache, held to its freshness bound and to the newest answer it had; a
// paper code's claim (not bounded) is as of its printing and trusted for
// the token's freshness bound, and since format 2 it carries the
// valid_until it was printed with, so it too must be the truth while
// nothing changed since its as-of.
func (w *world) checkOffline(p *person, ch string, s healthcode.Status, now time.Time, bounded bool) {
	w.f.offline++
	if !s.HasColour() {
		return
	}
	w.f.offColour++
	if s.Source != healthcode.SourceCached {
		w.t.Errorf("%v: offline, %s answers %s", now, ch, s.Source)
	}
	fresh := syncer.DefaultFreshness
	if !bounded {
		fresh = token.DefaultStatusFreshness
	}
	if !s.ValidUntil.IsZero() && !now.Before(s.ValidUntil) || !now.Before(s.AsOf.Add(fresh)) || s.Expired(now) {
		w.f.pastBound++
		w.t.Errorf("%v: offline, %s shows %q as of %v past its bound (valid until %v)", now, ch, s.Colour, s.AsOf, s.ValidUntil)
	}
	if bounded && s.AsOf.Before(p.newest) {
		w.f.notNewest++
		w.t.Errorf("%v: offline, %s shows %q as of %v; the kiosk had an answer as of %v", now, ch, s.Colour, s.AsOf, p.newest)
	}
	truth := w.truth(p, now)
	// A change at the very instant of the answer may have come after it.
	unchanged := p.changedAt.Before(s.AsOf) && w.ruledAt.Before(s.AsOf)
	switch {
	case unchanged && bounded && s.Colour != truth.Colour:
		w.f.wrongCached++
		w.t.Errorf("%v: offline, %s shows %q as of %v until %v; nothing changed since and the truth is %q (%s, rules %s since %v, events %v)",
			now, ch, s.Colour, s.AsOf, s.ValidUntil, truth.Colour, truth.Reason, w.rules.Version, w.ruledAt, p.events)
	case unchanged && !bounded && s.Colour != truth.Colour:
		w.f.claimPast++
		w.t.Errorf("%v: offline, %s shows %q as of %v until %v; nothing changed since and the truth is %q",
			now, ch, s.Colour, s.AsOf, s.ValidUntil, truth.Colour)
	}
	if s.Colour == healthcode.Green && truth.Colour != healthcode.Green && unchanged {
		w.f.staleGreen++
		w.t.Errorf("%v: offline, %s shows a stale green as of %v; the truth is %q", now, ch, s.AsOf, truth.Colour)
	}
}

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

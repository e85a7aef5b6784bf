package rules

// The implementation of Evaluate before it was made allocation-free, kept
// verbatim (renamed) as the oracle of a differential test and as the
// baseline of BenchmarkEvaluateReference.

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/healthcode"
)

// Evaluate computes the status at now. It is deterministic: the same rules,
// events (in any order) and now always give the same Status. Events are
// taken in (At, Seq) order; an event whose At is after now has no effect
// on the colour, reason or version (it takes effect at its At), but it can
// bring ValidUntil forward. Events of a kind no state mentions count in
// Version and change nothing else.
//
// Evaluate assumes r has passed Validate; with rules that have not, it
// still gives a deterministic answer but not necessarily a sensible one.
func evaluateRef(r Rules, events []Event, now time.Time) Status {
	evs := slices.Clone(events)
	slices.SortStableFunc(evs, func(a, b Event) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	m := newRefMachine(r)

	var version uint64
	i := 0
	for ; i < len(evs) && !evs[i].At.After(now); i++ {
		e := evs[i]
		version++
		for _, s := range m.starts[e.Kind] {
			if d := r.States[s].Duration; d > 0 && !e.At.Add(d).After(now) {
				version++
			}
		}
		m.apply(e)
	}
	st := Status{AsOf: now, Version: version}
	st.Colour, st.Reason = m.colour(now)
	if i == 0 {
		st.Reason = ReasonNoEvents
	}

	// The colour can change only at an event's At or at a timed state's
	// end, so those instants after now are the only candidates.
	var cands []time.Time
	for _, e := range evs {
		if e.At.After(now) {
			cands = append(cands, e.At)
		}
		for _, s := range m.starts[e.Kind] {
			if d := r.States[s].Duration; d > 0 {
				if end := e.At.Add(d); end.After(now) {
					cands = append(cands, end)
				}
			}
		}
	}
	slices.SortFunc(cands, time.Time.Compare)
	cands = slices.CompactFunc(cands, time.Time.Equal)
	for _, t := range cands {
		for ; i < len(evs) && !evs[i].At.After(t); i++ {
			m.apply(evs[i])
		}
		if c, _ := m.colour(t); c != st.Colour {
			st.ValidUntil = t
			break
		}
	}
	return st
}

// refMachine holds which states hold after the events applied so far.
type refMachine struct {
	r        Rules
	rank     []int // precedence rank of each state's colour, 0 strongest
	starts   map[EventKind][]int
	ends     map[EventKind][]int
	active   []bool
	deadline []time.Time // zero: no scheduled end
}

func newRefMachine(r Rules) *refMachine {
	m := &refMachine{
		r:        r,
		rank:     make([]int, len(r.States)),
		starts:   make(map[EventKind][]int),
		ends:     make(map[EventKind][]int),
		active:   make([]bool, len(r.States)),
		deadline: make([]time.Time, len(r.States)),
	}
	for i, s := range r.States {
		m.rank[i] = slices.Index(r.Precedence, s.Colour)
		if m.rank[i] < 0 {
			m.rank[i] = len(r.Precedence)
		}
		for _, k := range s.Start {
			m.starts[k] = append(m.starts[k], i)
		}
		for _, k := range s.End {
			m.ends[k] = append(m.ends[k], i)
		}
	}
	return m
}

func (m *refMachine) apply(e Event) {
	for _, s := range m.ends[e.Kind] {
		m.active[s] = false
		m.deadline[s] = time.Time{}
	}
	for _, s := range m.starts[e.Kind] {
		m.active[s] = true
		m.deadline[s] = time.Time{}
		if d := m.r.States[s].Duration; d > 0 {
			m.deadline[s] = e.At.Add(d)
		}
	}
}

// colour gives the colour and reason at t, which must not be before the
// last applied event.
func (m *refMachine) colour(t time.Time) (healthcode.Colour, string) {
	best := -1
	for i := range m.active {
		if !m.active[i] || (!m.deadline[i].IsZero() && !t.Before(m.deadline[i])) {
			continue
		}
		if best < 0 || m.rank[i] < m.rank[best] {
			best = i
		}
	}
	if best < 0 {
		return healthcode.Green, ReasonClear
	}
	return m.r.States[best].Colour, m.r.States[best].Reason
}

// randomRules builds rules that need not pass Validate: Evaluate must give
// the same answer as the reference for those too (duplicate kinds in Start,
// kinds that both start and end, more states than the stack buffers).
func randomRules(rng *rand.Rand) Rules {
	r := Default()
	if rng.IntN(3) == 0 {
		return r
	}
	kinds := func() []EventKind {
		var ks []EventKind
		for range rng.IntN(4) {
			ks = append(ks, EventKinds[rng.IntN(len(EventKinds))])
		}
		return ks
	}
	colours := []healthcode.Colour{healthcode.Red, healthcode.Yellow, healthcode.Green, "blue"}
	r.States = nil
	for i := range 1 + rng.IntN(20) {
		s := State{Reason: fmt.Sprintf("s%d", i), Colour: colours[rng.IntN(len(colours))], Start: kinds(), End: kinds()}
		if rng.IntN(2) == 0 {
			s.Duration = time.Duration(rng.IntN(30*24)) * time.Hour
		}
		r.States = append(r.States, s)
	}
	if rng.IntN(4) == 0 {
		r.Precedence = []healthcode.Colour{healthcode.Yellow, healthcode.Red}
	}
	return r
}

func randomEventsN(rng *rand.Rand, n int) []Event {
	base := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	evs := make([]Event, n)
	for i := range evs {
		// Coarse instants so that equal At values (ties broken by Seq)
		// are common.
		evs[i] = Event{Seq: int64(rng.IntN(n + 1)), Kind: EventKinds[rng.IntN(len(EventKinds))],
			At: base.Add(time.Duration(rng.IntN(40)) * 24 * time.Hour)}
	}
	return evs
}

func TestEvaluateMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	base := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := range 4000 {
		r := randomRules(rng)
		evs := randomEventsN(rng, rng.IntN(40))
		now := base.Add(time.Duration(rng.IntN(50*24)) * time.Hour)
		got, want := Evaluate(r, evs, now), evaluateRef(r, evs, now)
		if got != want {
			t.Fatalf("case %d: Evaluate = %+v, reference = %+v\nrules %+v\nevents %+v\nnow %v", i, got, want, r, evs, now)
		}
	}
}

// BenchmarkEvaluateReference is BenchmarkEvaluate's inputs through the
// old implementation, for a before/after comparison in one run.
func BenchmarkEvaluateReference(b *testing.B) {
	benchEvaluate(b, evaluateRef)
}

// BenchmarkEvaluateCurrent is the same through Evaluate.
func BenchmarkEvaluateCurrent(b *testing.B) {
	benchEvaluate(b, Evaluate)
}

func benchEvaluate(b *testing.B, eval func(Rules, []Event, time.Time) Status) {
	r := Default()
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for _, n := range []int{3, 20, 100} {
		rng := rand.New(rand.NewPCG(uint64(n), 1))
		events := make([]Event, n)
		for i := range events {
			events[i] = Event{Seq: int64(i + 1), Kind: EventKinds[rng.IntN(len(EventKinds))], At: t0.Add(time.Duration(rng.IntN(60*24)) * time.Hour)}
		}
		b.Run(fmt.Sprintf("%devents", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				eval(r, events, t0.Add(30*24*time.Hour))
			}
		})
	}
}

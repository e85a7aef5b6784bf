package rules

import (
	"cmp"
	"slices"
	"time"
)

// Status is the answer Evaluate gives for one resident at one instant.
type Status struct {
	Colour Colour `json:"colour"`
	// Reason is a stable machine code: ReasonNoEvents, ReasonClear or the
	// Reason of the state that gave the colour.
	Reason string `json:"reason"`
	// AsOf is the instant the status was computed for.
	AsOf time.Time `json:"as_of"`
	// ValidUntil is the first instant after AsOf at which the colour is
	// different, by a timed state running out or by an event already
	// recorded with a later At; zero when no change is scheduled. The
	// colour is the same at every instant in [AsOf, ValidUntil).
	ValidUntil time.Time `json:"valid_until,omitzero"`
	// Version counts the events with At <= AsOf plus the scheduled ends
	// (At+Duration of every timed start) at or before AsOf. It never goes
	// down as time passes or as events are recorded, and it goes up
	// whenever the answer can change, so a cache can compare versions.
	Version uint64 `json:"version"`
}

// Evaluate computes the status at now. It is deterministic: the same rules,
// events (in any order) and now always give the same Status. Events are
// taken in (At, Seq) order; an event whose At is after now has no effect
// on the colour, reason or version (it takes effect at its At), but it can
// bring ValidUntil forward. Events of a kind no state mentions count in
// Version and change nothing else.
//
// Evaluate assumes r has passed Validate; with rules that have not, it
// still gives a deterministic answer but not necessarily a sensible one.
func Evaluate(r Rules, events []Event, now time.Time) Status {
	evs := slices.Clone(events)
	slices.SortStableFunc(evs, func(a, b Event) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	m := newMachine(r)

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

// machine holds which states hold after the events applied so far.
type machine struct {
	r        Rules
	rank     []int // precedence rank of each state's colour, 0 strongest
	starts   map[EventKind][]int
	ends     map[EventKind][]int
	active   []bool
	deadline []time.Time // zero: no scheduled end
}

func newMachine(r Rules) *machine {
	m := &machine{
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

func (m *machine) apply(e Event) {
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
func (m *machine) colour(t time.Time) (Colour, string) {
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
		return Green, ReasonClear
	}
	return m.r.States[best].Colour, m.r.States[best].Reason
}

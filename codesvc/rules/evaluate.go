package rules

import (
	"cmp"
	"slices"
	"time"

	"github.com/shcommunity/kiosk/healthcode"
)

// Status is the answer Evaluate gives for one resident at one instant.
type Status struct {
	Colour healthcode.Colour `json:"colour"`
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

// Sizes up to which Evaluate works in fixed arrays on the stack. A resident
// has a handful of events and the rules a handful of states, so the status
// lookup allocates nothing here; larger inputs take the same code on the
// heap.
const (
	smallEvents = 16
	smallStates = 16
	smallCands  = 32
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
//
// Length: it keeps its working arrays in its own stack frame, so that a
// status look-up allocates nothing; in helper functions they would move
// to the heap (BenchmarkEvaluate shows 0 allocations).
func Evaluate(r Rules, events []Event, now time.Time) Status {
	var evBuf [smallEvents]Event
	var evs []Event
	if len(events) <= smallEvents {
		evs = evBuf[:len(events)]
		copy(evs, events)
	} else {
		evs = slices.Clone(events)
	}
	sortEvents(evs)

	// The machine's slices live in arrays of this frame (a method that
	// pointed the machine into itself would move it to the heap).
	var (
		rankBuf     [smallStates]int
		activeBuf   [smallStates]bool
		deadlineBuf [smallStates]time.Time
	)
	m := machine{r: &r}
	if n := len(r.States); n <= smallStates {
		m.rank, m.active, m.deadline = rankBuf[:n], activeBuf[:n], deadlineBuf[:n]
	} else {
		m.rank, m.active, m.deadline = make([]int, n), make([]bool, n), make([]time.Time, n)
	}
	m.rankStates()

	var version uint64
	i := 0
	for ; i < len(evs) && !evs[i].At.After(now); i++ {
		e := &evs[i]
		version++
		// One count per (state, Start entry) naming the kind, as the
		// scheduled ends are counted per start.
		for s := range r.States {
			st := &r.States[s]
			if st.Duration <= 0 {
				continue
			}
			for _, k := range st.Start {
				if k == e.Kind && !e.At.Add(st.Duration).After(now) {
					version++
				}
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
	var candBuf [smallCands]time.Time
	cands := candBuf[:0]
	for j := range evs {
		e := &evs[j]
		if e.At.After(now) {
			cands = append(cands, e.At)
		}
		for s := range r.States {
			d := r.States[s].Duration
			if d <= 0 {
				continue
			}
			for _, k := range r.States[s].Start {
				if k == e.Kind {
					if end := e.At.Add(d); end.After(now) {
						cands = append(cands, end)
					}
				}
			}
		}
	}
	if len(cands) > 1 {
		sortTimes(cands)
		cands = slices.CompactFunc(cands, time.Time.Equal)
	}
	for _, t := range cands {
		for ; i < len(evs) && !evs[i].At.After(t); i++ {
			m.apply(&evs[i])
		}
		if c, _ := m.colour(t); c != st.Colour {
			st.ValidUntil = t
			break
		}
	}
	return st
}

func eventLess(a, b *Event) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	return cmp.Compare(a.Seq, b.Seq)
}

// sortEvents orders evs by (At, Seq), stably: an insertion sort for the
// few events of one resident (no allocation), the library's stable sort
// beyond that.
func sortEvents(evs []Event) {
	if len(evs) > smallEvents {
		slices.SortStableFunc(evs, func(a, b Event) int { return eventLess(&a, &b) })
		return
	}
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && eventLess(&evs[j], &evs[j-1]) < 0; j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
}

// sortTimes sorts ts ascending; equal instants are interchangeable here
// because they are compacted right after.
func sortTimes(ts []time.Time) {
	if len(ts) > smallCands {
		slices.SortFunc(ts, time.Time.Compare)
		return
	}
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Before(ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

// machine holds which states hold after the events applied so far. It
// finds the states an event starts or ends by scanning the rules (a few
// states with a few kinds each), which is cheaper than building an index
// per call.
type machine struct {
	r        *Rules
	rank     []int // precedence rank of each state's colour, 0 strongest
	active   []bool
	deadline []time.Time // zero: no scheduled end
}

// rankStates fills rank from the precedence.
func (m *machine) rankStates() {
	r := m.r
	for i := range r.States {
		m.rank[i] = slices.Index(r.Precedence, r.States[i].Colour)
		if m.rank[i] < 0 {
			m.rank[i] = len(r.Precedence)
		}
	}
}

func (m *machine) apply(e *Event) {
	for s := range m.r.States {
		if slices.Contains(m.r.States[s].End, e.Kind) {
			m.active[s] = false
			m.deadline[s] = time.Time{}
		}
	}
	for s := range m.r.States {
		st := &m.r.States[s]
		if slices.Contains(st.Start, e.Kind) {
			m.active[s] = true
			m.deadline[s] = time.Time{}
			if st.Duration > 0 {
				m.deadline[s] = e.At.Add(st.Duration)
			}
		}
	}
}

// colour gives the colour and reason at t, which must not be before the
// last applied event.
func (m *machine) colour(t time.Time) (healthcode.Colour, string) {
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

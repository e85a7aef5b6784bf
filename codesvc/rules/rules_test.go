package rules_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/internal/golden"
)

var update = flag.Bool("update", false, "rewrite golden files")

var (
	t0   = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	day  = 24 * time.Hour
	d14  = 14 * day
	defR = rules.Default()
)

func at(d time.Duration) time.Time { return t0.Add(d) }

// ev builds events with Seq in the order given.
func ev(pairs ...any) []rules.Event {
	var out []rules.Event
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, rules.Event{Seq: int64(i/2 + 1), Kind: pairs[i].(rules.EventKind), At: at(pairs[i+1].(time.Duration))})
	}
	return out
}

func TestEvaluate(t *testing.T) {
	negativeEndsSuspected := rules.Default()
	negativeEndsSuspected.Version = "test-negative"
	negativeEndsSuspected.States[1].End = append(negativeEndsSuspected.States[1].End, rules.TestNegative)

	tests := []struct {
		name       string
		r          rules.Rules
		events     []rules.Event
		now        time.Duration
		colour     healthcode.Colour
		reason     string
		validUntil time.Duration // 0: none scheduled
		version    uint64
	}{
		{"nothing recorded", defR, nil, 0, healthcode.Green, rules.ReasonNoEvents, 0, 0},
		{"arrival: yellow at once", defR, ev(rules.ArrivalKeyArea, time.Duration(0)), 0, healthcode.Yellow, rules.ReasonArrivalKeyArea, d14, 1},
		{"arrival: 13 days 23:59:59", defR, ev(rules.ArrivalKeyArea, time.Duration(0)), d14 - time.Second, healthcode.Yellow, rules.ReasonArrivalKeyArea, d14, 1},
		{"arrival: 14 days minus 1ns", defR, ev(rules.ArrivalKeyArea, time.Duration(0)), d14 - 1, healthcode.Yellow, rules.ReasonArrivalKeyArea, d14, 1},
		{"arrival: exactly 14 days", defR, ev(rules.ArrivalKeyArea, time.Duration(0)), d14, healthcode.Green, rules.ReasonClear, 0, 2},
		{"arrival: 15 days (the article's bug)", defR, ev(rules.ArrivalKeyArea, time.Duration(0)), 15 * day, healthcode.Green, rules.ReasonClear, 0, 2},
		{"second arrival restarts the 14 days", defR, ev(rules.ArrivalKeyArea, time.Duration(0), rules.ArrivalKeyArea, 10*day), d14, healthcode.Yellow, rules.ReasonArrivalKeyArea, 24 * day, 3},
		{"second arrival, old end crossed", defR, ev(rules.ArrivalKeyArea, time.Duration(0), rules.ArrivalKeyArea, 10*day), 24 * day, healthcode.Green, rules.ReasonClear, 0, 4},
		{"close contact holds until ended", defR, ev(rules.CloseContactStart, time.Duration(0)), 100 * day, healthcode.Yellow, rules.ReasonCloseContact, 0, 1},
		{"close contact ended", defR, ev(rules.CloseContactStart, time.Duration(0), rules.CloseContactEnd, 3*day), 3 * day, healthcode.Green, rules.ReasonClear, 0, 2},
		{"confirmed: red until release", defR, ev(rules.Confirmed, time.Duration(0)), 30 * day, healthcode.Red, rules.ReasonConfirmed, 0, 1},
		{"positive test is confirmed", defR, ev(rules.TestPositive, time.Duration(0)), day, healthcode.Red, rules.ReasonConfirmed, 0, 1},
		{"medical management", defR, ev(rules.MedicalStart, time.Duration(0)), day, healthcode.Red, rules.ReasonMedicalManagement, 0, 1},
		{"release ends confirmed and medical", defR, ev(rules.Confirmed, time.Duration(0), rules.MedicalStart, day, rules.MedicalRelease, 9*day), 9 * day, healthcode.Green, rules.ReasonClear, 0, 3},
		{"suspected, negative test does not clear by default", defR, ev(rules.Suspected, time.Duration(0), rules.TestNegative, day), 2 * day, healthcode.Red, rules.ReasonSuspected, 0, 2},
		{"suspected, negative test clears when the rules say so", negativeEndsSuspected, ev(rules.Suspected, time.Duration(0), rules.TestNegative, day), 2 * day, healthcode.Green, rules.ReasonClear, 0, 2},
		{"yellow inside red: red wins", defR, ev(rules.ArrivalKeyArea, time.Duration(0), rules.Confirmed, 2*day), 3 * day, healthcode.Red, rules.ReasonConfirmed, 0, 2},
		{"yellow inside red: yellow again after release", defR, ev(rules.ArrivalKeyArea, time.Duration(0), rules.Confirmed, 2*day, rules.MedicalRelease, 5*day), 5 * day, healthcode.Yellow, rules.ReasonArrivalKeyArea, d14, 3},
		{"yellow inside red: yellow ran out during red", defR, ev(rules.ArrivalKeyArea, time.Duration(0), rules.Confirmed, 2*day, rules.MedicalRelease, 20*day), 20 * day, healthcode.Green, rules.ReasonClear, 0, 4},
		{"two yellows: the first in the table gives the reason", defR, ev(rules.ArrivalKeyArea, time.Duration(0), rules.CloseContactStart, day), 2 * day, healthcode.Yellow, rules.ReasonCloseContact, 0, 2},
		{"close contact outlasts arrival", defR, ev(rules.ArrivalKeyArea, time.Duration(0), rules.CloseContactStart, day), 15 * day, healthcode.Yellow, rules.ReasonCloseContact, 0, 3},
		{"arrival outlasts close contact", defR, ev(rules.ArrivalKeyArea, time.Duration(0), rules.CloseContactStart, day, rules.CloseContactEnd, 2*day), 3 * day, healthcode.Yellow, rules.ReasonArrivalKeyArea, d14, 3},
		{"out of order: a late report of an earlier confirmation", defR, []rules.Event{
			{Seq: 1, Kind: rules.MedicalRelease, At: at(5 * day)},
			{Seq: 2, Kind: rules.Confirmed, At: at(3 * day)},
		}, 6 * day, healthcode.Green, rules.ReasonClear, 0, 2},
		{"out of order: a late report of a later confirmation", defR, []rules.Event{
			{Seq: 1, Kind: rules.Confirmed, At: at(5 * day)},
			{Seq: 2, Kind: rules.MedicalRelease, At: at(3 * day)},
		}, 6 * day, healthcode.Red, rules.ReasonConfirmed, 0, 2},
		{"same instant: Seq decides", defR, []rules.Event{
			{Seq: 2, Kind: rules.Confirmed, At: at(day)},
			{Seq: 1, Kind: rules.MedicalRelease, At: at(day)},
		}, day, healthcode.Red, rules.ReasonConfirmed, 0, 2},
		{"future event ignored, but ValidUntil is its time", defR, ev(rules.Confirmed, 5*day), day, healthcode.Green, rules.ReasonNoEvents, 5 * day, 0},
		{"future event counts at its At", defR, ev(rules.Confirmed, 5*day), 5 * day, healthcode.Red, rules.ReasonConfirmed, 0, 1},
		{"future event that changes nothing", defR, ev(rules.ArrivalKeyArea, time.Duration(0), rules.CloseContactEnd, day), 0, healthcode.Yellow, rules.ReasonArrivalKeyArea, d14, 1},
		{"future release ends red", defR, ev(rules.Confirmed, time.Duration(0), rules.MedicalRelease, 7*day), day, healthcode.Red, rules.ReasonConfirmed, 7 * day, 1},
		{"unknown kind counts but changes nothing", defR, []rules.Event{{Seq: 1, Kind: "vaccinated", At: t0}}, day, healthcode.Green, rules.ReasonClear, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := at(tc.now)
			got := rules.Evaluate(tc.r, tc.events, now)
			var wantVU time.Time
			if tc.validUntil != 0 {
				wantVU = at(tc.validUntil)
			}
			if got.Colour != tc.colour || got.Reason != tc.reason || !got.ValidUntil.Equal(wantVU) ||
				got.Version != tc.version || !got.AsOf.Equal(now) {
				t.Errorf("Evaluate at +%v = {%s %s until %v v%d as of %v}\nwant {%s %s until %v v%d}",
					tc.now, got.Colour, got.Reason, got.ValidUntil, got.Version, got.AsOf,
					tc.colour, tc.reason, wantVU, tc.version)
			}
		})
	}
}

// TestEvaluateOrderIndependent: the order of the slice does not matter,
// and the slice is not modified.
func TestEvaluateOrderIndependent(t *testing.T) {
	events := ev(rules.ArrivalKeyArea, time.Duration(0), rules.Suspected, day, rules.CloseContactStart, 2*day,
		rules.MedicalRelease, 4*day, rules.CloseContactEnd, 5*day, rules.ArrivalKeyArea, 6*day)
	orig := slices.Clone(events)
	want := rules.Evaluate(defR, events, at(3*day))
	if !reflect.DeepEqual(events, orig) {
		t.Fatal("Evaluate reordered its argument")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		rng.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
		if got := rules.Evaluate(defR, events, at(3*day)); got != want {
			t.Fatalf("shuffled events gave %+v, want %+v", got, want)
		}
	}
}

// randomEvents makes a resident's history over about 40 days, including
// kinds at the same instant and kinds no state uses.
func randomEvents(rng *rand.Rand) []rules.Event {
	kinds := append(slices.Clone(rules.EventKinds), "other")
	n := rng.IntN(12)
	out := make([]rules.Event, n)
	for i := range out {
		// Whole hours so events and 14-day ends often coincide.
		out[i] = rules.Event{Seq: int64(i + 1), Kind: kinds[rng.IntN(len(kinds))], At: at(time.Duration(rng.IntN(40*24)) * time.Hour)}
	}
	return out
}

// checkpoints are the instants at which the colour can change (event times
// and every 14-day end), plus the instant just before each and a few days
// after the last: between two checkpoints the colour cannot change, so
// these instants cover every instant.
func checkpoints(r rules.Rules, events []rules.Event) []time.Time {
	pts := []time.Time{t0.Add(-time.Hour)}
	for _, e := range events {
		for _, c := range []time.Time{e.At, e.At.Add(r.ArrivalYellow)} {
			pts = append(pts, c, c.Add(-1), c.Add(time.Hour))
		}
	}
	slices.SortFunc(pts, time.Time.Compare)
	return slices.CompactFunc(pts, time.Time.Equal)
}

// TestValidUntilProperty: for random histories, evaluated at every
// checkpoint, the colour holds on [now, ValidUntil) and differs at
// ValidUntil; with no ValidUntil it never changes again. Because the
// checkpoints include every instant the colour can change at, "the first
// later checkpoint with another colour" is exactly when the colour changes,
// and it must equal ValidUntil. Version never goes down as time passes.
func TestValidUntilProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 3))
	for iter := range 300 {
		events := randomEvents(rng)
		pts := checkpoints(defR, events)
		st := make([]rules.Status, len(pts))
		for i, now := range pts {
			st[i] = rules.Evaluate(defR, events, now)
		}
		for i, s := range st {
			if i > 0 && s.Version < st[i-1].Version {
				t.Fatalf("history %d: version went from %d to %d at %v", iter, st[i-1].Version, s.Version, pts[i])
			}
			var change time.Time
			for j := i + 1; j < len(st); j++ {
				if st[j].Colour != s.Colour {
					change = pts[j]
					break
				}
			}
			if !s.ValidUntil.Equal(change) {
				t.Fatalf("history %d %v: at %v colour %s, ValidUntil %v, but the colour changes at %v",
					iter, events, pts[i], s.Colour, s.ValidUntil, change)
			}
			if !change.IsZero() {
				if c := rules.Evaluate(defR, events, change.Add(-1)).Colour; c != s.Colour {
					t.Fatalf("history %d: colour %s one nanosecond before ValidUntil, want %s", iter, c, s.Colour)
				}
			}
		}
	}
}

// TestVersionChangesWithAnswer: whenever two instants (or two histories,
// one with an event recorded late) give different answers, their versions
// differ, and recording an event never lowers the version.
func TestVersionChangesWithAnswer(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for iter := range 120 {
		events := randomEvents(rng)
		late := rules.Event{Seq: 100, Kind: rules.EventKinds[rng.IntN(len(rules.EventKinds))], At: at(time.Duration(rng.IntN(40*24)) * time.Hour)}
		more := append(slices.Clone(events), late)
		for _, now := range checkpoints(defR, more) {
			a, b := rules.Evaluate(defR, events, now), rules.Evaluate(defR, more, now)
			if b.Version < a.Version {
				t.Fatalf("history %d: recording %v lowered the version %d→%d", iter, late, a.Version, b.Version)
			}
			if (a.Colour != b.Colour || a.Reason != b.Reason) && a.Version == b.Version {
				t.Fatalf("history %d at %v: answer changed %s/%s→%s/%s with version %d unchanged",
					iter, now, a.Colour, a.Reason, b.Colour, b.Reason, a.Version)
			}
		}
	}
}

func TestDefaultValid(t *testing.T) {
	if err := rules.Default().Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	if rules.Default().ArrivalYellow != 14*24*time.Hour {
		t.Errorf("ArrivalYellow = %v, want 14 days", rules.Default().ArrivalYellow)
	}
}

func TestValidateRefuses(t *testing.T) {
	tests := []struct {
		name string
		edit func(*rules.Rules)
	}{
		{"no version", func(r *rules.Rules) { r.Version = "" }},
		{"precedence short", func(r *rules.Rules) { r.Precedence = []healthcode.Colour{healthcode.Red, healthcode.Yellow} }},
		{"precedence repeated", func(r *rules.Rules) {
			r.Precedence = []healthcode.Colour{healthcode.Red, healthcode.Red, healthcode.Green}
		}},
		{"no states", func(r *rules.Rules) { r.States = nil }},
		{"bad reason", func(r *rules.Rules) { r.States[0].Reason = "Confirmed!" }},
		{"reserved reason", func(r *rules.Rules) { r.States[0].Reason = rules.ReasonNoEvents }},
		{"repeated reason", func(r *rules.Rules) { r.States[1].Reason = r.States[0].Reason }},
		{"bad colour", func(r *rules.Rules) { r.States[0].Colour = "blue" }},
		{"no start", func(r *rules.Rules) { r.States[0].Start = nil }},
		{"unknown kind", func(r *rules.Rules) { r.States[0].Start = []rules.EventKind{"vaccinated"} }},
		{"starts and ends", func(r *rules.Rules) { r.States[0].End = append(r.States[0].End, rules.Confirmed) }},
		{"never ends", func(r *rules.Rules) { r.States[0].End = nil }},
		{"negative duration", func(r *rules.Rules) { r.States[3].Duration = -time.Hour }},
		{"arrival_yellow disagrees", func(r *rules.Rules) { r.ArrivalYellow = 7 * 24 * time.Hour }},
		{"arrival_yellow without a state", func(r *rules.Rules) { r.States = r.States[:4] }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := rules.Default()
			tc.edit(&r)
			if err := r.Validate(); !errors.Is(err, rules.ErrInvalidRules) {
				t.Errorf("Validate = %v, want ErrInvalidRules", err)
			}
		})
	}
}

func TestRulesJSON(t *testing.T) {
	got, err := json.MarshalIndent(rules.Default(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	want, err := golden.Want(filepath.Join("testdata", "default_rules.json"), got, *update)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Default rules JSON changed:\n%s\nwant:\n%s", got, want)
	}
	var back rules.Rules
	if err := json.Unmarshal(want, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, rules.Default()) {
		t.Errorf("JSON round trip = %+v, want %+v", back, rules.Default())
	}
}

func FuzzRulesJSON(f *testing.F) {
	def, _ := json.Marshal(rules.Default())
	f.Add(def)
	f.Add([]byte(`{"version":"x","precedence":["red","yellow","green"],"states":[{"reason":"a","colour":"red","start":["confirmed"],"duration":"1h"}]}`))
	f.Add([]byte(`{"arrival_yellow":"bogus"}`))
	events := ev(rules.ArrivalKeyArea, time.Duration(0), rules.Confirmed, day, rules.MedicalRelease, 3*day)
	f.Fuzz(func(t *testing.T, data []byte) {
		var r rules.Rules
		if err := json.Unmarshal(data, &r); err != nil {
			return
		}
		_ = rules.Evaluate(r, events, at(2*day)) // must not panic, valid or not
		if r.Validate() != nil {
			return
		}
		again, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back rules.Rules
		if err := json.Unmarshal(again, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, r) {
			t.Fatalf("round trip changed valid rules:\n%+v\n%+v", r, back)
		}
	})
}

func BenchmarkEvaluate(b *testing.B) {
	for _, n := range []int{3, 20, 100} {
		rng := rand.New(rand.NewPCG(uint64(n), 1))
		events := make([]rules.Event, n)
		for i := range events {
			events[i] = rules.Event{Seq: int64(i + 1), Kind: rules.EventKinds[rng.IntN(len(rules.EventKinds))], At: at(time.Duration(rng.IntN(60*24)) * time.Hour)}
		}
		b.Run(fmt.Sprintf("%devents", n), func(b *testing.B) {
			for b.Loop() {
				rules.Evaluate(defR, events, at(30*day))
			}
		})
	}
}

package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shcommunity/kiosk/healthcode"
)

// EventKind names what happened to a resident. The values are stable wire
// names shared by intake, storage and the rules JSON.
type EventKind string

// The event kinds. The comments give their meaning under Default.
const (
	ArrivalKeyArea    EventKind = "arrival_key_area"    // yellow for 14 days from At; a later arrival restarts the 14 days
	CloseContactStart EventKind = "close_contact_start" // yellow while under observation
	CloseContactEnd   EventKind = "close_contact_end"   // ends the close-contact observation
	Confirmed         EventKind = "confirmed"           // red until MedicalRelease
	Suspected         EventKind = "suspected"           // red until MedicalRelease
	MedicalStart      EventKind = "medical_start"       // red while under medical management
	MedicalRelease    EventKind = "medical_release"     // ends confirmed, suspected and medical red
	TestPositive      EventKind = "test_positive"       // treated as Confirmed
	TestNegative      EventKind = "test_negative"       // ends nothing under Default; rules may let it end suspected
)

// EventKinds lists every kind this package knows, in a stable order.
var EventKinds = []EventKind{
	ArrivalKeyArea, CloseContactStart, CloseContactEnd, Confirmed, Suspected,
	MedicalStart, MedicalRelease, TestPositive, TestNegative,
}

// Valid reports whether k is a known kind.
func (k EventKind) Valid() bool { return slices.Contains(EventKinds, k) }

// Event is one recorded fact about a resident. Seq is the service's
// per-resident order of recording; it breaks ties between events with the
// same At. Events may be recorded out of order (a late report has a higher
// Seq and an earlier At): Evaluate orders them by (At, Seq).
type Event struct {
	Seq  int64     `json:"seq"`
	Kind EventKind `json:"kind"`
	At   time.Time `json:"at"`
}

// Reason codes of Status that are not state names.
const (
	ReasonNoEvents = "no_events" // green: nothing recorded up to now
	ReasonClear    = "clear"     // green: events recorded, none of them holds a state now
)

// Reason codes of the default states. A Status carries the Reason of the
// state that gave it its colour.
const (
	ReasonConfirmed         = "confirmed"
	ReasonSuspected         = "suspected"
	ReasonMedicalManagement = "medical_management"
	ReasonCloseContact      = "close_contact"
	ReasonArrivalKeyArea    = "arrival_key_area"
)

// State is one condition a resident can be in, with the colour it gives.
// A Start event makes it hold; an End event stops it. A state with a
// Duration also stops by itself Duration after its latest Start event
// (a later Start restarts the clock); a zero Duration holds until an End.
type State struct {
	Reason   string            // stable machine code, used as Status.Reason
	Colour   healthcode.Colour // the colour while the state holds
	Start    []EventKind       // events that make the state hold (again)
	End      []EventKind       // events that stop it; may be empty for a timed state
	Duration time.Duration     // 0: until an End event
}

// Rules are the data Evaluate applies. They round-trip through JSON (with
// durations written as Go duration strings such as "336h0m0s").
type Rules struct {
	// Version names this set of rules (for example "2020-02-sh"). It is
	// published with every status so a reader can tell which rules applied.
	Version string
	// ArrivalYellow is how long an arrival from a key area keeps a resident
	// yellow. It repeats the Duration of the state that ArrivalKeyArea
	// starts, so the knob changed most often sits at the top of the JSON;
	// Validate refuses rules where the two differ.
	ArrivalYellow time.Duration
	// Precedence lists the colours strongest first. When several states
	// hold, the strongest colour wins; among states of that colour the one
	// listed first in States gives the Reason.
	Precedence []healthcode.Colour
	// States are the conditions, in reason order.
	States []State
}

// Default returns the rules of the 2020 Shanghai colour semantics: red while
// confirmed (or tested positive), suspected or under medical management
// until a medical release; yellow for 14 days after an arrival from a key
// area, or while a close contact is under observation; green otherwise.
// A negative test does not end a suspected case under Default; rules that
// want that add TestNegative to the suspected state's End.
func Default() Rules {
	const fourteenDays = 14 * 24 * time.Hour
	return Rules{
		Version:       "sh-2020.1",
		ArrivalYellow: fourteenDays,
		Precedence:    []healthcode.Colour{healthcode.Red, healthcode.Yellow, healthcode.Green},
		States: []State{
			{Reason: ReasonConfirmed, Colour: healthcode.Red, Start: []EventKind{Confirmed, TestPositive}, End: []EventKind{MedicalRelease}},
			{Reason: ReasonSuspected, Colour: healthcode.Red, Start: []EventKind{Suspected}, End: []EventKind{MedicalRelease}},
			{Reason: ReasonMedicalManagement, Colour: healthcode.Red, Start: []EventKind{MedicalStart}, End: []EventKind{MedicalRelease}},
			{Reason: ReasonCloseContact, Colour: healthcode.Yellow, Start: []EventKind{CloseContactStart}, End: []EventKind{CloseContactEnd}},
			{Reason: ReasonArrivalKeyArea, Colour: healthcode.Yellow, Start: []EventKind{ArrivalKeyArea}, Duration: fourteenDays},
		},
	}
}

// ErrInvalidRules is matched (errors.Is) by every error Validate returns.
var ErrInvalidRules = errors.New("invalid rules")

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidRules, fmt.Sprintf(format, a...))
}

// Validate reports the first problem that would make Evaluate's answer
// ill-defined: a missing version, a precedence that is not the three
// colours once each, a state with an unknown colour or event kind, a
// duplicated or reserved reason, an event that both starts and ends one
// state, a negative duration, or an ArrivalYellow that disagrees with the
// state ArrivalKeyArea starts.
func (r Rules) Validate() error {
	if r.Version == "" {
		return invalid("no version")
	}
	if len(r.Precedence) != 3 || !slices.Contains(r.Precedence, healthcode.Red) ||
		!slices.Contains(r.Precedence, healthcode.Yellow) || !slices.Contains(r.Precedence, healthcode.Green) {
		return invalid("precedence %v is not red, yellow and green once each", r.Precedence)
	}
	if len(r.States) == 0 {
		return invalid("no states")
	}
	seen := make(map[string]bool, len(r.States))
	arrivalStates := 0
	for i, s := range r.States {
		if !validReason(s.Reason) {
			return invalid("state %d: reason %q is not a lower-case code", i, s.Reason)
		}
		if s.Reason == ReasonNoEvents || s.Reason == ReasonClear {
			return invalid("state %d: reason %q is reserved", i, s.Reason)
		}
		if seen[s.Reason] {
			return invalid("state %d: reason %q repeated", i, s.Reason)
		}
		seen[s.Reason] = true
		if !s.Colour.Valid() {
			return invalid("state %s: colour %q", s.Reason, s.Colour)
		}
		if len(s.Start) == 0 {
			return invalid("state %s: no start event", s.Reason)
		}
		if s.Duration < 0 {
			return invalid("state %s: negative duration", s.Reason)
		}
		for _, k := range append(slices.Clone(s.Start), s.End...) {
			if !k.Valid() {
				return invalid("state %s: unknown event kind %q", s.Reason, k)
			}
		}
		for _, k := range s.Start {
			if slices.Contains(s.End, k) {
				return invalid("state %s: %s both starts and ends it", s.Reason, k)
			}
		}
		if s.Duration == 0 && len(s.End) == 0 {
			return invalid("state %s: neither a duration nor an end event, so it never ends", s.Reason)
		}
		if slices.Contains(s.Start, ArrivalKeyArea) {
			arrivalStates++
			if s.Duration != r.ArrivalYellow {
				return invalid("state %s: duration %v differs from arrival_yellow %v", s.Reason, s.Duration, r.ArrivalYellow)
			}
		}
	}
	if r.ArrivalYellow < 0 {
		return invalid("negative arrival_yellow")
	}
	if arrivalStates == 0 && r.ArrivalYellow != 0 {
		return invalid("arrival_yellow set but no state starts on %s", ArrivalKeyArea)
	}
	return nil
}

func validReason(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// The JSON forms. Durations are Go duration strings so an operator can read
// and edit the file; time.Duration's own JSON form is nanoseconds.
type stateJSON struct {
	Reason   string            `json:"reason"`
	Colour   healthcode.Colour `json:"colour"`
	Start    []EventKind       `json:"start"`
	End      []EventKind       `json:"end,omitempty"`
	Duration string            `json:"duration,omitempty"`
}

type rulesJSON struct {
	Version       string              `json:"version"`
	ArrivalYellow string              `json:"arrival_yellow,omitempty"`
	Precedence    []healthcode.Colour `json:"precedence"`
	States        []stateJSON         `json:"states"`
}

func durString(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

func parseDur(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	return time.ParseDuration(s)
}

// MarshalJSON writes the rules with readable durations.
func (r Rules) MarshalJSON() ([]byte, error) {
	j := rulesJSON{Version: r.Version, ArrivalYellow: durString(r.ArrivalYellow), Precedence: r.Precedence}
	for _, s := range r.States {
		j.States = append(j.States, stateJSON{
			Reason: s.Reason, Colour: s.Colour, Start: s.Start, End: s.End, Duration: durString(s.Duration),
		})
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes. It does not validate: call
// Validate before using rules read from a file.
func (r *Rules) UnmarshalJSON(data []byte) error {
	var j rulesJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	ay, err := parseDur(j.ArrivalYellow)
	if err != nil {
		return fmt.Errorf("arrival_yellow: %w", err)
	}
	out := Rules{Version: j.Version, ArrivalYellow: ay, Precedence: j.Precedence}
	for _, s := range j.States {
		d, err := parseDur(s.Duration)
		if err != nil {
			return fmt.Errorf("state %s: duration: %w", s.Reason, err)
		}
		out.States = append(out.States, State{Reason: s.Reason, Colour: s.Colour, Start: s.Start, End: s.End, Duration: d})
	}
	*r = out
	return nil
}

package healthcode

import "time"

// Source says where a status answer comes from, and so how far it may be
// trusted. Only SourceLive and SourceCached carry a colour.
type Source string

// The sources of a status answer.
const (
	// SourceLive is the service's answer just now.
	SourceLive Source = "live"
	// SourceCached is an earlier answer of the service that is still
	// inside its valid_until and the freshness bound; it is shown with
	// its as-of time.
	SourceCached Source = "cached"
	// SourcePending is an enrolment or print waiting for the network: no
	// colour, a receipt number.
	SourcePending Source = "pending"
	// SourceUnknown means no colour can be trusted: say so.
	SourceUnknown Source = "unknown"
)

// Status is a resident's colour as a kiosk may show it.
type Status struct {
	Source     Source
	Colour     Colour    // "" unless Source is live or cached
	Reason     string    // the service's stable reason code
	AsOf       time.Time // the service's time the colour was computed
	ValidUntil time.Time // zero: no change scheduled
	// ShowUntil is the service's time from which the colour may no
	// longer be shown: ValidUntil, or earlier the end of the freshness
	// bound of an answer kept since AsOf. Zero: ValidUntil alone bounds
	// it.
	ShowUntil time.Time
}

// Until is the service's time at which a colour on screen stops being
// one it may show: ShowUntil when set, else ValidUntil. Zero when nothing
// bounds it or there is no colour.
func (s Status) Until() time.Time {
	if !s.HasColour() {
		return time.Time{}
	}
	if !s.ShowUntil.IsZero() && (s.ValidUntil.IsZero() || s.ShowUntil.Before(s.ValidUntil)) {
		return s.ShowUntil
	}
	return s.ValidUntil
}

// Expired reports whether the colour may no longer be shown at now, the
// service's time: Until has come. A status without a colour never
// expires; it has nothing to take off the screen.
func (s Status) Expired(now time.Time) bool {
	u := s.Until()
	return !u.IsZero() && !now.Before(u)
}

// HasColour reports whether the status may be shown as a colour: a valid
// colour from a live or cached answer. Everything else is "unknown" on
// screen, which is how a stale green is kept off it.
func (s Status) HasColour() bool {
	return (s.Source == SourceLive || s.Source == SourceCached) && s.Colour.Valid()
}

// MinorAge is the age under which a resident is a minor for enrolment: a
// child under 16 enrols at a counter through a guardian, whose own card is
// read there and who is recorded as her proxy.
const MinorAge = 16

package idcard

import (
	"errors"
	"fmt"
	"time"

	"github.com/shcommunity/kiosk/pii"
)

// Results of Validate. A *CardError wraps one of them and still carries
// the card, so the screen can say "your card expired on …".
var (
	// ErrCardExpired: today is after the card's last valid day.
	ErrCardExpired = errors.New("idcard: card has expired")
	// ErrCardNotYetValid: today is before the card's first valid day.
	ErrCardNotYetValid = errors.New("idcard: card is not valid yet")
	// ErrInvalidCard: the card's fields contradict each other or the
	// GB 11643 rules (a forged or damaged card, or a reader fault).
	ErrInvalidCard = errors.New("idcard: card data is inconsistent")
)

// CardError is a card that was read and decoded but failed validation.
// Its message never contains personal data.
type CardError struct {
	Card  *Card
	Field string // "number", "birth", "gender", "nation", "validity"
	Err   error  // wraps ErrCardExpired, ErrCardNotYetValid or ErrInvalidCard
}

func (e *CardError) Error() string { return "idcard: card " + e.Field + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *CardError) Unwrap() error { return e.Err }

// china is the time zone of the dates printed on a card: a card expires
// at midnight in Beijing, not in UTC.
var china = time.FixedZone("CST", 8*60*60)

// Today returns the calendar day of now in China, as midnight UTC (the
// form Card's dates take).
func Today(now time.Time) time.Time {
	y, m, d := now.In(china).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Validate checks the card against the GB 11643 rules and the calendar:
//
//   - the number passes pii.ParseIDNumber (check digit, a real birth
//     date), with the length its layout needs (15 on an I card, else 18);
//   - the birth date field equals the number's;
//   - a male or female gender agrees with the parity of the 17th digit;
//   - a resident card's nation code is in the GB 3304 table;
//   - today (in China) lies within the validity; 长期 never ends, and the
//     last day printed is still valid.
//
// It returns nil or a *CardError. It stops at the first problem, with
// inconsistent data reported before validity.
func (c *Card) Validate(now time.Time) error {
	fail := func(f string, err error) error { return &CardError{Card: c, Field: f, Err: err} }
	invalid := func(f, reason string) error {
		return fail(f, fmt.Errorf("%w: %s", ErrInvalidCard, reason))
	}
	num, err := pii.ParseIDNumber(c.Number.Reveal(), now)
	if err != nil {
		return fail("number", fmt.Errorf("%w: %w", ErrInvalidCard, err))
	}
	wantLen := 18
	if c.Type == CardForeign2017 {
		wantLen = 15
	}
	if len(num) != wantLen {
		return invalid("number", fmt.Sprintf("%d characters on a %s card, want %d", len(num), c.Type, wantLen))
	}
	if len(num) == 18 {
		if b, _ := num.BirthDate(); !b.Equal(c.Birth) {
			return invalid("birth", "the birth date field differs from the number's")
		}
		if (c.Gender == GenderMale || c.Gender == GenderFemale) && Gender(num.Gender()) != c.Gender {
			return invalid("gender", "the gender field differs from the number's 17th digit")
		}
	} else if s := num.Reveal(); s[7:13] != c.Birth.Format("060102") {
		// The 2017 number is nationality (3), office (4), birth YYMMDD
		// (6), sequence (2).
		return invalid("birth", "the birth date field differs from the number's")
	}
	if c.Type == CardResident {
		if _, ok := Nations[c.Nation]; !ok {
			return invalid("nation", "not a GB 3304 code")
		}
	}
	today := Today(now)
	if today.Before(c.ValidFrom) {
		return fail("validity", fmt.Errorf("%w (valid from %s)", ErrCardNotYetValid, c.ValidFrom.Format(time.DateOnly)))
	}
	if !c.Permanent && today.After(c.ValidTo) {
		return fail("validity", fmt.Errorf("%w (valid to %s)", ErrCardExpired, c.ValidTo.Format(time.DateOnly)))
	}
	return nil
}

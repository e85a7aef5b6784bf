package ssc

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/pii"
)

// Place is an administrative division code (GB/T 2260, six digits), the
// holder's place of birth. With the birth date it narrows a person down,
// so it prints only its province (the first two digits) and logs
// redacted.
type Place string

// Reveal returns the plain code.
func (p Place) Reveal() string { return string(p) }

// String returns the province digits and asterisks: "31****".
func (p Place) String() string {
	if len(p) <= 2 {
		return strings.Repeat("*", len(p))
	}
	return string(p[:2]) + strings.Repeat("*", len(p)-2)
}

// LogValue implements slog.LogValuer.
func (p Place) LogValue() slog.Value { return slog.StringValue(pii.Redacted) }

// Format implements fmt.Formatter so that every verb stays masked.
func (p Place) Format(f fmt.State, verb rune) { fmt.Fprint(f, p.String()) }

// Card is the public data of a social-security card, decoded. Dates are
// midnight UTC of the calendar day the card holds. A Card prints masked
// and logs redacted; Reveal on the personal fields gives the plain values.
type Card struct {
	// CardNumber is the card's own number (卡号, EF05 record 07, nine
	// characters), printed on the card's back.
	CardNumber pii.IDNumber
	// Number is the social-security number (社会保障号码, EF06 record 08):
	// the holder's 18-character GB 11643 citizen number.
	Number pii.IDNumber
	Name   pii.Name
	Gender idcard.Gender
	// Nation is the two-digit GB 3304 code; NationName gives the word.
	Nation     string
	BirthPlace Place
	Birth      time.Time
	// IssuedOn and ValidTo come from EF05 records 05 and 06, whose
	// positions no card has confirmed to this package
	// (docs/ssc-card.md, "What is not confirmed"). Each is zero when the
	// card did not give a date that parses: unknown, never "valid".
	IssuedOn time.Time
	ValidTo  time.Time
}

// NationName returns the word for the nation code, "" if unknown.
func (c *Card) NationName() string { return idcard.Nations[c.Nation] }

// String returns a masked one-line summary: "ssc 张*丰 3*************0019".
func (c Card) String() string {
	return "ssc " + c.Name.Masked() + " " + c.Number.Masked()
}

// Format implements fmt.Formatter: every verb prints the masked summary.
func (c Card) Format(f fmt.State, verb rune) { fmt.Fprint(f, c.String()) }

// LogValue implements slog.LogValuer: the holder redacted and the expiry
// as the card gives it.
func (c Card) LogValue() slog.Value {
	to := "unknown"
	if !c.ValidTo.IsZero() {
		to = c.ValidTo.Format(time.DateOnly)
	}
	return slog.GroupValue(
		slog.String("type", "ssc"),
		slog.String("holder", pii.Redacted),
		slog.String("validTo", to),
	)
}

// Wipe clears every field, for when the kiosk returns to its start
// screen. (Go strings cannot be overwritten in place; dropping them is
// what there is.)
func (c *Card) Wipe() { *c = Card{} }

// Expiry is what a card's expiry record says about today.
type Expiry int

// The three answers. Unknown is the answer for a card whose expiry
// record is missing or does not parse: never Valid.
const (
	ExpiryUnknown Expiry = iota
	ExpiryValid
	ExpiryExpired
)

func (e Expiry) String() string {
	switch e {
	case ExpiryValid:
		return "valid"
	case ExpiryExpired:
		return "expired"
	}
	return "unknown"
}

// Expiry says whether the card is still valid on the day of now in
// China: ExpiryUnknown when ValidTo is not known, ExpiryValid up to and
// including the last day, ExpiryExpired after it.
func (c *Card) Expiry(now time.Time) Expiry {
	switch {
	case c.ValidTo.IsZero():
		return ExpiryUnknown
	case idcard.Today(now).After(c.ValidTo):
		return ExpiryExpired
	}
	return ExpiryValid
}

// Results of Validate, wrapped in a *CardError that still carries the
// card.
var (
	// ErrInvalidCard: the fields contradict each other or the GB 11643
	// rules (a damaged or forged card).
	ErrInvalidCard = errors.New("ssc: card data is inconsistent")
	// ErrCardExpired: the expiry record is known and today is after it.
	ErrCardExpired = errors.New("ssc: card has expired")
)

// CardError is a card that was read and decoded but failed validation.
// Its message never contains personal data.
type CardError struct {
	Card  *Card
	Field string // "card number", "number", "birth", "gender", "validity"
	Err   error  // wraps ErrInvalidCard or ErrCardExpired
}

func (e *CardError) Error() string { return "ssc: card " + e.Field + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *CardError) Unwrap() error { return e.Err }

// Validate checks the card as idcard.Card.Validate checks an ID card:
//
//   - the card number is nine letters or digits;
//   - the social-security number passes pii.ParseIDNumber (18 characters,
//     the check digit, a real birth date in the past);
//   - the birth date record equals the number's;
//   - a male or female gender agrees with the parity of the 17th digit;
//   - when the expiry is known, today (in China) is not after it. An
//     unknown expiry passes: its record's position is unconfirmed
//     (docs/ssc-card.md), and a caller that needs more asks Expiry.
//
// It returns nil or a *CardError, inconsistent data before validity.
func (c *Card) Validate(now time.Time) error {
	fail := func(f string, err error) error { return &CardError{Card: c, Field: f, Err: err} }
	invalid := func(f, reason string) error {
		return fail(f, fmt.Errorf("%w: %s", ErrInvalidCard, reason))
	}
	cn := c.CardNumber.Reveal()
	if len(cn) != 9 || strings.IndexFunc(cn, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z')
	}) >= 0 {
		return invalid("card number", "not nine capital letters or digits")
	}
	num, err := pii.ParseIDNumber(c.Number.Reveal(), now)
	if err != nil {
		return fail("number", fmt.Errorf("%w: %w", ErrInvalidCard, err))
	}
	if len(num) != 18 {
		return invalid("number", fmt.Sprintf("%d characters, want 18", len(num)))
	}
	if b, _ := num.BirthDate(); !b.Equal(c.Birth) {
		return invalid("birth", "the birth date record differs from the number's")
	}
	if (c.Gender == idcard.GenderMale || c.Gender == idcard.GenderFemale) && idcard.Gender(num.Gender()) != c.Gender {
		return invalid("gender", "the gender record differs from the number's 17th digit")
	}
	if c.Expiry(now) == ExpiryExpired {
		return fail("validity", fmt.Errorf("%w (valid to %s)", ErrCardExpired, c.ValidTo.Format(time.DateOnly)))
	}
	return nil
}

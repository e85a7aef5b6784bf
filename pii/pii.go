// Package pii holds the personal data the kiosk touches (ID numbers and
// names) as types that protect themselves: they print masked, they log as
// "[redacted]", and the plain value comes out only through an explicit
// Reveal call that a reviewer can grep for.
//
// It also validates resident ID numbers by the GB 11643-1999 rules (the
// ISO 7064 MOD 11-2 check digit and an existing birth date), which the
// card reader, the code service and the kiosk all share.
package pii

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"
)

// Redacted is what a personal value shows in logs.
const Redacted = "[redacted]"

// IDNumber is a document number: an 18-character GB 11643 number (resident
// ID card, Hong Kong/Macao/Taiwan residence permit, 2023 foreign permanent
// resident card) or a 15-character 2017 foreign permanent resident number
// (three letters and twelve digits). Its String and LogValue never show it
// whole.
type IDNumber string

// Reveal returns the plain number. Call it only where the number must
// leave memory: sealing an outbox payload, a --reveal command-line flag.
func (n IDNumber) Reveal() string { return string(n) }

// String returns the masked form, so fmt and %v are safe.
func (n IDNumber) String() string { return MaskID(string(n)) }

// LogValue implements slog.LogValuer.
func (n IDNumber) LogValue() slog.Value { return slog.StringValue(Redacted) }

// Format implements fmt.Formatter so that even %#v and %q stay masked.
func (n IDNumber) Format(f fmt.State, verb rune) { fmt.Fprint(f, n.String()) }

// Masked is the form printed on paper and shown on screen: the first
// character and the last four, the rest as asterisks.
func (n IDNumber) Masked() string { return MaskID(string(n)) }

// IsForeign2017 reports whether n is a 15-character foreign permanent
// resident number (2017 card).
func (n IDNumber) IsForeign2017() bool { return len(n) == 15 }

// BirthDate returns the birth date coded in an 18-character number.
func (n IDNumber) BirthDate() (time.Time, bool) {
	if len(n) != 18 {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation("20060102", string(n[6:14]), time.UTC)
	return t, err == nil
}

// AgeAt returns the age in whole years at t of the holder of an
// 18-character number (birthdays counted on the calendar day, in China's
// time zone), and false when the number has no birth date.
func (n IDNumber) AgeAt(t time.Time) (int, bool) {
	b, ok := n.BirthDate()
	if !ok {
		return 0, false
	}
	t = t.In(time.FixedZone("CST", 8*60*60))
	age := t.Year() - b.Year()
	if t.Month() < b.Month() || t.Month() == b.Month() && t.Day() < b.Day() {
		age--
	}
	return age, true
}

// Gender returns 1 (male) or 2 (female) from the parity of the 17th
// character of an 18-character number, and 0 when it cannot tell.
func (n IDNumber) Gender() int {
	if len(n) != 18 || n[16] < '0' || n[16] > '9' {
		return 0
	}
	if (n[16]-'0')%2 == 1 {
		return 1
	}
	return 2
}

// IDErrorReason says what is wrong with an ID number.
type IDErrorReason string

// The reasons ParseIDNumber gives. They are stable: the code service uses
// them as machine-readable codes.
const (
	IDLength    IDErrorReason = "length"     // neither 18 nor 15 characters
	IDCharacter IDErrorReason = "character"  // a character that cannot be there
	IDBirthDate IDErrorReason = "birth_date" // no such date, or in the future
	IDChecksum  IDErrorReason = "checksum"   // the check digit does not match
)

// IDError is the error ParseIDNumber returns. It never contains the number.
type IDError struct {
	Reason IDErrorReason
}

func (e *IDError) Error() string {
	switch e.Reason {
	case IDLength:
		return "id number: must be 18 characters (or 15 for a 2017 foreign permanent resident card)"
	case IDCharacter:
		return "id number: invalid character"
	case IDBirthDate:
		return "id number: birth date is not a valid past date"
	case IDChecksum:
		return "id number: check digit does not match (GB 11643)"
	}
	return "id number: invalid"
}

// ErrInvalidID matches every *IDError with errors.Is.
var ErrInvalidID = errors.New("invalid id number")

// Is lets errors.Is(err, ErrInvalidID) match.
func (e *IDError) Is(target error) bool { return target == ErrInvalidID }

var weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const checkChars = "10X98765432"

// CheckDigit returns the GB 11643 check character for the first 17 digits.
func CheckDigit(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, &IDError{Reason: IDLength}
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0, &IDError{Reason: IDCharacter}
		}
		sum += int(c-'0') * weights[i]
	}
	return checkChars[sum%11], nil
}

// ParseIDNumber validates s and returns it as an IDNumber. Surrounding
// spaces are trimmed and a lower-case x check digit is upper-cased. now is
// used to refuse birth dates in the future; pass time.Now() outside tests.
func ParseIDNumber(s string, now time.Time) (IDNumber, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	switch len(s) {
	case 18:
		want, err := CheckDigit(s[:17])
		if err != nil {
			return "", err
		}
		if c := s[17]; c != 'X' && (c < '0' || c > '9') {
			return "", &IDError{Reason: IDCharacter}
		}
		birth, err := time.ParseInLocation("20060102", s[6:14], time.UTC)
		if err != nil || birth.Year() < 1880 || birth.After(now) {
			return "", &IDError{Reason: IDBirthDate}
		}
		if s[17] != want {
			return "", &IDError{Reason: IDChecksum}
		}
		return IDNumber(s), nil
	case 15:
		for i := 0; i < 15; i++ {
			c := s[i]
			if i < 3 && (c < 'A' || c > 'Z') || i >= 3 && (c < '0' || c > '9') {
				return "", &IDError{Reason: IDCharacter}
			}
		}
		return IDNumber(s), nil
	}
	return "", &IDError{Reason: IDLength}
}

// MaskID keeps the first character and the last four and replaces the rest
// with asterisks. Strings of five characters or fewer are masked whole.
func MaskID(s string) string {
	r := []rune(s)
	if len(r) <= 5 {
		return strings.Repeat("*", len(r))
	}
	return string(r[0]) + strings.Repeat("*", len(r)-5) + string(r[len(r)-4:])
}

// Name is a person's name. Like IDNumber it prints masked and logs
// redacted.
type Name string

// Reveal returns the plain name.
func (n Name) Reveal() string { return string(n) }

// String returns the masked name.
func (n Name) String() string { return MaskName(string(n)) }

// LogValue implements slog.LogValuer.
func (n Name) LogValue() slog.Value { return slog.StringValue(Redacted) }

// Format implements fmt.Formatter so that every verb stays masked.
func (n Name) Format(f fmt.State, verb rune) { fmt.Fprint(f, n.String()) }

// Masked is the form for paper and screen.
func (n Name) Masked() string { return MaskName(string(n)) }

// MaskName masks a name the way Chinese public services do: 张三 → 张*,
// 张小三 → 张*三, 欧阳小三 → 欧**三. A Latin name (it has a space or only
// ASCII letters) keeps the first letter of each word: JOHN SMITH → J*** S****.
func MaskName(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if isLatin(s) {
		words := strings.Fields(s)
		for i, w := range words {
			r := []rune(w)
			words[i] = string(r[0]) + strings.Repeat("*", len(r)-1)
		}
		return strings.Join(words, " ")
	}
	r := []rune(s)
	switch len(r) {
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

func isLatin(s string) bool {
	for _, c := range s {
		if c >= utf8.RuneSelf && c != '·' {
			return false
		}
	}
	return true
}

package ssc

import (
	"errors"
	"fmt"
)

// SW is the status word that ends a response APDU: SW1 in the high byte,
// SW2 in the low one (ISO/IEC 7816-4, "Status bytes").
type SW uint16

// The status words this package acts on (docs/ssc-card.md, "Status
// words").
const (
	SWOK             SW = 0x9000 // normal processing
	SWBlocked        SW = 0x6983 // authentication method blocked: a locked card
	SWFileNotFound   SW = 0x6A82 // file or application not found
	SWRecordNotFound SW = 0x6A83 // record not found
	SWWrongLength    SW = 0x6700 // wrong length (Lc or Le)
	SWWrongP1P2      SW = 0x6B00 // wrong parameters P1-P2
	SWInsNotSupp     SW = 0x6D00 // instruction not supported
	SWClaNotSupp     SW = 0x6E00 // class not supported
	SWNoInfo         SW = 0x6F00 // no precise diagnosis
	SWSecurity       SW = 0x6982 // security status not satisfied
	SWNotAllowed     SW = 0x6986 // command not allowed (no current EF)
	SWFuncNotSupp    SW = 0x6A81 // function not supported
)

// SW1 and SW2 are the two bytes.
func (s SW) SW1() byte { return byte(s >> 8) }

// SW2 is the low byte.
func (s SW) SW2() byte { return byte(s) }

// OK reports whether s is 9000.
func (s SW) OK() bool { return s == SWOK }

// MoreData reports whether s is 61xx: processing went well and SW2 bytes
// wait to be fetched with GET RESPONSE (00 means 256).
func (s SW) MoreData() bool { return s.SW1() == 0x61 }

// WrongLe reports whether s is 6Cxx: the Le sent was wrong and SW2 is the
// right one, to send the same command again with.
func (s SW) WrongLe() bool { return s.SW1() == 0x6C }

var swText = map[SW]string{
	SWOK:             "success",
	SWBlocked:        "authentication method blocked",
	SWFileNotFound:   "file or application not found",
	SWRecordNotFound: "record not found",
	SWWrongLength:    "wrong length",
	SWWrongP1P2:      "wrong parameters P1-P2",
	SWInsNotSupp:     "instruction not supported",
	SWClaNotSupp:     "class not supported",
	SWNoInfo:         "no precise diagnosis",
	SWSecurity:       "security status not satisfied",
	SWNotAllowed:     "command not allowed",
	SWFuncNotSupp:    "function not supported",
	0x6283:           "selected file deactivated",
	0x6581:           "memory failure",
	0x6A86:           "incorrect parameters P1-P2",
	0x6A88:           "referenced data not found",
}

// String gives the status in hex with its ISO/IEC 7816-4 meaning:
// "6A83 (record not found)".
func (s SW) String() string {
	if t, ok := swText[s]; ok {
		return fmt.Sprintf("%04X (%s)", uint16(s), t)
	}
	switch s.SW1() {
	case 0x61:
		return fmt.Sprintf("%04X (%d bytes to fetch)", uint16(s), s.SW2())
	case 0x6C:
		return fmt.Sprintf("%04X (wrong Le, %d expected)", uint16(s), s.SW2())
	case 0x63:
		if s.SW2()&0xF0 == 0xC0 {
			return fmt.Sprintf("%04X (verification failed, %d tries left)", uint16(s), s.SW2()&0x0F)
		}
	}
	return fmt.Sprintf("%04X", uint16(s))
}

// Sentinels for the failures callers act on. Every error this package
// returns for a card's answer matches at most one of ErrNotSSC, ErrLocked,
// ErrRecordMissing and ErrStatus (the last for every other status word),
// and never holds personal data.
var (
	// ErrNotSSC: the card refused the selection of the social-security
	// application; it is some other card (a bank card, a transport card).
	ErrNotSSC = errors.New("ssc: not a social-security card")
	// ErrLocked: the card answered 6983: it is blocked and must go back to
	// the social-security office.
	ErrLocked = errors.New("ssc: the card is locked")
	// ErrRecordMissing: a record the card should hold is not there (6A83,
	// or 6A82 for the file that holds it).
	ErrRecordMissing = errors.New("ssc: a record is missing on the card")
	// ErrStatus: the card answered a status word this package does not
	// expect at that step.
	ErrStatus = errors.New("ssc: unexpected status word")
)

// StatusError is a status word other than success, with the command that
// got it. errors.Is matches ErrNotSSC (a refused application selection),
// ErrLocked (6983), ErrRecordMissing (6A83, 6A82 on a record or EF) or
// ErrStatus (anything else), and a *StatusError with the same SW.
type StatusError struct {
	Cmd string // the command, as Command.String gives it
	SW  SW
	app bool // the selection of the application
}

func (e *StatusError) Error() string {
	what := "the card answered"
	switch e.kind() {
	case ErrNotSSC:
		what = "not a social-security card: the card answered"
	case ErrLocked:
		what = "the card is locked: it answered"
	case ErrRecordMissing:
		what = "a record is missing: the card answered"
	}
	return fmt.Sprintf("ssc: %s: %s %v", e.Cmd, what, e.SW)
}

// kind is the sentinel e matches.
func (e *StatusError) kind() error {
	switch {
	case e.SW == SWBlocked:
		return ErrLocked
	case e.app:
		return ErrNotSSC
	case e.SW == SWRecordNotFound || e.SW == SWFileNotFound:
		return ErrRecordMissing
	}
	return ErrStatus
}

// Is matches the sentinel of the status and any *StatusError with the
// same status word.
func (e *StatusError) Is(target error) bool {
	if t, ok := target.(*StatusError); ok {
		return t.SW == e.SW
	}
	return target == e.kind()
}

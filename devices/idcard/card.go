package idcard

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/shcommunity/kiosk/pii"
)

// CardType is the layout of the text block, from the UTF-16 character at
// offset 248 (docs/idcard-protocol.md, "The text block").
type CardType byte

// The four layouts.
const (
	CardResident    CardType = ' ' // 居民身份证: the flag is blank
	CardHMT         CardType = 'J' // 港澳台居民居住证
	CardForeign2017 CardType = 'I' // 外国人永久居留身份证, 2017 layout
	CardForeign2023 CardType = 'Y' // 外国人永久居留身份证, 2023 layout
)

// String returns the name the simulator's deck uses: resident, hmt,
// foreign2017, foreign2023.
func (t CardType) String() string {
	switch t {
	case CardResident:
		return "resident"
	case CardHMT:
		return "hmt"
	case CardForeign2017:
		return "foreign2017"
	case CardForeign2023:
		return "foreign2023"
	}
	return fmt.Sprintf("unknown(0x%02X)", byte(t))
}

// ParseCardType is the inverse of String.
func ParseCardType(s string) (CardType, error) {
	for _, t := range []CardType{CardResident, CardHMT, CardForeign2017, CardForeign2023} {
		if t.String() == s {
			return t, nil
		}
	}
	return 0, fmt.Errorf("idcard: unknown card type %q (resident, hmt, foreign2017, foreign2023)", s)
}

// Address is a postal address from a card. It is personal data: it
// prints masked (the first six characters, usually the city and
// district) and logs redacted.
type Address string

// Reveal returns the plain address.
func (a Address) Reveal() string { return string(a) }

// String returns the masked address.
func (a Address) String() string {
	r := []rune(string(a))
	if len(r) <= 6 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:6]) + "***"
}

// LogValue implements slog.LogValuer.
func (a Address) LogValue() slog.Value { return slog.StringValue(pii.Redacted) }

// Format implements fmt.Formatter so that every verb stays masked.
func (a Address) Format(f fmt.State, verb rune) { fmt.Fprint(f, a.String()) }

// Card is what a card says, decoded. Dates are midnight UTC of the
// calendar day printed on the card. Fields a layout does not have are
// empty. A Card prints masked and logs redacted; Reveal on the personal
// fields gives the plain values.
type Card struct {
	Type CardType
	// Name is the name at the start of the text block: the Chinese name
	// (resident, J, Y) or the English name (I, up to 60 characters).
	Name pii.Name
	// OtherName is the second name of foreign cards: the Chinese name on
	// an I card, the English name (up to 46 characters) on a Y card.
	OtherName pii.Name
	Gender    Gender
	// Nation is the GB 3304 code of a resident card ("01"); NationName
	// gives the word.
	Nation  string
	Birth   time.Time
	Address Address // resident and J cards
	// Number is the card number: an 18-character GB 11643 number, or the
	// 15-character number of a 2017 foreign card.
	Number    pii.IDNumber
	Authority string // 签发机关; a four-digit office code on I cards
	ValidFrom time.Time
	// ValidTo is the last day of validity; zero when Permanent.
	ValidTo   time.Time
	Permanent bool // the card says 长期

	PassNumber     pii.IDNumber // J: 通行证号码 (9 characters)
	IssueCount     string       // J: 签发次数
	Nationality    string       // I, Y: ISO 3166 alpha-3
	CardVersion    string       // I: 证件版本号
	RenewalCount   string       // Y: 换证次数
	PreviousNumber pii.IDNumber // Y: the 15-character number of the holder's 2017 card

	// AppendedAddress is the newer address from the 30 03 command, empty
	// when the card has none.
	AppendedAddress Address

	Photo       []byte // 1024 bytes of WLT, opaque
	Fingerprint []byte // 0 or 1024 bytes
}

// NationName returns the word for the nation code, "" if unknown.
func (c *Card) NationName() string { return Nations[c.Nation] }

// String returns a masked one-line summary: "resident 张*丰 3*************0019".
func (c Card) String() string {
	return c.Type.String() + " " + c.Name.Masked() + " " + c.Number.Masked()
}

// Format implements fmt.Formatter: every verb prints the masked summary,
// so %+v of a Card never shows personal data.
func (c Card) Format(f fmt.State, verb rune) { fmt.Fprint(f, c.String()) }

// LogValue implements slog.LogValuer: the card type and validity only.
func (c Card) LogValue() slog.Value {
	to := "长期"
	if !c.Permanent {
		to = c.ValidTo.Format(time.DateOnly)
	}
	return slog.GroupValue(
		slog.String("type", c.Type.String()),
		slog.String("holder", pii.Redacted),
		slog.String("validTo", to),
	)
}

// Wipe zeroes the photo and fingerprint bytes and clears every field, for
// when the kiosk returns to its start screen.
func (c *Card) Wipe() {
	clear(c.Photo)
	clear(c.Fingerprint)
	*c = Card{}
}

// field names one value of the text block.
type field int

const (
	fName field = iota
	fOtherName
	fOtherName2 // the continuation of the English name on a Y card
	fGender
	fNation
	fBirth
	fAddress
	fNumber
	fAuthority
	fFrom
	fTo
	fPass
	fIssue
	fNationality
	fVersion
	fRenewal
	fPrevious
	numFields
)

var fieldNames = [numFields]string{"name", "other name", "other name", "gender", "nation", "birth",
	"address", "number", "authority", "valid from", "valid to", "pass number", "issue count",
	"nationality", "card version", "renewal count", "previous number"}

// slot is where a field lives: a byte offset and a length in bytes.
type slot struct {
	f      field
	off, n int
}

// flagOff is the byte offset of the card type flag.
const flagOff = 248

// layouts are the tables of docs/idcard-protocol.md, "The text block".
var layouts = map[CardType][]slot{
	CardResident: {
		{fName, 0, 30}, {fGender, 30, 2}, {fNation, 32, 4}, {fBirth, 36, 16},
		{fAddress, 52, 70}, {fNumber, 122, 36}, {fAuthority, 158, 30},
		{fFrom, 188, 16}, {fTo, 204, 16},
	},
	CardHMT: {
		{fName, 0, 30}, {fGender, 30, 2}, {fBirth, 36, 16},
		{fAddress, 52, 70}, {fNumber, 122, 36}, {fAuthority, 158, 30},
		{fFrom, 188, 16}, {fTo, 204, 16}, {fPass, 220, 18}, {fIssue, 238, 4},
	},
	CardForeign2017: {
		{fName, 0, 120}, {fGender, 120, 2}, {fNumber, 122, 30}, {fNationality, 152, 6},
		{fOtherName, 158, 30}, {fFrom, 188, 16}, {fTo, 204, 16}, {fBirth, 220, 16},
		{fVersion, 236, 4}, {fAuthority, 240, 8},
	},
	// The 2023 layout comes from the reader vendors' SDK headers
	// (docs/idcard-protocol.md, "Foreign permanent resident card, 2023
	// (Y)"). Its 30 reserved bytes at 158 hold the previous 15-character
	// number here: a choice of this package that no source confirms.
	CardForeign2023: {
		{fName, 0, 30}, {fGender, 30, 2}, {fRenewal, 32, 4}, {fBirth, 36, 16},
		{fOtherName, 52, 70}, {fNumber, 122, 36}, {fPrevious, 158, 30},
		{fFrom, 188, 16}, {fTo, 204, 16}, {fOtherName2, 220, 22}, {fNationality, 242, 6},
	},
}

// Permanent is how a card writes a validity without end.
const Permanent = "长期"

// ErrBadText matches every error DecodeText and EncodeText return for a
// text block that cannot be decoded or a card that does not fit one.
var ErrBadText = errors.New("idcard: bad card text")

// TextError says which field of the text block is wrong. It never holds
// the value.
type TextError struct {
	Field  string
	Reason string
}

func (e *TextError) Error() string {
	if e.Field == "" {
		return "idcard: card text: " + e.Reason
	}
	return "idcard: card text: " + e.Field + ": " + e.Reason
}

// Is makes errors.Is(err, ErrBadText) match.
func (e *TextError) Is(target error) bool { return target == ErrBadText }

func textErr(f field, reason string) error { return &TextError{Field: fieldNames[f], Reason: reason} }

const dateLayout = "20060102"

// ucs2 decodes UTF-16LE and trims the padding (U+0020 and U+0000).
func ucs2(b []byte) string { return strings.Trim(ucs2Raw(b), " \x00") }

func ucs2Raw(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return string(utf16.Decode(u))
}

// DecodeText decodes a 256-byte text block. The photo and fingerprint are
// not part of it; the caller sets them. Decoding checks the shape of each
// field (dates are dates, codes are codes); Validate checks that they
// agree with each other and with the calendar.
func DecodeText(text []byte) (*Card, error) {
	if len(text) != TextLen {
		return nil, &TextError{Reason: fmt.Sprintf("%d bytes, want %d", len(text), TextLen)}
	}
	var t CardType
	switch flag := uint16(text[flagOff]) | uint16(text[flagOff+1])<<8; flag {
	case ' ', 0:
		t = CardResident
	case 'J', 'I', 'Y':
		t = CardType(flag)
	default:
		return nil, &TextError{Field: "type flag", Reason: fmt.Sprintf("unknown card type 0x%04X", flag)}
	}
	var v [numFields]string
	for _, s := range layouts[t] {
		v[s.f] = ucs2(text[s.off : s.off+s.n])
	}
	if t == CardForeign2023 {
		// The English name runs on from offset 52 to offset 220: join the
		// raw halves before trimming so a space at the seam survives.
		v[fOtherName] = strings.Trim(ucs2Raw(text[52:122])+ucs2Raw(text[220:242]), " \x00")
	}
	c := &Card{
		Type:           t,
		Name:           pii.Name(v[fName]),
		OtherName:      pii.Name(v[fOtherName]),
		Nation:         v[fNation],
		Address:        Address(v[fAddress]),
		Number:         pii.IDNumber(v[fNumber]),
		Authority:      v[fAuthority],
		PassNumber:     pii.IDNumber(v[fPass]),
		IssueCount:     v[fIssue],
		Nationality:    v[fNationality],
		CardVersion:    v[fVersion],
		RenewalCount:   v[fRenewal],
		PreviousNumber: pii.IDNumber(v[fPrevious]),
	}
	var ok bool
	if c.Gender, ok = ParseGender(v[fGender]); !ok {
		return nil, textErr(fGender, "not a GB/T 2261.1 code")
	}
	var err error
	if c.Birth, err = parseDate(v[fBirth]); err != nil {
		return nil, textErr(fBirth, "not a date")
	}
	if c.ValidFrom, err = parseDate(v[fFrom]); err != nil {
		return nil, textErr(fFrom, "not a date")
	}
	if v[fTo] == Permanent {
		c.Permanent = true
	} else if c.ValidTo, err = parseDate(v[fTo]); err != nil {
		return nil, textErr(fTo, "not a date or 长期")
	}
	return c, nil
}

func parseDate(s string) (time.Time, error) {
	if len(s) != len(dateLayout) {
		return time.Time{}, errors.New("not YYYYMMDD")
	}
	return time.ParseInLocation(dateLayout, s, time.UTC)
}

// EncodeText builds the 256-byte text block of c, as a card would hold
// it: the simulator serves it. A field longer than its slot or holding a
// character outside the Basic Multilingual Plane (UCS-2 has no surrogates)
// is an error matching ErrBadText.
func EncodeText(c *Card) ([]byte, error) {
	slots, ok := layouts[c.Type]
	if !ok {
		return nil, &TextError{Field: "type flag", Reason: "unknown card type"}
	}
	var v [numFields]string
	v[fName] = c.Name.Reveal()
	v[fOtherName] = c.OtherName.Reveal()
	v[fGender] = c.Gender.Code()
	v[fNation] = c.Nation
	v[fBirth] = c.Birth.Format(dateLayout)
	v[fAddress] = c.Address.Reveal()
	v[fNumber] = c.Number.Reveal()
	v[fAuthority] = c.Authority
	v[fFrom] = c.ValidFrom.Format(dateLayout)
	v[fTo] = Permanent
	if !c.Permanent {
		v[fTo] = c.ValidTo.Format(dateLayout)
	}
	v[fPass] = c.PassNumber.Reveal()
	v[fIssue] = c.IssueCount
	v[fNationality] = c.Nationality
	v[fVersion] = c.CardVersion
	v[fRenewal] = c.RenewalCount
	v[fPrevious] = c.PreviousNumber.Reveal()
	if c.Type == CardForeign2023 {
		// 35 characters at offset 52, the rest at offset 220.
		if r := []rune(v[fOtherName]); len(r) > 35 {
			v[fOtherName], v[fOtherName2] = string(r[:35]), string(r[35:])
		}
	}

	text := blankUCS2(TextLen)
	for _, s := range slots {
		if err := putUCS2(text[s.off:s.off+s.n], v[s.f]); err != nil {
			return nil, textErr(s.f, err.Error())
		}
	}
	if c.Type != CardResident {
		text[flagOff] = byte(c.Type)
	}
	return text, nil
}

// blankUCS2 returns n bytes of UTF-16LE spaces, the padding of every
// text field.
func blankUCS2(n int) []byte {
	b := make([]byte, n)
	for i := 0; i < n; i += 2 {
		b[i] = ' '
	}
	return b
}

// putUCS2 writes s into dst as UTF-16LE; dst is already space-padded.
func putUCS2(dst []byte, s string) error {
	if !utf8.ValidString(s) {
		return errors.New("not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); 2*n > len(dst) {
		return fmt.Errorf("%d characters, room for %d", n, len(dst)/2)
	}
	i := 0
	for _, r := range s {
		if r > 0xFFFF || utf16.IsSurrogate(r) {
			return errors.New("a character outside UCS-2")
		}
		dst[i], dst[i+1] = byte(r), byte(r>>8)
		i += 2
	}
	return nil
}

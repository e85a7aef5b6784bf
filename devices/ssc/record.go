package ssc

import (
	"bytes"
	"errors"
	"fmt"
	"time"
	"unicode"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// The records this package reads (docs/ssc-card.md, "Files and records").
// Each is a SIMPLE-TLV whose tag is the record's number.
const (
	RecIssued     byte = 0x05 // EF05 发卡日期, 4 bytes BCD (position unconfirmed)
	RecValidTo    byte = 0x06 // EF05 有效期, 4 bytes BCD (position unconfirmed)
	RecCardNumber byte = 0x07 // EF05 卡号, 9 characters
	RecNumber     byte = 0x08 // EF06 社会保障号码, 18 characters
	RecName       byte = 0x09 // EF06 姓名, GBK, up to 30 bytes
	RecGender     byte = 0x0A // EF06 性别, 1 byte
	RecNation     byte = 0x0B // EF06 民族, 1 byte BCD
	RecBirthPlace byte = 0x0C // EF06 出生地, 3 bytes BCD
	RecBirth      byte = 0x0D // EF06 出生日期, 4 bytes BCD
)

// The two files: EF05 (the issuer's data, short identifier 5) and EF06
// (the holder's basic data).
const (
	SFIIssuer  byte   = 5
	FileHolder uint16 = 0xEF06
)

// recordInfo is a record's name and the length of its value: exactly
// size bytes, or up to size when upTo.
type recordInfo struct {
	name string
	size int
	upTo bool
}

var records = map[byte]recordInfo{
	RecIssued:     {"issue date", 4, false},
	RecValidTo:    {"expiry", 4, false},
	RecCardNumber: {"card number", 9, false},
	RecNumber:     {"social security number", 18, false},
	RecName:       {"name", 30, true},
	RecGender:     {"gender", 1, false},
	RecNation:     {"nation", 1, false},
	RecBirthPlace: {"birth place", 3, false},
	RecBirth:      {"birth date", 4, false},
}

// recordName names a record for errors: "record 0D (birth date)".
func recordName(id byte) string {
	if r, ok := records[id]; ok {
		return fmt.Sprintf("record %02X (%s)", id, r.name)
	}
	return fmt.Sprintf("record %02X", id)
}

// ErrBadRecord matches every error for a record whose content is not what
// its place says (a wrong tag, a date that is no date, a number with
// letters). ErrNameEncoding is the one for a name that is not GBK.
var (
	ErrBadRecord    = errors.New("ssc: malformed record")
	ErrNameEncoding = errors.New("ssc: the name is not valid GBK")
)

// RecordError says what is wrong with one record. It never holds the
// record's value. It unwraps to ErrTruncated, ErrBadRecord or
// ErrNameEncoding.
type RecordError struct {
	Record byte
	Reason string
	Err    error
}

func (e *RecordError) Error() string {
	return "ssc: " + recordName(e.Record) + ": " + e.Reason
}

// Unwrap returns the sentinel.
func (e *RecordError) Unwrap() error { return e.Err }

func badRecord(id byte, format string, a ...any) error {
	return &RecordError{Record: id, Reason: fmt.Sprintf(format, a...), Err: ErrBadRecord}
}

func truncRecord(id byte, format string, a ...any) error {
	return &RecordError{Record: id, Reason: fmt.Sprintf(format, a...), Err: ErrTruncated}
}

// ParseRecord checks that data is the SIMPLE-TLV of record id (tag id, a
// length byte, the value) and returns the value, not copied. Bytes after
// the value are ignored: a card may pad its answer to the Le asked. A
// value shorter than its length byte says is ErrTruncated; a tag other
// than id, or a value whose length does not fit the record, ErrBadRecord.
func ParseRecord(id byte, data []byte) ([]byte, error) {
	if len(data) < 2 {
		return nil, truncRecord(id, "%d bytes, not even a tag and a length", len(data))
	}
	if data[0] != id {
		return nil, badRecord(id, "tag %02X", data[0])
	}
	n := int(data[1])
	if len(data)-2 < n {
		return nil, truncRecord(id, "length byte says %d, %d bytes follow", n, len(data)-2)
	}
	v := data[2 : 2+n]
	if r, ok := records[id]; ok {
		switch {
		case n < r.size && !r.upTo:
			return nil, truncRecord(id, "%d bytes, want %d", n, r.size)
		case n > r.size:
			return nil, badRecord(id, "%d bytes, want at most %d", n, r.size)
		}
	}
	return v, nil
}

// EncodeRecord builds the SIMPLE-TLV of record id: what a card answers to
// READ RECORD before its status word. The simulator serves it.
func EncodeRecord(id byte, value []byte) []byte {
	return append([]byte{id, byte(len(value))}, value...)
}

// trimPad cuts the padding at the end of a text field: spaces, zero bytes
// and FF (an unwritten byte).
func trimPad(b []byte) []byte { return bytes.TrimRight(b, " \x00\xFF") }

// decodeASCII reads a fixed text field (card number, social-security
// number): printable ASCII after the padding is cut.
func decodeASCII(id byte, v []byte) (string, error) {
	v = trimPad(v)
	for _, c := range v {
		if c < 0x21 || c > 0x7E {
			return "", badRecord(id, "a byte 0x%02X that is not a printable ASCII character", c)
		}
	}
	return string(v), nil
}

// gbk decodes GBK. x/text's decoder never fails: it puts U+FFFD for a
// byte sequence that is not GBK, which DecodeName then refuses.
var gbk = simplifiedchinese.GBK

// DecodeName reads the name record's value: GBK, padded with spaces or
// zero bytes. A byte sequence outside GBK (including 0x80, which only
// Windows code page 936 gives a meaning, and GBK's user-defined areas,
// which have no standard character) is a *RecordError matching
// ErrNameEncoding; a character that is GBK but no letter (a digit, a
// symbol, a control character; the middle dot and a space between Latin
// names are letters here), or an empty name, one matching ErrBadRecord.
func DecodeName(v []byte) (string, error) {
	v = bytes.TrimRight(v, " \x00")
	if len(v) == 0 {
		return "", &RecordError{Record: RecName, Reason: "empty", Err: ErrBadRecord}
	}
	if bytes.IndexByte(v, 0x80) >= 0 {
		return "", &RecordError{Record: RecName, Reason: "byte 0x80 is not GBK", Err: ErrNameEncoding}
	}
	s, err := gbk.NewDecoder().Bytes(v)
	if err != nil {
		return "", &RecordError{Record: RecName, Reason: "not GBK", Err: ErrNameEncoding}
	}
	for _, r := range string(s) {
		switch {
		case r == unicode.ReplacementChar:
			return "", &RecordError{Record: RecName, Reason: "a byte sequence outside GBK", Err: ErrNameEncoding}
		case !unicode.IsLetter(r) && !unicode.IsMark(r) && r != ' ' && r != '·':
			// GBK, but not a name: symbols, digits, control characters.
			return "", &RecordError{Record: RecName, Reason: fmt.Sprintf("U+%04X is not a letter of a name", r), Err: ErrBadRecord}
		}
	}
	return string(s), nil
}

// EncodeName is the inverse of DecodeName: the name in GBK, padded with
// spaces to 30 bytes. A character GBK lacks, a name longer than 30 bytes
// or one DecodeName would refuse is an error.
func EncodeName(name string) ([]byte, error) {
	b, err := gbk.NewEncoder().Bytes([]byte(name))
	if err != nil {
		return nil, fmt.Errorf("ssc: name has a character outside GBK: %w", ErrNameEncoding)
	}
	if len(b) > 30 {
		return nil, fmt.Errorf("ssc: name is %d bytes in GBK, room for 30", len(b))
	}
	if _, err := DecodeName(b); err != nil {
		return nil, err
	}
	return append(b, bytes.Repeat([]byte{' '}, 30-len(b))...), nil
}

// decodeBCD reads packed BCD digits, two to a byte, high nibble first.
// Trailing F nibbles are padding and are cut when pad is true.
func decodeBCD(v []byte, pad bool) (string, bool) {
	d := make([]byte, 0, 2*len(v))
	for _, b := range v {
		d = append(d, b>>4, b&0x0F)
	}
	if pad {
		for len(d) > 0 && d[len(d)-1] == 0x0F {
			d = d[:len(d)-1]
		}
	}
	for i, n := range d {
		if n > 9 {
			return "", false
		}
		d[i] = '0' + n
	}
	return string(d), true
}

// EncodeBCD packs a string of digits two to a byte; an odd count is
// padded with an F nibble.
func EncodeBCD(digits string) []byte {
	if len(digits)%2 == 1 {
		digits += "?"
	}
	out := make([]byte, len(digits)/2)
	nib := func(c byte) byte {
		if c >= '0' && c <= '9' {
			return c - '0'
		}
		return 0x0F
	}
	for i := range out {
		out[i] = nib(digits[2*i])<<4 | nib(digits[2*i+1])
	}
	return out
}

// DecodeDate reads four bytes of BCD as YYYYMMDD, a day at midnight UTC
// as idcard.Card's dates are. Anything else (a nibble above 9, no such
// day, all zeros, all FF) is a *RecordError matching ErrBadRecord.
func DecodeDate(id byte, v []byte) (time.Time, error) {
	s, ok := decodeBCD(v, false)
	if !ok || len(s) != 8 {
		return time.Time{}, badRecord(id, "not BCD YYYYMMDD")
	}
	t, err := time.ParseInLocation("20060102", s, time.UTC)
	if err != nil {
		return time.Time{}, badRecord(id, "no such day")
	}
	return t, nil
}

// EncodeDate is the inverse of DecodeDate.
func EncodeDate(t time.Time) []byte { return EncodeBCD(t.Format("20060102")) }

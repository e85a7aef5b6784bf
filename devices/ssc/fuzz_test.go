package ssc_test

import (
	"context"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/shcommunity/kiosk/devices/ssc"
)

func FuzzParseResponse(f *testing.F) {
	for _, s := range []string{"", "\x90", "\x90\x00", "\x61\x13", "\x07\x09D00000001\x90\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ssc.ParseResponse(b)
		if err != nil {
			if len(b) >= 2 || !errors.Is(err, ssc.ErrTruncated) {
				t.Fatalf("%X: %v", b, err)
			}
			return
		}
		if len(r.Data) != len(b)-2 || r.SW.SW1() != b[len(b)-2] || r.SW.SW2() != b[len(b)-1] {
			t.Fatalf("%X split as %X %v", b, r.Data, r.SW)
		}
		_ = r.SW.String()
	})
}

// FuzzRecords feeds any bytes to the record parser and every decoder: no
// panic, and every error is one of the package's typed ones.
func FuzzRecords(f *testing.F) {
	name, _ := ssc.EncodeName("张三丰")
	f.Add(byte(0x09), ssc.EncodeRecord(0x09, name))
	f.Add(byte(0x0D), []byte{0x0D, 0x04, 0x19, 0x48, 0x03, 0x14})
	f.Add(byte(0x06), []byte{0x06, 0x04, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add(byte(0x0A), []byte{0x0A, 0x01, '1'})
	f.Add(byte(0x07), []byte{0x07, 0x09, 'D', '0'})
	f.Fuzz(func(t *testing.T, id byte, b []byte) {
		v, err := ssc.ParseRecord(id, b)
		if err != nil {
			var re *ssc.RecordError
			if !errors.As(err, &re) || !(errors.Is(err, ssc.ErrTruncated) || errors.Is(err, ssc.ErrBadRecord)) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if len(v) > len(b) {
			t.Fatal("value longer than the record")
		}
		if s, err := ssc.DecodeName(v); err == nil {
			if !utf8.ValidString(s) || s == "" {
				t.Fatalf("name %q from %X", s, v)
			}
			// What decodes encodes and decodes back to the same name. (Not
			// always to the same bytes: GBK maps A3A0 and A1A1 both to
			// U+3000.)
			if enc, err := ssc.EncodeName(s); err == nil {
				if back, err := ssc.DecodeName(enc); err != nil || back != s {
					t.Fatalf("name %X → %q → %X → %q (%v)", v, s, enc, back, err)
				}
			}
		} else if !errors.Is(err, ssc.ErrNameEncoding) && !errors.Is(err, ssc.ErrBadRecord) {
			t.Fatalf("name error %v", err)
		}
		if d, err := ssc.DecodeDate(id, v); err == nil {
			if got := ssc.EncodeDate(d); string(got) != string(v) {
				t.Fatalf("date %X → %v → %X", v, d, got)
			}
		} else if !errors.Is(err, ssc.ErrBadRecord) {
			t.Fatalf("date error %v", err)
		}
		if _, err := ssc.DecodeGender(v); err != nil && !errors.Is(err, ssc.ErrBadRecord) {
			t.Fatalf("gender error %v", err)
		}
	})
}

// fuzzCard answers every command with the next slice of the fuzz input,
// each prefixed by its length byte.
type fuzzCard struct{ b []byte }

func (c *fuzzCard) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	if len(c.b) == 0 {
		return nil, ssc.ErrCardRemoved
	}
	n := min(int(c.b[0]), len(c.b)-1)
	r := c.b[1 : 1+n]
	c.b = c.b[1+n:]
	return r, nil
}

// FuzzReadCard runs the whole read against a card that answers anything:
// it ends, with a card or a typed error, and a card it returns valid has
// a valid number.
func FuzzReadCard(f *testing.F) {
	f.Add([]byte("\x02\x61\x13\x0d\x07\x09D00000001\x90\x00"))
	f.Add([]byte("\x02\x90\x00\x02\x6c\x0b\x02\x61\x05"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ssc.ReadCard(context.Background(), &fuzzCard{b: b}, now)
		if err == nil && c.Validate(now) != nil {
			t.Fatal("a card returned without error fails validation")
		}
		if err != nil && c != nil {
			var ce *ssc.CardError
			if !errors.As(err, &ce) {
				t.Fatalf("a card with an error that is not a *CardError: %v", err)
			}
		}
	})
}

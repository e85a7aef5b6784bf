package token_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/shcommunity/kiosk/codesvc/token"
)

// The examples of RFC 9285 §4.3 and §4.4.
var rfc9285 = []struct{ plain, encoded string }{
	{"AB", "BB8"},
	{"Hello!!", "%69 VD92EX0"},
	{"base-45", "UJCLQE7W581"},
	{"ietf!", "QED8WEX0"},
	{"", ""},
}

func TestBase45RFC9285(t *testing.T) {
	for _, tc := range rfc9285 {
		t.Run(tc.plain, func(t *testing.T) {
			if got := token.EncodeBase45([]byte(tc.plain)); got != tc.encoded {
				t.Errorf("EncodeBase45(%q) = %q, want %q", tc.plain, got, tc.encoded)
			}
			got, err := token.DecodeBase45(tc.encoded)
			if err != nil {
				t.Fatalf("DecodeBase45(%q): %v", tc.encoded, err)
			}
			if string(got) != tc.plain {
				t.Errorf("DecodeBase45(%q) = %q, want %q", tc.encoded, got, tc.plain)
			}
			if n := token.Base45Len(len(tc.plain)); n != len(tc.encoded) {
				t.Errorf("Base45Len(%d) = %d, want %d", len(tc.plain), n, len(tc.encoded))
			}
		})
	}
}

func TestBase45DecodeRefuses(t *testing.T) {
	for _, s := range []string{
		"A",         // one character over
		"BB8A",      // one character over after a group
		"GGW",       // 65536: one above the largest triple (RFC 9285 §6)
		"ZZZ",       // far above 65535
		"::",        // 44 + 44*45 = 2024 > 255 in a final pair
		"bb8",       // lower case is not in the alphabet
		"BB\x00",    // a NUL
		"BB8\n",     // a trailing newline: the caller trims, not the decoder
		"%69 VD92Ë", // a non-ASCII byte
	} {
		t.Run(s, func(t *testing.T) {
			got, err := token.DecodeBase45(s)
			if !errors.Is(err, token.ErrMalformed) {
				t.Errorf("DecodeBase45(%q) = %x, %v; want ErrMalformed", s, got, err)
			}
		})
	}
}

func TestBase45RoundTripAllPairs(t *testing.T) {
	// Every two-byte value and every single byte: the full range of both
	// group sizes.
	b := make([]byte, 0, 2*65536)
	for n := range 65536 {
		b = append(b, byte(n>>8), byte(n))
	}
	for _, in := range [][]byte{b, b[:len(b)-1], {0}, {255}} {
		enc := token.EncodeBase45(in)
		out, err := token.DecodeBase45(enc)
		if err != nil || !bytes.Equal(out, in) {
			t.Fatalf("round trip of %d bytes: err %v, equal %v", len(in), err, bytes.Equal(out, in))
		}
	}
}

func FuzzDecodeBase45(f *testing.F) {
	for _, tc := range rfc9285 {
		f.Add(tc.encoded)
	}
	f.Add("GGW")
	f.Add("FGW")
	f.Add("::")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := token.DecodeBase45(s)
		if err != nil {
			if !errors.Is(err, token.ErrMalformed) {
				t.Fatalf("DecodeBase45(%q): error %v is not ErrMalformed", s, err)
			}
			return
		}
		// Decoding is the inverse of encoding: one text per byte string.
		if enc := token.EncodeBase45(b); enc != s {
			t.Fatalf("EncodeBase45(DecodeBase45(%q)) = %q", s, enc)
		}
	})
}

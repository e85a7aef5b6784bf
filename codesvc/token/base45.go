package token

import (
	"fmt"
	"strings"
)

// base45Alphabet is the RFC 9285 alphabet: exactly the 45 characters of the
// QR code alphanumeric mode, in the order of their values.
const base45Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// base45Value maps a character to its value plus one (0: not in the
// alphabet), so the zero value of the table means "invalid".
var base45Value = func() (t [256]byte) {
	for i := range len(base45Alphabet) {
		t[base45Alphabet[i]] = byte(i + 1)
	}
	return t
}()

// EncodeBase45 encodes b as RFC 9285 base45: each two bytes become three
// characters (least significant first), a trailing byte becomes two.
func EncodeBase45(b []byte) string {
	var sb strings.Builder
	sb.Grow(Base45Len(len(b)))
	for i := 0; i+1 < len(b); i += 2 {
		n := int(b[i])<<8 | int(b[i+1])
		sb.WriteByte(base45Alphabet[n%45])
		sb.WriteByte(base45Alphabet[n/45%45])
		sb.WriteByte(base45Alphabet[n/(45*45)])
	}
	if len(b)%2 == 1 {
		n := int(b[len(b)-1])
		sb.WriteByte(base45Alphabet[n%45])
		sb.WriteByte(base45Alphabet[n/45])
	}
	return sb.String()
}

// Base45Len is the length of the base45 encoding of n bytes.
func Base45Len(n int) int { return n/2*3 + n%2*2 }

// DecodeBase45 decodes RFC 9285 base45. It refuses, as the RFC requires, a
// character outside the alphabet, a length that leaves one character over,
// and a group whose value does not fit its bytes (a triple above 65535 or a
// final pair above 255), so every byte string has exactly one encoding.
// Errors match ErrMalformed.
func DecodeBase45(s string) ([]byte, error) {
	if len(s)%3 == 1 {
		return nil, fmt.Errorf("%w: base45 length %d leaves one character over", ErrMalformed, len(s))
	}
	out := make([]byte, 0, len(s)/3*2+1)
	for i := 0; i < len(s); i += 3 {
		n, group := 0, min(3, len(s)-i)
		for j := group - 1; j >= 0; j-- {
			v := base45Value[s[i+j]]
			if v == 0 {
				return nil, fmt.Errorf("%w: base45 character at %d is not in the alphabet", ErrMalformed, i+j)
			}
			n = n*45 + int(v-1)
		}
		if group == 3 {
			if n > 0xFFFF {
				return nil, fmt.Errorf("%w: base45 group at %d is above 65535", ErrMalformed, i)
			}
			out = append(out, byte(n>>8), byte(n))
		} else {
			if n > 0xFF {
				return nil, fmt.Errorf("%w: base45 final pair is above 255", ErrMalformed)
			}
			out = append(out, byte(n))
		}
	}
	return out, nil
}

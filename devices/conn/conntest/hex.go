package conntest

import (
	"encoding/hex"
	"strings"
)

// TB is the part of testing.TB that Hex uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Hex decodes spaced hex, as the protocol notes and the transcripts write
// frames ("AA AA AA 96 69 ..."); the test fails on a typing mistake.
func Hex(tb TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		tb.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

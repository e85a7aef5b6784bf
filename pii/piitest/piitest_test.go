package piitest

import (
	"testing"
	"time"
)

// TestShanghaiID: the number carries the birth date and the sequence's
// last three digits, and parses; a birth date that is not one fails.
func TestShanghaiID(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	id, err := ShanghaiID("19400131", 1007, now)
	if err != nil || id.Reveal()[:17] != "31010119400131007" {
		t.Fatalf("ShanghaiID = %v, %v", id.Reveal(), err)
	}
	if b, ok := id.BirthDate(); !ok || !b.Equal(time.Date(1940, 1, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("birth date %v, %v", b, ok)
	}
	if _, err := ShanghaiID("19401331", 1, now); err == nil {
		t.Error("month 13 accepted")
	}
}

package pii

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

func TestParseIDNumber(t *testing.T) {
	tests := []struct {
		in     string
		want   IDNumber
		reason IDErrorReason
	}{
		{"11010519491231002X", "11010519491231002X", ""}, // the GB 11643 worked example
		{"11010519491231002x", "11010519491231002X", ""}, // lower-case x accepted
		{" 310101198001010018 ", "310101198001010018", ""},
		{"810000199001010019", "810000199001010019", ""}, // Hong Kong residence permit
		{"USA310119800101", "USA310119800101", ""},       // 2017 foreign PR number
		{"110105194912310021", "", IDChecksum},
		{"11010519491331002X", "", IDBirthDate}, // month 13
		{"110105203012310025", "", IDBirthDate}, // in the future
		{"1101051949123100X2", "", IDCharacter},
		{"1101051949", "", IDLength},
		{"", "", IDLength},
		{"US4310119800101", "", IDCharacter},
	}
	for _, tt := range tests {
		got, err := ParseIDNumber(tt.in, now)
		if tt.reason == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseIDNumber(%q) = %q, %v; want %q", tt.in, got.Reveal(), err, tt.want.Reveal())
			}
			continue
		}
		var ie *IDError
		if !errors.As(err, &ie) || ie.Reason != tt.reason {
			t.Errorf("ParseIDNumber(%q) error = %v, want reason %s", tt.in, err, tt.reason)
		}
		if !errors.Is(err, ErrInvalidID) {
			t.Errorf("ParseIDNumber(%q): errors.Is(err, ErrInvalidID) = false", tt.in)
		}
		if err != nil && strings.Contains(err.Error(), strings.TrimSpace(tt.in)) && tt.in != "" {
			t.Errorf("error message leaks the number: %v", err)
		}
	}
}

func TestCheckDigitAllResidues(t *testing.T) {
	// Walk the sequence digits until every one of the 11 check characters
	// has appeared, and verify each number parses back.
	seen := map[byte]bool{}
	for seq := 0; seq < 1000 && len(seen) < 11; seq++ {
		first := fmt.Sprintf("31010119800101%03d", seq)
		c, err := CheckDigit(first)
		if err != nil {
			t.Fatal(err)
		}
		seen[c] = true
		if _, err := ParseIDNumber(first+string(c), now); err != nil {
			t.Fatalf("%s%c: %v", first, c, err)
		}
	}
	if len(seen) != 11 {
		t.Fatalf("saw %d distinct check characters, want 11", len(seen))
	}
}

func TestIDNumberAccessors(t *testing.T) {
	n := IDNumber("11010519491231002X")
	if b, ok := n.BirthDate(); !ok || !b.Equal(time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("BirthDate = %v, %v", b, ok)
	}
	if g := n.Gender(); g != 2 {
		t.Errorf("Gender = %d, want 2 (17th digit 2 is even)", g)
	}
	if g := IDNumber("310101198001010018").Gender(); g != 1 {
		t.Errorf("Gender = %d, want 1", g)
	}
}

func TestMasking(t *testing.T) {
	for in, want := range map[string]string{
		"11010519491231002X": "1*************002X",
		"USA310119800101":    "U**********0101",
		"12345":              "*****",
	} {
		if got := MaskID(in); got != want {
			t.Errorf("MaskID(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"张三":         "张*",
		"张小三":        "张*三",
		"欧阳小三":       "欧**三",
		"王":          "*",
		"买买提·艾力":     "买****力",
		"JOHN SMITH": "J*** S****",
		"":           "",
		" 李四 ":       "李*",
	} {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedaction(t *testing.T) {
	id := IDNumber("11010519491231002X")
	name := Name("张小三")
	for _, s := range []string{
		fmt.Sprint(id), fmt.Sprintf("%v %s %q %#v %+v", id, id, id, id, id),
		fmt.Sprint(name), fmt.Sprintf("%v %s %q %#v", name, name, name, name),
		fmt.Sprintf("%v", struct {
			N IDNumber
			M Name
		}{id, name}),
	} {
		if strings.Contains(s, "19491231") || strings.Contains(s, "小") {
			t.Errorf("formatted value leaks personal data: %s", s)
		}
	}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("Card read", "id", id, "name", name)
	if out := buf.String(); strings.Contains(out, "1949") || strings.Contains(out, "张") || !strings.Contains(out, Redacted) {
		t.Errorf("log line not redacted: %s", out)
	}
	if id.Reveal() != "11010519491231002X" || name.Reveal() != "张小三" {
		t.Error("Reveal must return the plain value")
	}
}

func TestAgeAt(t *testing.T) {
	n := IDNumber("310101201203140011") // born 2012-03-14
	for _, tc := range []struct {
		at   time.Time
		want int
	}{
		{time.Date(2028, 3, 13, 15, 59, 0, 0, time.UTC), 15}, // 23:59 on the 13th in Shanghai
		{time.Date(2028, 3, 13, 16, 0, 0, 0, time.UTC), 16},  // midnight of the 14th in Shanghai
		{time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), 14},
	} {
		if got, ok := n.AgeAt(tc.at); !ok || got != tc.want {
			t.Errorf("AgeAt(%v) = %d, %v; want %d", tc.at, got, ok, tc.want)
		}
	}
	if _, ok := IDNumber("A12345678").AgeAt(time.Now()); ok {
		t.Error("a number without a birth date has an age")
	}
}

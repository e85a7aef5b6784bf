package deck_test

import (
	"errors"
	"testing"

	"github.com/shcommunity/kiosk/devices/internal/deck"
)

func TestCheck(t *testing.T) {
	bad := errors.New("no such card type")
	build := func(s string) error {
		if s == "broken" {
			return bad
		}
		return nil
	}
	label := func(s string) string { return s }
	for _, tc := range []struct {
		cards []string
		want  string
	}{
		{[]string{"a", "b"}, ""},
		{nil, ""},
		{[]string{"a", ""}, `sim: deck card 1 has no label`},
		{[]string{"a", "b", "a"}, `sim: deck label "a" used twice`},
		{[]string{"a", "broken"}, `sim: deck card "broken": no such card type`},
	} {
		err := deck.Check("sim", tc.cards, label, build)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("Check(%q) = %q, want %q", tc.cards, got, tc.want)
		}
	}
	if err := deck.Check("sim", []string{"broken"}, label, build); !errors.Is(err, bad) {
		t.Errorf("build's error is not kept: %v", err)
	}
}

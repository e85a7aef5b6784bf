package crashpoint_test

import (
	"testing"

	"github.com/shcommunity/kiosk/internal/crashpoint"
)

func TestPointsValid(t *testing.T) {
	all := crashpoint.All()
	if len(all) != 7 {
		t.Errorf("%d points, want the 7 of the write and sync paths", len(all))
	}
	for _, p := range all {
		if !p.Valid() {
			t.Errorf("%s not valid", p)
		}
	}
	if crashpoint.Point(0).Valid() || crashpoint.Point(len(all)+1).Valid() {
		t.Error("a point outside the list is valid")
	}
	for _, p := range all {
		if q, ok := crashpoint.Parse(p.String()); !ok || q != p {
			t.Errorf("Parse(%q) = %v, %v", p, q, ok)
		}
	}
	if _, ok := crashpoint.Parse("push.somewhere"); ok {
		t.Error("an unknown name parses")
	}
}

// TestPasses counts passes in a binary built with the tag; without it,
// nothing is counted and nothing is armed.
func TestPasses(t *testing.T) {
	before := crashpoint.Passes()[crashpoint.Enqueued]
	crashpoint.Hit(crashpoint.Enqueued)
	crashpoint.Hit(crashpoint.Enqueued)
	got := crashpoint.Passes()[crashpoint.Enqueued] - before
	switch {
	case crashpoint.Enabled && got != 2:
		t.Errorf("tagged build counted %d passes, want 2", got)
	case !crashpoint.Enabled && (got != 0 || crashpoint.Passes() != nil || crashpoint.Armed()):
		t.Errorf("untagged build counts passes (%d) or is armed (%v)", got, crashpoint.Armed())
	}
}

var sink int

// BenchmarkHit is the cost of a point in the binary the benchmark is
// built as (untagged: what every shipped program is), against the same
// loop with no point in it.
func BenchmarkHit(b *testing.B) {
	b.Run("baseline", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			sink = i
		}
	})
	b.Run("point", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			crashpoint.Hit(crashpoint.BeforeAck)
			sink = i
		}
	})
}

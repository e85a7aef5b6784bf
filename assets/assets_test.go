package assets

import "testing"

func TestFontCoversWhatTheKioskPrints(t *testing.T) {
	for _, r := range "随申码请将身份证放在读卡器上绿黄红张*三䶮堃ABCxyz0123：（）·" {
		if !HasGlyph(r) {
			t.Errorf("font has no glyph for %q (U+%04X)", r, r)
		}
	}
	if HasGlyph('\U0001F600') {
		t.Error("HasGlyph claims an emoji the subset does not have")
	}
	face, err := Face(24)
	if err != nil {
		t.Fatal(err)
	}
	if adv, ok := face.GlyphAdvance('码'); !ok || adv.Round() != 24 {
		t.Fatalf("advance of 码 at 24 px = %v, %v; want a full em of 24", adv.Round(), ok)
	}
}

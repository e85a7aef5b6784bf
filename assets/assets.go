// Package assets holds the files compiled into the binaries: the CJK font
// that the slip renderer, the printer simulator and the desktop UI draw
// Chinese with, the sample card deck, and the spoken prompts of the
// self-service kiosk (voice/, rendered with eSpeak NG: voice/README.md).
//
// The font is a subset of Noto Sans CJK SC Regular (SIL Open Font License
// 1.1, fonts/OFL.txt): the 7,445 characters of GB 2312, about a hundred
// GBK and CJK Extension A characters common in given names, Latin-1, and
// CJK and full-width punctuation, 1.6 MB in all. fonts/README.md says how
// to rebuild it and how to add a character.
package assets

import (
	_ "embed"
	"fmt"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
)

// CJKFont is the OpenType (CFF) font file.
//
//go:embed fonts/NotoSansSC-Subset.otf
var CJKFont []byte

// CJKFontName is the file name Fyne and others may want with the bytes.
const CJKFontName = "NotoSansSC-Subset.otf"

var (
	parseOnce sync.Once
	parsed    *opentype.Font
	parseErr  error
)

// Font returns the parsed CJK font. It is parsed once per process.
func Font() (*opentype.Font, error) {
	parseOnce.Do(func() {
		parsed, parseErr = opentype.Parse(CJKFont)
		if parseErr != nil {
			parseErr = fmt.Errorf("parse embedded cjk font: %w", parseErr)
		}
	})
	return parsed, parseErr
}

// Face returns a face of the CJK font whose em square is px pixels high.
// Faces are not safe for concurrent use: make one per goroutine.
func Face(px float64) (font.Face, error) {
	f, err := Font()
	if err != nil {
		return nil, err
	}
	return opentype.NewFace(f, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingNone})
}

// HasGlyph reports whether the font can draw r.
func HasGlyph(r rune) bool {
	f, err := Font()
	if err != nil {
		return false
	}
	var buf sfnt.Buffer
	idx, err := f.GlyphIndex(&buf, r)
	return err == nil && idx != 0
}

// SampleDeck is the JSON deck of invented cards that the reader simulator
// serves and that the code service's --dev mode enrols: one of each card
// layout, an expired card, and a name with a character outside GBK.
//
//go:embed deck.json
var SampleDeck []byte

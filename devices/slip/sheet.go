package slip

import (
	"fmt"
	"image"
	"time"
	"unicode/utf8"

	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/pii"
)

// Sheet is a slip of words in large type, with no code on it: who looked
// a resident up (谁查询过我) or her health services (我的健康服务). It
// carries her masked name and ID number like every slip, and nothing a
// bystander could use against her: the caller writes the sections.
type Sheet struct {
	Title string // required
	// Name and ID are printed masked.
	Name pii.Name
	ID   pii.IDNumber
	// Sections follow the resident's details in order; an empty list is
	// written as a section whose one line says so.
	Sections  []Section
	PrintedAt time.Time
	Centre    string
	Serial    string
	// Footer lines close the sheet, centred in normal type (where to
	// withdraw consent, say).
	Footer []string
}

// Section is a heading and its lines.
type Section struct {
	Heading string
	Lines   []string
}

// Sheet sizes: every line of a section is printed double width and
// double height, so a sheet reads without glasses; the details and the
// footer are normal size.
const (
	sheetW, sheetH = 2, 2
	// halfDots is the width of a half-width character at size 1 (font
	// A, 12 × 24 dots); a Chinese character is twice that.
	halfDots = 12
	// maxSheetLines bounds a sheet's section lines, about a metre of
	// paper at double height.
	maxSheetLines = 120
)

func (s Sheet) validate() error {
	bad := func(what string) error { return fmt.Errorf("slip: sheet: %s: %w", what, ErrInvalid) }
	switch {
	case s.Title == "":
		return bad("title missing")
	case s.Name == "":
		return bad("name missing")
	case s.ID == "":
		return bad("id number missing")
	}
	n := 0
	for _, sec := range s.Sections {
		n += 1 + len(sec.Lines)
	}
	if n > maxSheetLines {
		return bad(fmt.Sprintf("%d lines, at most %d", n, maxSheetLines))
	}
	return nil
}

// Wrap breaks s into lines no wider than cols half-width columns (a
// Chinese character takes two), at a space when one is near, else
// anywhere: the printer would otherwise break a double-width line
// mid-character on its own.
func Wrap(s string, cols int) []string {
	if cols < 2 {
		cols = 2
	}
	var out []string
	for s != "" {
		w, cut, space := 0, len(s), -1
		for i, r := range s {
			rw := 1
			if r >= utf8.RuneSelf {
				rw = 2 // GBK prints every non-ASCII character full width
			}
			if w+rw > cols {
				cut = i
				break
			}
			if r == ' ' {
				space = i
			}
			w += rw
		}
		if cut < len(s) && space > 0 && space > cut/2 {
			cut = space
		}
		out = append(out, s[:cut])
		s = trimSpace(s[cut:])
	}
	return out
}

func trimSpace(s string) string {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	return s
}

// EncodeSheet returns the ESC/POS bytes of s for a printer of profile p.
func EncodeSheet(s Sheet, p escpos.Profile) ([]byte, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	cols := p.Dots / (halfDots * sheetW)
	b := escpos.NewBuilder(p).Init().Chinese(true)
	b.Align(escpos.AlignCenter).Bold(true).Size(sheetW, sheetH)
	for _, l := range Wrap(s.Title, cols) {
		b.Line(l)
	}
	b.Size(1, 1).Bold(false).Feed(1).Align(escpos.AlignLeft)
	b.Line("姓名：" + s.Name.Masked())
	b.Line("证件号：" + s.ID.Masked())
	b.Line("打印时间：" + stamp(s.PrintedAt))
	if s.Centre != "" {
		b.Line("服务点：" + s.Centre)
	}
	if s.Serial != "" {
		b.Line("编号：" + s.Serial)
	}
	for _, sec := range s.Sections {
		b.Feed(1).Size(sheetW, sheetH).Bold(true)
		for _, l := range Wrap(sec.Heading, cols) {
			b.Line(l)
		}
		b.Bold(false)
		for _, line := range sec.Lines {
			for _, l := range Wrap(line, cols) {
				b.Line(l)
			}
		}
		b.Size(1, 1)
	}
	if len(s.Footer) > 0 {
		b.Feed(1).Align(escpos.AlignCenter)
		for _, l := range s.Footer {
			b.Line(l)
		}
	}
	b.Align(escpos.AlignLeft).FeedAndCut(escpos.CutPartial, 48)
	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("slip: sheet: %w", err)
	}
	return out, nil
}

// PreviewSheet returns the image of s exactly as the printer of profile
// p prints it.
func PreviewSheet(s Sheet, p escpos.Profile) (image.Image, error) {
	data, err := EncodeSheet(s, p)
	if err != nil {
		return nil, err
	}
	return renderOne(data, p)
}

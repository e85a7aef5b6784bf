package slip_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/slip"
)

func sheet(t *testing.T) slip.Sheet {
	name, id := deckCard(t, "resident-green")
	return slip.Sheet{Title: "谁查询过我", Name: name, ID: id, PrintedAt: time.Date(2026, 11, 30, 9, 0, 0, 0, cst),
		Centre: "南京东路街道社区事务受理服务中心", Serial: "K1-000042",
		Sections: []slip.Section{{Heading: "近30天", Lines: []string{"11-30 08:15 · 徐家汇地铁站 · 场所核验 · 2次", "11-29 10:02 · 南京东路服务点 · 自助服务"}}},
		Footer:   []string{"撤回同意请到服务点柜台办理"}}
}

// TestSheetSays: a sheet prints its title, sections and footer, the
// masked name and number and never the plain ones, on both paper widths,
// and renders to one image.
func TestSheetSays(t *testing.T) {
	s := sheet(t)
	dec := simplifiedchinese.GBK.NewDecoder()
	for _, p := range []escpos.Profile{escpos.Profile58, raster80} {
		data, err := slip.EncodeSheet(s, p)
		if err != nil {
			t.Fatal(err)
		}
		text, err := dec.String(string(data))
		if err != nil {
			t.Fatal(err)
		}
		flat := strings.ReplaceAll(text, "\n", "")
		for _, want := range []string{"谁查询过我", "徐家汇地铁站", "场所核验", "南京东路服务点", "撤回同意", s.Name.Masked(), s.ID.Masked()} {
			if !strings.Contains(flat, want) {
				t.Errorf("%s: %q not on the sheet", p.Name, want)
			}
		}
		for _, plain := range []string{s.Name.Reveal(), s.ID.Reveal(), s.ID.Reveal()[6:14]} {
			if strings.Contains(text, plain) || bytes.Contains(data, []byte(plain)) {
				t.Errorf("%s: plain personal data %q is in the byte stream", p.Name, plain)
			}
		}
		img, err := slip.PreviewSheet(s, p)
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() != p.Dots {
			t.Errorf("%s: preview %d dots wide, want %d", p.Name, img.Bounds().Dx(), p.Dots)
		}
	}
}

// TestWrap: no wrapped line is wider than the columns, with a Chinese
// character two columns, and nothing is lost but the spaces it breaks at.
func TestWrap(t *testing.T) {
	width := func(s string) int {
		w := 0
		for _, r := range s {
			if r < utf8.RuneSelf {
				w++
			} else {
				w += 2
			}
		}
		return w
	}
	for _, tt := range []struct {
		s    string
		cols int
	}{
		{"11-30 08:15 · 徐家汇地铁站 · 场所核验 · 2次", 16},
		{"11-30 08:15 · 徐家汇地铁站 · 场所核验 · 2次", 24},
		{"南京东路街道社区卫生服务中心 021-0000 0101", 16},
		{"short", 16},
		{"", 16},
	} {
		lines := slip.Wrap(tt.s, tt.cols)
		for _, l := range lines {
			if width(l) > tt.cols {
				t.Errorf("Wrap(%q, %d): line %q is %d columns", tt.s, tt.cols, l, width(l))
			}
		}
		if got, want := strings.ReplaceAll(strings.Join(lines, ""), " ", ""), strings.ReplaceAll(tt.s, " ", ""); got != want {
			t.Errorf("Wrap(%q, %d) = %q: text lost", tt.s, tt.cols, lines)
		}
	}
}

// TestSheetInvalid: a sheet without a title, a name or a number, or one
// too long for the paper, is refused with ErrInvalid.
func TestSheetInvalid(t *testing.T) {
	long := sheet(t)
	long.Sections = []slip.Section{{Heading: "x", Lines: make([]string, 200)}}
	for name, mutate := range map[string]func(*slip.Sheet){
		"no title": func(s *slip.Sheet) { s.Title = "" },
		"no name":  func(s *slip.Sheet) { s.Name = "" },
		"no id":    func(s *slip.Sheet) { s.ID = "" },
		"too long": func(s *slip.Sheet) { *s = long },
	} {
		s := sheet(t)
		mutate(&s)
		if _, err := slip.EncodeSheet(s, escpos.Profile80); !errors.Is(err, slip.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

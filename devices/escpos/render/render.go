package render

import (
	"errors"
	"image"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/escpos/internal/glyph"
)

// MaxSlipDots caps the length of one slip (2 m of paper); a stream that
// never cuts cannot make the renderer allocate without bound. Dots past it
// are not drawn.
const MaxSlipDots = 16000

// Renderer is the state of one printer: its modes, the line being
// composed and the paper printed since the last cut. Feed it tokens in
// order with Apply. It is not safe for concurrent use.
type Renderer struct {
	dots int

	// Modes.
	chinese  bool
	align    escpos.Align
	w, h     int
	bold     bool
	spacing  int
	qrData   []byte
	qrModule int
	qrLevel  escpos.QRLevel
	qrModel1 bool
	lead     byte // a GBK lead byte waiting for its trail byte
	gbk      *encoding.Decoder

	// The line buffer.
	items     []item
	lineW     int
	lineAlign escpos.Align

	// The paper.
	pix []byte // dots×rows, 1 = black
	y   int    // the next row to print on
}

type item struct {
	bm glyph.Bitmap
	x  int
}

// New returns a renderer for profile p in its power-on state: Chinese
// mode on (the kiosk's printers are Chinese firmwares), left aligned,
// normal size, line spacing escpos.DefaultLineSpacing.
func New(p escpos.Profile) *Renderer {
	r := &Renderer{dots: p.Dots, chinese: true, gbk: simplifiedchinese.GBK.NewDecoder()}
	if r.dots <= 0 {
		r.dots = escpos.Profile58.Dots
	}
	r.reset()
	return r
}

// reset is ESC @. It leaves Chinese mode alone: firmwares differ, and the
// slip sends FS & after ESC @ anyway.
func (r *Renderer) reset() {
	r.align, r.w, r.h, r.bold = escpos.AlignLeft, 1, 1, false
	r.spacing = escpos.DefaultLineSpacing
	r.qrData, r.qrModule, r.qrLevel, r.qrModel1 = nil, escpos.QRDefaultModule, escpos.QRDefaultLevel, false
	r.items, r.lineW, r.lead = r.items[:0], 0, 0
}

// Render draws a whole stream and returns one image per cut, plus one for
// anything printed after the last cut. A stream that ends inside a command
// stops there; the slips before it are returned with ErrIncomplete.
func Render(data []byte, p escpos.Profile) ([]image.Image, error) {
	r := New(p)
	var out []image.Image
	for len(data) > 0 {
		t, n, err := Next(data)
		if errors.Is(err, ErrTooLong) {
			if n >= len(data) {
				break
			}
			data = data[n:]
			continue
		}
		if err != nil {
			if img := r.Flush(); img != nil {
				out = append(out, img)
			}
			return out, err
		}
		data = data[n:]
		if img := r.Apply(t); img != nil {
			out = append(out, img)
		}
	}
	if img := r.Flush(); img != nil {
		out = append(out, img)
	}
	return out, nil
}

// Apply executes one token. When the token is a cut it returns the slip
// it cut off (nil if nothing was printed since the last cut).
func (r *Renderer) Apply(t Token) image.Image {
	switch t.Op {
	case OpText:
		r.text(t.Data)
	case OpLF:
		r.printLine(true)
	case OpInit:
		r.printLine(false)
		r.reset()
	case OpChineseOn:
		r.chinese = true
	case OpChineseOff:
		r.chinese, r.lead = false, 0
	case OpPrintMode:
		n := t.Arg[0]
		r.bold = n&0x08 != 0
		r.w, r.h = 1, 1
		if n&0x20 != 0 {
			r.w = 2
		}
		if n&0x10 != 0 {
			r.h = 2
		}
	case OpAlign:
		switch t.Arg[0] {
		case 0, '0':
			r.align = escpos.AlignLeft
		case 1, '1':
			r.align = escpos.AlignCenter
		case 2, '2':
			r.align = escpos.AlignRight
		}
	case OpBold:
		r.bold = t.Arg[0]&1 != 0
	case OpSize:
		n := t.Arg[0]
		if w, h := int(n>>4&7)+1, int(n&7)+1; n&0x88 == 0 {
			r.w, r.h = w, h
		}
	case OpLineSpacing:
		r.spacing = int(t.Arg[0])
	case OpDefaultSpacing:
		r.spacing = escpos.DefaultLineSpacing
	case OpFeedLines:
		r.printLine(false)
		r.feed(int(t.Arg[0]) * r.spacing)
	case OpFeedDots:
		if len(r.items) > 0 {
			r.printLine(true)
		}
		r.feed(int(t.Arg[0]))
	case OpCut:
		r.printLine(false)
		if len(t.Arg) == 2 {
			r.feed(int(t.Arg[1]))
		}
		return r.cut()
	case OpRaster:
		r.printLine(false)
		r.raster(t.Arg[0], int(t.Arg[1])|int(t.Arg[2])<<8, int(t.Arg[3])|int(t.Arg[4])<<8, t.Data)
	case OpQR:
		r.qr(t)
	}
	return nil
}

// Flush prints the line in the buffer and returns what was printed since
// the last cut, as if the paper were torn off; nil if nothing was.
func (r *Renderer) Flush() image.Image {
	r.printLine(false)
	return r.cut()
}

func (r *Renderer) text(b []byte) {
	for _, c := range b {
		if r.lead != 0 {
			lead := r.lead
			r.lead = 0
			if c >= 0x40 && c <= 0xFE && c != 0x7F {
				ru := '?'
				if s, err := r.gbk.Bytes([]byte{lead, c}); err == nil {
					if rs := []rune(string(s)); len(rs) == 1 && rs[0] != 0xFFFD {
						ru = rs[0]
					}
				}
				r.char(ru, true)
				continue
			}
			r.char(' ', true) // an orphan lead byte prints as a blank
		}
		if r.chinese && c >= 0x81 && c <= 0xFE {
			r.lead = c
			continue
		}
		if c >= 0x80 || c == 0x7F {
			r.char(' ', false) // code-page glyphs: not modelled
			continue
		}
		r.char(rune(c), false)
	}
}

// char adds one character cell to the line, wrapping when it would pass
// the right edge as printers do.
func (r *Renderer) char(ru rune, wide bool) {
	cell, err := glyph.Cell(ru)
	if err != nil {
		return
	}
	if wide && cell.W != glyph.FullWidth {
		cell = glyph.Bitmap{W: glyph.FullWidth, H: glyph.Height, Pix: make([]byte, glyph.FullWidth*glyph.Height)}
	}
	bm := glyph.Scale(cell, r.w, r.h, r.bold)
	if bm.W > r.dots {
		return
	}
	if r.lineW+bm.W > r.dots {
		r.printLine(true)
	}
	if len(r.items) == 0 {
		r.lineAlign = r.align
	}
	r.items = append(r.items, item{bm: bm, x: r.lineW})
	r.lineW += bm.W
}

// printLine prints the line buffer. With feed an empty buffer still feeds
// one line (LF on an empty line); a printed line advances by the line
// spacing or its height, whichever is more, its characters standing on a
// common bottom edge.
func (r *Renderer) printLine(feed bool) {
	if r.lead != 0 {
		r.lead = 0
	}
	if len(r.items) == 0 {
		if feed {
			r.feed(r.spacing)
		}
		return
	}
	h := 0
	for _, it := range r.items {
		h = max(h, it.bm.H)
	}
	off := r.offset(r.lineAlign, r.lineW)
	r.grow(r.y + h)
	for _, it := range r.items {
		r.blit(it.bm, off+it.x, r.y+h-it.bm.H)
	}
	r.y += max(h, r.spacing)
	r.items, r.lineW = r.items[:0], 0
}

func (r *Renderer) offset(a escpos.Align, w int) int {
	switch a {
	case escpos.AlignCenter:
		return max(0, (r.dots-w)/2)
	case escpos.AlignRight:
		return max(0, r.dots-w)
	}
	return 0
}

func (r *Renderer) feed(n int) { r.y = min(r.y+n, MaxSlipDots) }

// grow makes the paper at least rows long, within MaxSlipDots.
func (r *Renderer) grow(rows int) {
	rows = min(rows, MaxSlipDots)
	if need := rows * r.dots; need > len(r.pix) {
		r.pix = append(r.pix, make([]byte, need-len(r.pix))...)
	}
}

func (r *Renderer) set(x, y int) {
	if x >= 0 && x < r.dots && y >= 0 && y < MaxSlipDots && y*r.dots+x < len(r.pix) {
		r.pix[y*r.dots+x] = 1
	}
}

func (r *Renderer) blit(b glyph.Bitmap, x, y int) {
	for py := 0; py < b.H; py++ {
		for px := 0; px < b.W; px++ {
			if b.Pix[py*b.W+px] != 0 {
				r.set(x+px, y+py)
			}
		}
	}
}

// raster draws GS v 0 data: xb bytes per row, rows rows, MSB leftmost;
// m doubles the width (1, 3) and the height (2, 3).
func (r *Renderer) raster(m byte, xb, rows int, d []byte) {
	sx, sy := 1, 1
	switch m {
	case 1, '1':
		sx = 2
	case 2, '2':
		sy = 2
	case 3, '3':
		sx, sy = 2, 2
	}
	w := xb * 8 * sx
	if xb == 0 || rows == 0 {
		return
	}
	off := r.offset(r.align, w)
	top := r.y
	rows = min(rows, (MaxSlipDots-top+sy-1)/sy)
	if rows <= 0 {
		return
	}
	r.grow(top + rows*sy)
	for yy := 0; yy < rows; yy++ {
		row := d[yy*xb : (yy+1)*xb]
		for bx, v := range row {
			if v == 0 {
				continue
			}
			for bit := 0; bit < 8; bit++ {
				if v&(0x80>>bit) == 0 {
					continue
				}
				x := off + (bx*8+bit)*sx
				if x >= r.dots {
					break
				}
				for dy := 0; dy < sy; dy++ {
					for dx := 0; dx < sx; dx++ {
						r.set(x+dx, top+yy*sy+dy)
					}
				}
			}
		}
	}
	r.feed(rows * sy)
}

// qr handles the GS ( k functions of symbol type 49 (QR).
func (r *Renderer) qr(t Token) {
	p := t.Data
	if len(p) < 2 || p[0] != 0x31 {
		return
	}
	fn, p := p[1], p[2:]
	switch fn {
	case 0x41: // select model
		if len(p) >= 1 {
			r.qrModel1 = p[0] == 0x31
		}
	case 0x43: // module size
		if len(p) >= 1 && p[0] >= escpos.QRMinModule && p[0] <= escpos.QRMaxModule {
			r.qrModule = int(p[0])
		}
	case 0x45: // error level
		if len(p) >= 1 && escpos.QRLevel(p[0]).Valid() {
			r.qrLevel = escpos.QRLevel(p[0])
		}
	case 0x50: // store
		if len(p) >= 1 && p[0] == 0x30 && len(p)-1 <= escpos.QRMaxData {
			r.qrData = append(r.qrData[:0], p[1:]...)
		}
	case 0x51: // print
		r.printLine(false)
		if r.qrModel1 || len(r.qrData) == 0 {
			return
		}
		sym, err := escpos.QRSymbol(r.qrData, r.qrLevel)
		if err != nil {
			return // the printer prints nothing for data that does not fit
		}
		n := len(sym) * r.qrModule
		if n > r.dots {
			return // "the symbol must fit the print area"
		}
		off := r.offset(r.align, n)
		top := r.y
		r.grow(top + n)
		for y := 0; y < n; y++ {
			row := sym[y/r.qrModule]
			for x := 0; x < n; x++ {
				if row[x/r.qrModule] {
					r.set(off+x, top+y)
				}
			}
		}
		r.feed(n)
	}
}

// cut ends the slip and returns its image, nil if nothing was printed.
func (r *Renderer) cut() image.Image {
	rows := min(r.y, MaxSlipDots)
	if rows == 0 {
		r.pix = r.pix[:0]
		return nil
	}
	r.grow(rows)
	img := image.NewPaletted(image.Rect(0, 0, r.dots, rows), glyph.Palette)
	copy(img.Pix, r.pix[:rows*r.dots])
	r.pix, r.y = r.pix[:0], 0
	return img
}

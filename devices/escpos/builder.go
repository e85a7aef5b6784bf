package escpos

import (
	"fmt"
	"image"
	"image/color"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/shcommunity/kiosk/devices/escpos/internal/glyph"
)

// Builder accumulates ESC/POS commands for one job. Its methods return the
// builder so calls chain; the first invalid argument is kept and returned
// by Bytes, and later calls do nothing.
//
// Text is buffered until the end of its line, because a line holding a character outside GBK is
// sent as one raster image instead of text.
type Builder struct {
	p   Profile
	buf []byte
	err error

	// Printer state as the builder has set it; the rasterised lines are
	// drawn with it.
	chinese bool
	align   Align
	w, h    int
	bold    bool
	spacing int

	line      []lineOp
	lineAlign Align
}

// lineOp is one element of the pending line: either a mode command or a
// run of text drawn in the style current at that point.
type lineOp struct {
	cmd  []byte
	text string
	w, h int
	bold bool
}

// NewBuilder returns an empty builder for printer profile p. The builder
// assumes the printer's state after ESC @ on a Chinese firmware: Chinese
// mode on, left aligned, normal size, line spacing DefaultLineSpacing.
func NewBuilder(p Profile) *Builder {
	return &Builder{p: p, chinese: true, w: 1, h: 1, spacing: DefaultLineSpacing}
}

func (b *Builder) fail(format string, args ...any) *Builder {
	if b.err == nil {
		b.err = fmt.Errorf(format, args...)
	}
	return b
}

func (b *Builder) raw(p ...byte) *Builder {
	if b.err == nil {
		b.buf = append(b.buf, p...)
	}
	return b
}

// mode sends a mode command, in line order if text is pending.
func (b *Builder) mode(p ...byte) *Builder {
	if b.err != nil {
		return b
	}
	if len(b.line) > 0 {
		b.line = append(b.line, lineOp{cmd: p})
		return b
	}
	return b.raw(p...)
}

// Init sends ESC @, which clears the print buffer and resets the modes,
// and sets the line spacing back to DefaultLineSpacing.
func (b *Builder) Init() *Builder {
	b.endLine()
	b.align, b.w, b.h, b.bold = AlignLeft, 1, 1, false
	b.raw(ESC, '@')
	return b.LineSpacing(DefaultLineSpacing)
}

// Chinese selects (FS &) or cancels (FS .) Chinese character mode. Send
// it after Init: whether ESC @ resets it differs between firmwares.
func (b *Builder) Chinese(on bool) *Builder {
	b.endLine()
	b.chinese = on
	if on {
		return b.raw(FS, '&')
	}
	return b.raw(FS, '.')
}

// LineSpacing sets the line pitch to dots (ESC 3 n).
func (b *Builder) LineSpacing(dots int) *Builder {
	if dots < 0 || dots > 255 {
		return b.fail("escpos: line spacing %d dots: %w", dots, ErrInvalidArgument)
	}
	b.endLine()
	b.spacing = dots
	return b.raw(ESC, '3', byte(dots))
}

// Size sets the character size multipliers (GS !), each 1..8.
func (b *Builder) Size(w, h int) *Builder {
	if w < 1 || w > 8 || h < 1 || h > 8 {
		return b.fail("escpos: character size %d×%d: %w", w, h, ErrInvalidArgument)
	}
	b.w, b.h = w, h
	return b.mode(GS, '!', byte((w-1)<<4|(h-1)))
}

// Align sets the justification (ESC a). Printers apply it only at the
// start of a line, so with text pending it takes effect from the next one.
func (b *Builder) Align(a Align) *Builder {
	if a > AlignRight {
		return b.fail("escpos: alignment %d: %w", a, ErrInvalidArgument)
	}
	b.align = a
	return b.mode(ESC, 'a', byte(a))
}

// Bold turns emphasised printing on or off (ESC E).
func (b *Builder) Bold(on bool) *Builder {
	b.bold = on
	var n byte
	if on {
		n = 1
	}
	return b.mode(ESC, 'E', n)
}

// Text adds s to the current line in the current style. Control
// characters are printed as spaces so that text from outside (a centre's
// name from the settings) can never inject a command.
func (b *Builder) Text(s string) *Builder {
	if b.err != nil || s == "" {
		return b
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	if len(b.line) == 0 {
		b.lineAlign = b.align
	}
	b.line = append(b.line, lineOp{text: s, w: b.w, h: b.h, bold: b.bold})
	return b
}

// Line adds s and ends the line (LF).
func (b *Builder) Line(s string) *Builder { return b.Text(s).LF() }

// LF prints the current line and feeds one line.
func (b *Builder) LF() *Builder {
	if b.err != nil {
		return b
	}
	if b.endLine() {
		return b
	}
	return b.raw(LF)
}

// Feed ends the current line and feeds n more lines (ESC d n).
func (b *Builder) Feed(n int) *Builder {
	if n < 0 || n > 255 {
		return b.fail("escpos: feed %d lines: %w", n, ErrInvalidArgument)
	}
	b.endLine()
	return b.raw(ESC, 'd', byte(n))
}

// FeedDots ends the current line and feeds n dots (ESC J n).
func (b *Builder) FeedDots(n int) *Builder {
	if n < 0 || n > 255 {
		return b.fail("escpos: feed %d dots: %w", n, ErrInvalidArgument)
	}
	b.endLine()
	return b.raw(ESC, 'J', byte(n))
}

// Cut cuts the paper where it is (GS V 0 or GS V 1).
func (b *Builder) Cut(m CutMode) *Builder {
	if m > CutPartial {
		return b.fail("escpos: cut mode %d: %w", m, ErrInvalidArgument)
	}
	b.endLine()
	return b.raw(GS, 'V', byte(m))
}

// FeedAndCut feeds the paper to the cutter plus n dots and cuts
// (GS V 65 n full, GS V 66 n partial), so the last line is not cut off
// between the head and the blade.
func (b *Builder) FeedAndCut(m CutMode, n int) *Builder {
	if m > CutPartial || n < 0 || n > 255 {
		return b.fail("escpos: feed and cut mode %d, %d dots: %w", m, n, ErrInvalidArgument)
	}
	b.endLine()
	return b.raw(GS, 'V', 65+byte(m), byte(n))
}

// StatusRequest adds a real-time status request (DLE EOT n). It is
// answered as soon as it arrives, so it belongs between commands, never
// inside one (docs/escpos.md, "Real-time status: DLE EOT").
func (b *Builder) StatusRequest(n StatusKind) *Builder {
	if n < StatusPrinter || n > StatusPaperSensor {
		return b.fail("escpos: status request %d: %w", n, ErrInvalidArgument)
	}
	b.endLine()
	return b.raw(StatusRequest(n)...)
}

// QR prints data as a model 2 QR symbol with modules of module dots at
// level: natively with GS ( k when the profile has NativeQR, otherwise as
// a raster image of the same symbol.
func (b *Builder) QR(data string, module int, level QRLevel) *Builder {
	if b.p.NativeQR {
		return b.NativeQR(data, module, level)
	}
	return b.RasterQR(data, module, level)
}

func (b *Builder) checkQR(data string, module int, level QRLevel) bool {
	switch {
	case module < QRMinModule || module > QRMaxModule:
		b.fail("escpos: qr module size %d: %w", module, ErrInvalidArgument)
	case !level.Valid():
		b.fail("escpos: qr level %#x: %w", byte(level), ErrInvalidArgument)
	case len(data) == 0 || len(data) > QRMaxData:
		b.fail("escpos: qr data of %d bytes: %w", len(data), ErrQRData)
	}
	return b.err == nil
}

// NativeQR sends the GS ( k sequence: model 2, module size, error level,
// store, print (docs/escpos.md, "Native QR: GS ( k"). It costs 41 bytes
// plus the data.
func (b *Builder) NativeQR(data string, module int, level QRLevel) *Builder {
	if b.err != nil || !b.checkQR(data, module, level) {
		return b
	}
	sym, err := QRSymbol([]byte(data), level)
	if err != nil {
		return b.fail("escpos: %w", err)
	}
	if len(sym)*module > b.p.Dots {
		return b.fail("escpos: qr of %d dots on %d-dot paper: %w", len(sym)*module, b.p.Dots, ErrTooWide)
	}
	b.endLine()
	n := len(data) + 3
	b.raw(GS, '(', 'k', 4, 0, 0x31, 0x41, 0x32, 0x00)
	b.raw(GS, '(', 'k', 3, 0, 0x31, 0x43, byte(module))
	b.raw(GS, '(', 'k', 3, 0, 0x31, 0x45, byte(level))
	b.raw(GS, '(', 'k', byte(n), byte(n>>8), 0x31, 0x50, 0x30)
	b.raw([]byte(data)...)
	return b.raw(GS, '(', 'k', 3, 0, 0x31, 0x51, 0x30)
}

// RasterQR draws the symbol QRSymbol gives, each module module×module
// dots, and sends it with GS v 0, for printers without GS ( k.
func (b *Builder) RasterQR(data string, module int, level QRLevel) *Builder {
	if b.err != nil || !b.checkQR(data, module, level) {
		return b
	}
	sym, err := QRSymbol([]byte(data), level)
	if err != nil {
		return b.fail("escpos: %w", err)
	}
	n := len(sym) * module
	img := image.NewPaletted(image.Rect(0, 0, n, n), glyph.Palette)
	for y := range n {
		for x := range n {
			if sym[y/module][x/module] {
				img.Pix[y*img.Stride+x] = 1
			}
		}
	}
	return b.Raster(img)
}

// Raster prints img at its size in dots with GS v 0: a pixel is black when
// its luminance is below half (transparent is white), rows are padded to
// whole bytes, and tall images go in bands of at most RasterBandBytes so
// that a small receive buffer is not overrun.
func (b *Builder) Raster(img image.Image) *Builder {
	if b.err != nil {
		return b
	}
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	if w <= 0 || h <= 0 {
		return b.fail("escpos: empty raster image: %w", ErrInvalidArgument)
	}
	if w > b.p.Dots {
		return b.fail("escpos: raster of %d dots on %d-dot paper: %w", w, b.p.Dots, ErrTooWide)
	}
	b.endLine()
	xb := (w + 7) / 8
	band := max(1, min(RasterBandRows, RasterBandBytes/xb))
	for y0 := 0; y0 < h; y0 += band {
		rows := min(band, h-y0)
		b.raw(GS, 'v', '0', 0, byte(xb), byte(xb>>8), byte(rows), byte(rows>>8))
		for y := y0; y < y0+rows; y++ {
			for bx := range xb {
				var v byte
				for bit := range 8 {
					x := bx*8 + bit
					if x < w && dark(img.At(r.Min.X+x, r.Min.Y+y)) {
						v |= 0x80 >> bit
					}
				}
				b.buf = append(b.buf, v)
			}
		}
	}
	return b
}

// Raster banding limits: a band is at most RasterBandRows rows (yH ≤ 8 on
// some models, 255 keeps one byte) and at most RasterBandBytes bytes, half
// of a typical 4 KB receive buffer.
const (
	RasterBandRows  = 255
	RasterBandBytes = 2048
)

func dark(c color.Color) bool {
	r, g, bl, a := c.RGBA()
	if a < 0x8000 {
		return false
	}
	// Rec. 601 luma on the alpha-premultiplied values.
	y := (299*r + 587*g + 114*bl) / 1000
	return y < 0x8000
}

// Bytes ends any pending line and returns the job, or the first error.
func (b *Builder) Bytes() ([]byte, error) {
	b.endLine()
	if b.err != nil {
		return nil, b.err
	}
	return b.buf, nil
}

// endLine sends and ends the pending line, as text and LF or as a raster
// image and the feed a text line would have had. It reports whether there
// was a line, for LF to know it has nothing left to send.
func (b *Builder) endLine() bool {
	if b.err != nil || len(b.line) == 0 {
		return false
	}
	ops := b.line
	b.line = nil
	if raster := b.needsRaster(ops); !raster {
		for _, op := range ops {
			if op.cmd != nil {
				b.buf = append(b.buf, op.cmd...)
				continue
			}
			enc, _ := gbk(op.text, b.chinese)
			b.buf = append(b.buf, enc...)
		}
		b.buf = append(b.buf, LF)
		return true
	}
	// Mode commands still go out, in order, so the printer's state after
	// the line is what the caller set.
	for _, op := range ops {
		if op.cmd != nil {
			b.buf = append(b.buf, op.cmd...)
		}
	}
	img, err := textImage(ops, b.p.Dots)
	if err != nil {
		b.fail("escpos: draw text: %w", err)
		return true
	}
	// Print the image at the line's justification, then feed what a text
	// line would have fed beyond its height.
	saved := b.align
	if b.lineAlign != b.align {
		b.raw(ESC, 'a', byte(b.lineAlign))
	}
	b.Raster(img)
	if b.lineAlign != saved {
		b.raw(ESC, 'a', byte(saved))
	}
	if gap := b.spacing - img.Rect.Dy(); gap > 0 {
		b.raw(ESC, 'J', byte(min(gap, 255)))
	}
	return true
}

func (b *Builder) needsRaster(ops []lineOp) bool {
	for _, op := range ops {
		if op.cmd == nil {
			if _, ok := gbk(op.text, b.chinese); !ok {
				return true
			}
		}
	}
	return false
}

// gbk encodes s for the printer's font and reports whether every
// character is in it: ASCII always; other characters only in Chinese mode
// and only when GBK proper has them. x/text's GBK follows GB 18030 and so
// also maps CJK Extension A characters (䶮 to FE 9F) and the euro to 0x80,
// which a GBK printer font does not have.
func gbk(s string, chinese bool) ([]byte, bool) {
	enc := simplifiedchinese.GBK.NewEncoder()
	out := make([]byte, 0, len(s)*2)
	ok := true
	for _, r := range s {
		if r < 0x80 {
			out = append(out, byte(r))
			continue
		}
		if !chinese || (r >= 0x3400 && r <= 0x4DBF) || (r >= 0xE000 && r <= 0xF8FF) {
			ok = false
			continue
		}
		e, err := enc.Bytes([]byte(string(r)))
		if err != nil || len(e) != 2 || !inGBK(e[0], e[1]) {
			ok = false
			continue
		}
		out = append(out, e...)
	}
	return out, ok
}

// inGBK reports whether a double-byte code is an assigned GBK character:
// lead 81–FE, trail 40–FE except 7F, outside the user-defined areas
// (AAA1–AFFE, F8A1–FEFE, A140–A7A0) where fonts hold nothing.
func inGBK(lead, trail byte) bool {
	switch {
	case lead < 0x81 || lead > 0xFE || trail < 0x40 || trail > 0xFE || trail == 0x7F:
		return false
	case lead >= 0xAA && lead <= 0xAF && trail >= 0xA1:
		return false
	case lead >= 0xF8 && trail >= 0xA1:
		return false
	case lead >= 0xA1 && lead <= 0xA7 && trail <= 0xA0:
		return false
	case lead == 0xFE && trail >= 0x50:
		// FE50–FEA0: GB 18030 gives these to radicals and Extension A
		// characters that GBK fonts lack.
		return false
	}
	return true
}

// textImage draws the text of a line as the printer would print it: the
// same cells and sizes, bottom-aligned, wrapped nowhere (a line wider than
// the paper is cut at its edge).
func textImage(ops []lineOp, maxW int) (*image.Paletted, error) {
	var cells []glyph.Bitmap
	width, height := 0, 0
	for _, op := range ops {
		if op.cmd != nil {
			continue
		}
		for _, r := range op.text {
			c, err := glyph.Cell(r)
			if err != nil {
				return nil, err
			}
			c = glyph.Scale(c, op.w, op.h, op.bold)
			if width+c.W > maxW {
				break
			}
			cells = append(cells, c)
			width += c.W
			height = max(height, c.H)
		}
	}
	img := image.NewPaletted(image.Rect(0, 0, max(width, 1), max(height, 1)), glyph.Palette)
	x := 0
	for _, c := range cells {
		glyph.Blit(img, c, x, height-c.H)
		x += c.W
	}
	return img, nil
}

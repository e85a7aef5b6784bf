package glyph

import (
	"image"
	"image/color"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"github.com/shcommunity/kiosk/assets"
)

// Cell geometry of the resident fonts, in dots.
const (
	Height    = 24 // every cell
	HalfWidth = 12 // ASCII (Font A)
	FullWidth = 24 // GBK double-byte characters
	// baseline is where the ideographic em box puts the baseline in a
	// 24-dot cell (0.88 em from the top).
	baseline = 21
	// asciiPx is the em size the Latin glyphs are drawn at: Noto's Latin
	// is proportional and wider than a printer's monospaced Font A, so it
	// is drawn a little smaller and squeezed into the cell when needed.
	asciiPx = 20
	// threshold is the coverage (0..255) from which a dot is black.
	threshold = 100
)

// Palette is white (index 0) and black (index 1): one bit per dot.
var Palette = color.Palette{color.White, color.Black}

// Bitmap is a 1-bit image: Pix[y*W+x] is 1 for a black dot.
type Bitmap struct {
	W, H int
	Pix  []byte
}

// At reports whether the dot at (x, y) is black; outside the bitmap is white.
func (b Bitmap) At(x, y int) bool {
	if x < 0 || y < 0 || x >= b.W || y >= b.H {
		return false
	}
	return b.Pix[y*b.W+x] != 0
}

type key struct {
	r    rune
	wide bool
}

var (
	mu      sync.Mutex
	cache   = map[key]Bitmap{}
	cjkFace font.Face
	latFace font.Face
	faceErr error
)

// Width is the cell width of r: half width for ASCII, full width for
// everything else.
func Width(r rune) int {
	if r < 0x80 {
		return HalfWidth
	}
	return FullWidth
}

// Cell returns the unscaled cell of r (Width(r) × Height). A rune the
// font lacks is drawn as an empty box, the way printers show a missing
// glyph, so that it is visible rather than silently blank. The returned
// bitmap is shared and must not be modified.
func Cell(r rune) (Bitmap, error) {
	k := key{r, Width(r) == FullWidth}
	mu.Lock()
	defer mu.Unlock()
	if b, ok := cache[k]; ok {
		return b, nil
	}
	if cjkFace == nil && faceErr == nil {
		cjkFace, faceErr = assets.Face(FullWidth)
		if faceErr == nil {
			latFace, faceErr = assets.Face(asciiPx)
		}
	}
	if faceErr != nil {
		return Bitmap{}, faceErr
	}
	b := draw1(r, k.wide)
	if len(cache) < 20000 { // bound the cache against hostile streams
		cache[k] = b
	}
	return b, nil
}

func draw1(r rune, wide bool) Bitmap {
	w := HalfWidth
	face := latFace
	if wide {
		w, face = FullWidth, cjkFace
	}
	out := Bitmap{W: w, H: Height, Pix: make([]byte, w*Height)}
	if r == ' ' || r == 0x3000 {
		return out
	}
	if !assets.HasGlyph(r) {
		for x := 2; x < w-2; x++ {
			out.Pix[3*w+x], out.Pix[(Height-3)*w+x] = 1, 1
		}
		for y := 3; y <= Height-3; y++ {
			out.Pix[y*w+2], out.Pix[y*w+w-3] = 1, 1
		}
		return out
	}
	adv, ok := face.GlyphAdvance(r)
	if !ok {
		return out
	}
	aw := adv.Ceil()
	if aw < 1 {
		aw = 1
	}
	mask := image.NewAlpha(image.Rect(0, 0, aw+2, Height))
	d := font.Drawer{Dst: mask, Src: image.Opaque, Face: face, Dot: fixed.P(1, baseline)}
	d.DrawString(string(r))
	mw := mask.Rect.Dx()
	if mw <= w {
		// Centre the glyph in its cell.
		off := (w - mw) / 2
		for y := 0; y < Height; y++ {
			for x := 0; x < mw; x++ {
				if mask.AlphaAt(x, y).A >= threshold {
					out.Pix[y*w+x+off] = 1
				}
			}
		}
		return out
	}
	// Squeeze a wide Latin glyph (W, M, @) into the cell: each target
	// column takes the darkest of the source columns it covers.
	for y := 0; y < Height; y++ {
		for x := 0; x < w; x++ {
			x0, x1 := x*mw/w, (x+1)*mw/w
			if x1 <= x0 {
				x1 = x0 + 1
			}
			var a uint8
			for sx := x0; sx < x1 && sx < mw; sx++ {
				a = max(a, mask.AlphaAt(sx, y).A)
			}
			if a >= threshold {
				out.Pix[y*w+x] = 1
			}
		}
	}
	return out
}

// Scale returns b enlarged w times across and h times down, as GS ! does
// (each dot becomes a w×h block), and with bold (ESC E) applied as a
// one-dot smear to the right.
func Scale(b Bitmap, w, h int, bold bool) Bitmap {
	w, h = max(w, 1), max(h, 1)
	out := Bitmap{W: b.W * w, H: b.H * h, Pix: make([]byte, b.W*w*b.H*h)}
	for y := 0; y < out.H; y++ {
		sy := y / h
		for x := 0; x < out.W; x++ {
			if b.Pix[sy*b.W+x/w] != 0 || (bold && x > 0 && b.Pix[sy*b.W+(x-1)/w] != 0) {
				out.Pix[y*out.W+x] = 1
			}
		}
	}
	return out
}

// ToImage converts b into a paletted image with white at index 0 and black
// at index 1.
func ToImage(b Bitmap) *image.Paletted {
	img := image.NewPaletted(image.Rect(0, 0, b.W, b.H), Palette)
	copy(img.Pix, b.Pix)
	return img
}

// Blit copies the black dots of src onto dst at (x, y), clipped to dst.
func Blit(dst *image.Paletted, src Bitmap, x, y int) {
	r := image.Rect(x, y, x+src.W, y+src.H).Intersect(dst.Rect)
	for py := r.Min.Y; py < r.Max.Y; py++ {
		for px := r.Min.X; px < r.Max.X; px++ {
			if src.Pix[(py-y)*src.W+px-x] != 0 {
				dst.Pix[dst.PixOffset(px, py)] = 1
			}
		}
	}
}

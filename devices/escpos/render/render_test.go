package render_test

import (
	"bytes"
	"errors"
	"image"
	"testing"

	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/escpos/qrtest"
	"github.com/shcommunity/kiosk/devices/escpos/render"
)

func TestNext(t *testing.T) {
	big := []byte{0x1D, 0x76, 0x30, 0, 0xFF, 0xFF, 0xFF, 0xFF}
	tests := []struct {
		name string
		in   []byte
		op   render.Op
		n    int
		err  error
	}{
		{"text run", []byte("AB\xcb\xe6\nC"), render.OpText, 4, nil},
		{"lf", []byte{0x0A, 'A'}, render.OpLF, 1, nil},
		{"init", []byte{0x1B, 0x40, 0x1B}, render.OpInit, 2, nil},
		{"align", []byte{0x1B, 0x61, 1}, render.OpAlign, 3, nil},
		{"size", []byte{0x1D, 0x21, 0x11}, render.OpSize, 3, nil},
		{"chinese on", []byte{0x1C, 0x26}, render.OpChineseOn, 2, nil},
		{"cut", []byte{0x1D, 0x56, 1}, render.OpCut, 3, nil},
		{"feed cut", []byte{0x1D, 0x56, 66, 48}, render.OpCut, 4, nil},
		{"status", []byte{0x10, 0x04, 1}, render.OpStatus, 3, nil},
		{"raster", []byte{0x1D, 0x76, 0x30, 0, 2, 0, 3, 0, 1, 2, 3, 4, 5, 6, 7}, render.OpRaster, 14, nil},
		{"qr store", []byte{0x1D, 0x28, 0x6B, 5, 0, 0x31, 0x50, 0x30, 'A', 'B', 0}, render.OpQR, 10, nil},
		{"graphics GS ( L", []byte{0x1D, 0x28, 0x4C, 2, 0, 0x30, 0x32, 9}, render.OpOther, 7, nil},
		{"ESC * 24-dot", []byte{0x1B, 0x2A, 33, 2, 0, 1, 2, 3, 4, 5, 6, 7}, render.OpOther, 11, nil},
		{"GS k NUL-terminated", []byte{0x1D, 0x6B, 4, '1', '2', 0, 'x'}, render.OpOther, 6, nil},
		{"GS k counted", []byte{0x1D, 0x6B, 73, 2, '1', '2', 'x'}, render.OpOther, 6, nil},
		{"GS 8 L", []byte{0x1D, 0x38, 0x4C, 2, 0, 0, 0, 0x30, 0x32, 'x'}, render.OpOther, 9, nil},
		{"FS 2 user kanji", append([]byte{0x1C, 0x32, 0xFE, 0xA1}, make([]byte, 73)...), render.OpOther, 76, nil},
		{"unknown ESC", []byte{0x1B, 0x01, 'A'}, render.OpUnknown, 2, nil},
		{"unknown GS", []byte{0x1D, 0x01, 'A'}, render.OpUnknown, 2, nil},
		{"lone DLE", []byte{0x10, 'A'}, render.OpControl, 1, nil},
		{"control", []byte{0x07}, render.OpControl, 1, nil},
		{"incomplete raster", []byte{0x1D, 0x76, 0x30, 0, 2, 0, 3, 0, 1}, 0, 0, render.ErrIncomplete},
		{"incomplete header", []byte{0x1D, 0x28}, 0, 0, render.ErrIncomplete},
		{"empty", nil, 0, 0, render.ErrIncomplete},
		{"hostile length", big, 0, 8 + 0xFFFF*0xFFFF, render.ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, n, err := render.Next(tt.in)
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if n != tt.n {
				t.Errorf("n = %d, want %d", n, tt.n)
			}
			if err == nil {
				if tok.Op != tt.op {
					t.Errorf("op = %d, want %d", tok.Op, tt.op)
				}
				if !bytes.Equal(tok.Raw, tt.in[:n]) {
					t.Errorf("Raw = % x, want % x", tok.Raw, tt.in[:n])
				}
			}
		})
	}
}

// ink counts black dots in r of img.
func ink(img image.Image, r image.Rectangle) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if c, _, _, _ := img.At(x, y).RGBA(); c < 0x8000 {
				n++
			}
		}
	}
	return n
}

func render1(t *testing.T, data []byte) image.Image {
	t.Helper()
	imgs, err := render.Render(data, escpos.Profile58)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if len(imgs) != 1 {
		t.Fatalf("Render gave %d images, want 1", len(imgs))
	}
	return imgs[0]
}

func TestRenderText(t *testing.T) {
	tests := []struct {
		name   string
		data   []byte
		height int
		inked  image.Rectangle // must have ink
		blank  image.Rectangle // must have none
	}{
		{"ascii cell", []byte("A\n"), 30, image.Rect(0, 0, 12, 24), image.Rect(12, 0, 384, 30)},
		{"chinese cell", []byte("\xcb\xe6\n"), 30, image.Rect(0, 0, 24, 24), image.Rect(24, 0, 384, 30)},
		{"centred", []byte("\x1ba\x01\xcb\xe6\n"), 30, image.Rect(180, 0, 204, 24), image.Rect(0, 0, 180, 30)},
		{"right", []byte("\x1ba\x02A\n"), 30, image.Rect(372, 0, 384, 24), image.Rect(0, 0, 372, 30)},
		{"double size", []byte("\x1d!\x11\xcb\xe6\n"), 48, image.Rect(0, 0, 48, 48), image.Rect(48, 0, 384, 48)},
		{"line spacing", []byte("\x1b3\x40A\n"), 64, image.Rect(0, 0, 12, 24), image.Rect(0, 24, 384, 64)},
		{"feed lines", []byte("\x1bd\x02"), 60, image.Rectangle{}, image.Rect(0, 0, 384, 60)},
		{"wraps at the edge", bytes.Repeat([]byte("\xcb\xe6"), 17), 60, image.Rect(0, 30, 24, 54), image.Rect(24, 30, 384, 60)},
		{"ascii outside chinese mode", []byte("\x1c.\xcb\xe6\n"), 30, image.Rectangle{}, image.Rect(0, 0, 384, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := append(tt.data, 0x1D, 0x56, 1)
			if bytes.HasPrefix(tt.data, bytes.Repeat([]byte("\xcb\xe6"), 17)) {
				data = append(append([]byte{}, tt.data...), 0x0A, 0x1D, 0x56, 1)
			}
			img := render1(t, data)
			if h := img.Bounds().Dy(); h != tt.height || img.Bounds().Dx() != 384 {
				t.Errorf("size %v, want 384×%d", img.Bounds().Size(), tt.height)
			}
			if !tt.inked.Empty() && ink(img, tt.inked) < 20 {
				t.Errorf("no ink in %v", tt.inked)
			}
			if n := ink(img, tt.blank); n != 0 {
				t.Errorf("%d black dots in %v, want none", n, tt.blank)
			}
		})
	}
}

func TestRenderBoldSmears(t *testing.T) {
	plain := render1(t, []byte("I\n\x1dV\x01"))
	bold := render1(t, []byte("\x1bE\x01I\n\x1dV\x01"))
	cell := image.Rect(0, 0, 12, 24)
	if p, b := ink(plain, cell), ink(bold, cell); b <= p {
		t.Errorf("bold has %d dots, plain %d: want more", b, p)
	}
}

func TestRenderRaster(t *testing.T) {
	// Two rows of 16 dots: 0x80 0x01 / 0xFF 0x00, centred on 384 dots.
	data := []byte{0x1B, 0x61, 1, 0x1D, 0x76, 0x30, 0, 2, 0, 2, 0, 0x80, 0x01, 0xFF, 0x00, 0x1D, 0x56, 0}
	img := render1(t, data).(*image.Paletted)
	if got := img.Bounds(); got != image.Rect(0, 0, 384, 2) {
		t.Fatalf("bounds %v, want 384×2", got)
	}
	const off = (384 - 16) / 2
	var got []int
	for y := range 2 {
		for x := range 384 {
			if img.ColorIndexAt(x, y) == 1 {
				got = append(got, y*1000+x-off)
			}
		}
	}
	want := []int{0, 15, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007}
	if len(got) != len(want) {
		t.Fatalf("black dots %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("black dots %v, want %v", got, want)
		}
	}
}

func TestRenderNativeQR(t *testing.T) {
	const content = "HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH"
	for _, module := range []int{1, 4, 8} {
		b := escpos.NewBuilder(escpos.Profile58).Align(escpos.AlignCenter).Feed(2).NativeQR(content, module, escpos.QRLevelQ).Feed(2).Cut(escpos.CutFull)
		data, err := b.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		img := render1(t, data)
		sym, _ := escpos.QRSymbol([]byte(content), escpos.QRLevelQ)
		if want := 60 + len(sym)*module + 60; img.Bounds().Dy() != want {
			t.Errorf("module %d: height %d, want %d", module, img.Bounds().Dy(), want)
		}
		if module < 4 {
			continue // one- to three-dot modules are below what the decoder resolves at 1:1
		}
		if got, err := qrtest.Decode(img); err != nil || got != content {
			t.Errorf("module %d: decoded %q, %v; want %q", module, got, err, content)
		}
	}
}

func TestRenderCutsAndFlush(t *testing.T) {
	imgs, err := render.Render([]byte("A\n\x1dV\x01\x1dV\x01B\nC"), escpos.Profile80)
	if err != nil {
		t.Fatal(err)
	}
	// Two slips: "A", then (an empty cut prints nothing) "B" and "C" torn off.
	if len(imgs) != 2 {
		t.Fatalf("%d slips, want 2", len(imgs))
	}
	if w := imgs[0].Bounds().Dx(); w != 576 {
		t.Errorf("80 mm slip %d dots wide, want 576", w)
	}
	if h := imgs[1].Bounds().Dy(); h != 60 {
		t.Errorf("second slip %d rows, want 60 (a line and the unterminated one)", h)
	}
}

func TestRenderIncomplete(t *testing.T) {
	imgs, err := render.Render([]byte("A\n\x1dV\x01B\n\x1d\x76\x30\x00\x02"), escpos.Profile58)
	if !errors.Is(err, render.ErrIncomplete) {
		t.Fatalf("err = %v, want ErrIncomplete", err)
	}
	if len(imgs) != 2 {
		t.Errorf("%d slips before the cut-off command, want 2", len(imgs))
	}
}

func FuzzRender(f *testing.F) {
	f.Add([]byte("A\n\x1dV\x01"))
	f.Add([]byte("\x1b@\x1c&\x1ba\x01\x1d!\x11\xcb\xe6\xc9\xea\n\x1bE\x01X\x1bJ\x10\x1bd\x02\x1dVB0"))
	f.Add([]byte{0x1D, 0x76, 0x30, 0, 2, 0, 2, 0, 0x80, 0x01, 0xFF, 0x00})
	f.Add([]byte{0x1D, 0x76, 0x30, 3, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{0x1D, 0x28, 0x6B, 3, 0, 0x31, 0x43, 8, 0x1D, 0x28, 0x6B, 5, 0, 0x31, 0x50, 0x30, 'A', 'B',
		0x1D, 0x28, 0x6B, 3, 0, 0x31, 0x51, 0x30})
	f.Add([]byte{0x1B, 0x26, 3, 0x20, 0x7E, 2, 1, 2, 3})
	f.Add([]byte{0x1C, 0x71, 2, 1, 0, 1, 0})
	f.Add([]byte{0xFE, 0x9F, 0x81, 0x0A, 0x81})
	f.Fuzz(func(t *testing.T, data []byte) {
		// Next never reads past its input nor claims more than it has.
		rest := data
		for len(rest) > 0 {
			tok, n, err := render.Next(rest)
			if errors.Is(err, render.ErrTooLong) {
				if n <= render.MaxCommand {
					t.Fatalf("ErrTooLong with length %d", n)
				}
				break
			}
			if err != nil {
				break
			}
			if n <= 0 || n > len(rest) || len(tok.Raw) != n {
				t.Fatalf("Next(% x) = %d bytes, raw %d, of %d", rest, n, len(tok.Raw), len(rest))
			}
			rest = rest[n:]
		}
		imgs, _ := render.Render(data, escpos.Profile58)
		for _, img := range imgs {
			b := img.Bounds()
			if b.Dx() != 384 || b.Dy() <= 0 || b.Dy() > render.MaxSlipDots {
				t.Fatalf("slip %v", b)
			}
		}
	})
}

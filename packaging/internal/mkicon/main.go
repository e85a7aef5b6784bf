package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
)

// Sizes are the square sizes drawn, in pixels. The hicolor theme gets each
// of them; the .ico gets those in icoSizes.
var Sizes = []int{16, 24, 32, 48, 64, 128, 256}

var icoSizes = []int{16, 24, 32, 48, 64, 256}

var (
	green = color.NRGBA{0x1a, 0x9e, 0x4b, 0xff} // the "green code" colour
	white = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	ink   = color.NRGBA{0x1b, 0x1f, 0x23, 0xff}
)

// modules is a 21×21 pattern in the manner of a version-1 QR code: three
// finder squares and a fixed scatter of data modules. It is decoration,
// not a readable code.
var modules = func() [21][21]bool {
	var m [21][21]bool
	finder := func(r0, c0 int) {
		for r := 0; r < 7; r++ {
			for c := 0; c < 7; c++ {
				ring := r == 0 || r == 6 || c == 0 || c == 6
				core := r >= 2 && r <= 4 && c >= 2 && c <= 4
				m[r0+r][c0+c] = ring || core
			}
		}
	}
	finder(0, 0)
	finder(0, 14)
	finder(14, 0)
	// A fixed linear congruential scatter keeps the drawing deterministic.
	x := uint32(20200211)
	for r := 0; r < 21; r++ {
		for c := 0; c < 21; c++ {
			inFinder := (r < 8 && c < 8) || (r < 8 && c > 12) || (r > 12 && c < 8)
			if inFinder {
				continue
			}
			x = x*1664525 + 1013904223
			m[r][c] = x>>29&1 == 1
		}
	}
	return m
}()

// Draw renders the icon at size×size pixels with 4×4 supersampling.
func Draw(size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					u := (float64(x) + (float64(sx)+0.5)/ss) / float64(size)
					v := (float64(y) + (float64(sy)+0.5)/ss) / float64(size)
					c := sample(u, v)
					fa := float64(c.A) / 255
					r += float64(c.R) * fa
					g += float64(c.G) * fa
					b += float64(c.B) * fa
					a += fa
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(x, y, color.NRGBA{
				R: uint8(math.Round(r / a)), G: uint8(math.Round(g / a)), B: uint8(math.Round(b / a)),
				A: uint8(math.Round(a / (ss * ss) * 255)),
			})
		}
	}
	return img
}

// sample is the icon as a function of the unit square.
func sample(u, v float64) color.NRGBA {
	if !inRoundRect(u, v, 0.02, 0.98, 0.18) {
		return color.NRGBA{}
	}
	if !inRoundRect(u, v, 0.14, 0.86, 0.08) {
		return green
	}
	// The code area with a one-module quiet zone inside the white card.
	const lo, hi = 0.19, 0.81
	if u < lo || u >= hi || v < lo || v >= hi {
		return white
	}
	c := int((u - lo) / (hi - lo) * 21)
	r := int((v - lo) / (hi - lo) * 21)
	if modules[r][c] {
		return ink
	}
	return white
}

func inRoundRect(u, v, lo, hi, rad float64) bool {
	if u < lo || u > hi || v < lo || v > hi {
		return false
	}
	cu := math.Min(math.Max(u, lo+rad), hi-rad)
	cv := math.Min(math.Max(v, lo+rad), hi-rad)
	return (u-cu)*(u-cu)+(v-cv)*(v-cv) <= rad*rad
}

// WriteICO writes an .ico holding the given images, each square and at
// most 256 pixels wide. Images of 256 pixels are stored as PNG, the others
// as 32-bit DIBs, which every Windows version and windres accept.
func WriteICO(w io.Writer, imgs []*image.NRGBA) error {
	var payloads [][]byte
	for _, img := range imgs {
		n := img.Bounds().Dx()
		if n != img.Bounds().Dy() || n < 1 || n > 256 {
			return fmt.Errorf("ico: image %dx%d: want a square of 1 to 256 pixels", n, img.Bounds().Dy())
		}
		var buf bytes.Buffer
		if n == 256 {
			if err := png.Encode(&buf, img); err != nil {
				return fmt.Errorf("ico: %w", err)
			}
		} else {
			writeDIB(&buf, img)
		}
		payloads = append(payloads, buf.Bytes())
	}
	var out bytes.Buffer
	le := binary.LittleEndian
	// ICONDIR: reserved, type 1 (icon), count.
	_ = binary.Write(&out, le, [3]uint16{0, 1, uint16(len(imgs))})
	offset := 6 + 16*len(imgs)
	for i, img := range imgs {
		n := img.Bounds().Dx()
		dim := uint8(n) // 256 is written as 0
		// ICONDIRENTRY: width, height, colours, reserved, planes, bpp, size, offset.
		out.Write([]byte{dim, dim, 0, 0})
		_ = binary.Write(&out, le, [2]uint16{1, 32})
		_ = binary.Write(&out, le, [2]uint32{uint32(len(payloads[i])), uint32(offset)})
		offset += len(payloads[i])
	}
	for _, p := range payloads {
		out.Write(p)
	}
	_, err := w.Write(out.Bytes())
	return err
}

// writeDIB writes a BITMAPINFOHEADER, the BGRA rows bottom-up and the
// 1-bit AND mask (all zero: the alpha channel decides).
func writeDIB(buf *bytes.Buffer, img *image.NRGBA) {
	n := img.Bounds().Dx()
	maskStride := (n + 31) / 32 * 4
	le := binary.LittleEndian
	_ = binary.Write(buf, le, struct {
		Size                   uint32
		Width, Height          int32
		Planes, BitCount       uint16
		Compression, SizeImage uint32
		XPels, YPels           int32
		ClrUsed, ClrImportant  uint32
	}{40, int32(n), int32(2 * n), 1, 32, 0, uint32(n*n*4 + maskStride*n), 0, 0, 0, 0})
	for y := n - 1; y >= 0; y-- {
		for x := 0; x < n; x++ {
			c := img.NRGBAAt(x, y)
			buf.Write([]byte{c.B, c.G, c.R, c.A})
		}
	}
	buf.Write(make([]byte, maskStride*n))
}

func run(out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	drawn := map[int]*image.NRGBA{}
	for _, s := range Sizes {
		img := Draw(s)
		drawn[s] = img
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, fmt.Sprintf("kiosk-%d.png", s)), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	var ico []*image.NRGBA
	for _, s := range icoSizes {
		ico = append(ico, drawn[s])
	}
	f, err := os.Create(filepath.Join(out, "kiosk.ico"))
	if err != nil {
		return err
	}
	if err := WriteICO(f, ico); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func main() {
	out := flag.String("out", ".", "directory to write kiosk-N.png and kiosk.ico into")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "mkicon:", err)
		os.Exit(1)
	}
}

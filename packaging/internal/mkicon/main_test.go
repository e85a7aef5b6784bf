package main

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func TestRunWritesEverySize(t *testing.T) {
	dir := t.TempDir()
	if err := run(dir); err != nil {
		t.Fatal(err)
	}
	for _, s := range Sizes {
		f, err := os.Open(filepath.Join(dir, "kiosk-"+itoa(s)+".png"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("kiosk-%d.png: %v", s, err)
		}
		if b := img.Bounds(); b.Dx() != s || b.Dy() != s {
			t.Errorf("kiosk-%d.png is %dx%d", s, b.Dx(), b.Dy())
		}
		// Transparent corners, opaque green border, white card middle.
		if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
			t.Errorf("kiosk-%d.png: corner alpha %d, want transparent", s, a)
		}
		if r, g, b, a := img.At(s/2, s/20+1).RGBA(); a != 0xffff || g <= r || g <= b {
			t.Errorf("kiosk-%d.png: border pixel %x %x %x %x, want opaque green", s, r, g, b, a)
		}
	}
	ico, err := os.ReadFile(filepath.Join(dir, "kiosk.ico"))
	if err != nil {
		t.Fatal(err)
	}
	checkICO(t, ico, icoSizes)
}

// checkICO parses the ICONDIR and checks each entry's size and payload.
func checkICO(t *testing.T, ico []byte, sizes []int) {
	t.Helper()
	le := binary.LittleEndian
	if len(ico) < 6 || le.Uint16(ico[0:]) != 0 || le.Uint16(ico[2:]) != 1 {
		t.Fatalf("not an icon file: % x", ico[:min(6, len(ico))])
	}
	if n := int(le.Uint16(ico[4:])); n != len(sizes) {
		t.Fatalf("%d images, want %d", n, len(sizes))
	}
	for i, s := range sizes {
		e := ico[6+16*i:]
		w := int(e[0])
		if w == 0 {
			w = 256
		}
		size, off := le.Uint32(e[8:]), le.Uint32(e[12:])
		if w != s || le.Uint16(e[6:]) != 32 {
			t.Errorf("entry %d: width %d bpp %d, want %d and 32", i, w, le.Uint16(e[6:]), s)
		}
		if int(off+size) > len(ico) {
			t.Fatalf("entry %d runs past the file", i)
		}
		data := ico[off : off+size]
		if s == 256 {
			if _, err := png.Decode(bytes.NewReader(data)); err != nil {
				t.Errorf("256 px entry is not a PNG: %v", err)
			}
			continue
		}
		if le.Uint32(data) != 40 || int(int32(le.Uint32(data[4:]))) != s || int(int32(le.Uint32(data[8:]))) != 2*s {
			t.Errorf("entry %d: bad BITMAPINFOHEADER % x", i, data[:12])
		}
		if want := 40 + s*s*4 + (s+31)/32*4*s; len(data) != want {
			t.Errorf("entry %d: %d bytes, want %d", i, len(data), want)
		}
	}
}

func TestWriteICORejectsBadSizes(t *testing.T) {
	for _, r := range []image.Rectangle{image.Rect(0, 0, 16, 8), image.Rect(0, 0, 300, 300)} {
		if err := WriteICO(&bytes.Buffer{}, []*image.NRGBA{image.NewNRGBA(r)}); err == nil {
			t.Errorf("WriteICO(%v) = nil, want an error", r)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

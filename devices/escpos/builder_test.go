package escpos_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"slices"
	"testing"

	"github.com/shcommunity/kiosk/devices/escpos"
)

func TestBuilderCommands(t *testing.T) {
	b := func() *escpos.Builder { return escpos.NewBuilder(escpos.Profile58) }
	qrHello := []byte{
		0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00,
		0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x05,
		0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31,
		0x1D, 0x28, 0x6B, 0x08, 0x00, 0x31, 0x50, 0x30, 'H', 'E', 'L', 'L', 'O',
		0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30,
	}
	tests := []struct {
		name string
		b    *escpos.Builder
		want []byte
	}{
		{"init", b().Init(), []byte{0x1B, 0x40, 0x1B, 0x33, 30}},
		{"chinese on", b().Chinese(true), []byte{0x1C, 0x26}},
		{"chinese off", b().Chinese(false), []byte{0x1C, 0x2E}},
		{"size 2x2", b().Size(2, 2), []byte{0x1D, 0x21, 0x11}},
		{"size 1x2", b().Size(1, 2), []byte{0x1D, 0x21, 0x01}},
		{"align centre", b().Align(escpos.AlignCenter), []byte{0x1B, 0x61, 1}},
		{"bold", b().Bold(true).Bold(false), []byte{0x1B, 0x45, 1, 0x1B, 0x45, 0}},
		{"ascii line", b().Line("AB"), []byte{'A', 'B', 0x0A}},
		{"gbk line", b().Line("随申码"), []byte{0xCB, 0xE6, 0xC9, 0xEA, 0xC2, 0xEB, 0x0A}},
		{"mode inside a line keeps its place", b().Text("A").Bold(true).Text("B").LF(), []byte{'A', 0x1B, 0x45, 1, 'B', 0x0A}},
		{"control characters become spaces", b().Line("A\x1b@\nB"), []byte{'A', ' ', '@', ' ', 'B', 0x0A}},
		{"empty line", b().LF(), []byte{0x0A}},
		{"feed lines", b().Feed(3), []byte{0x1B, 0x64, 3}},
		{"text then feed ends the line", b().Text("A").Feed(2), []byte{'A', 0x0A, 0x1B, 0x64, 2}},
		{"feed dots", b().FeedDots(24), []byte{0x1B, 0x4A, 24}},
		{"full cut", b().Cut(escpos.CutFull), []byte{0x1D, 0x56, 0}},
		{"partial cut", b().Cut(escpos.CutPartial), []byte{0x1D, 0x56, 1}},
		{"feed and partial cut", b().FeedAndCut(escpos.CutPartial, 48), []byte{0x1D, 0x56, 66, 48}},
		{"feed and full cut", b().FeedAndCut(escpos.CutFull, 0), []byte{0x1D, 0x56, 65, 0}},
		{"status request", b().StatusRequest(escpos.StatusPaperSensor), []byte{0x10, 0x04, 4}},
		{"native qr", b().NativeQR("HELLO", 5, escpos.QRLevelM), qrHello},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.b.Bytes()
			if err != nil {
				t.Fatalf("Bytes: %v", err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got  % x\nwant % x", got, tt.want)
			}
		})
	}
}

func TestNativeQRCost(t *testing.T) {
	// The native sequence costs 41 bytes plus the data (docs/escpos.md,
	// "Native QR: GS ( k").
	data := string(bytes.Repeat([]byte("A1"), 100))
	got, err := escpos.NewBuilder(escpos.Profile58).NativeQR(data, 4, escpos.QRLevelM).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if want := 41 + len(data); len(got) != want {
		t.Errorf("native QR of %d bytes costs %d bytes, want %d", len(data), len(got), want)
	}
}

func TestBuilderErrors(t *testing.T) {
	b := func() *escpos.Builder { return escpos.NewBuilder(escpos.Profile58) }
	wide := image.NewGray(image.Rect(0, 0, 385, 8))
	tests := []struct {
		name string
		b    *escpos.Builder
		want error
	}{
		{"size 0", b().Size(0, 1), escpos.ErrInvalidArgument},
		{"size 9", b().Size(1, 9), escpos.ErrInvalidArgument},
		{"align 3", b().Align(3), escpos.ErrInvalidArgument},
		{"feed 256", b().Feed(256), escpos.ErrInvalidArgument},
		{"status 5", b().StatusRequest(5), escpos.ErrInvalidArgument},
		{"qr module 0", b().NativeQR("A", 0, escpos.QRLevelM), escpos.ErrInvalidArgument},
		{"qr module 17", b().NativeQR("A", 17, escpos.QRLevelM), escpos.ErrInvalidArgument},
		{"qr level", b().NativeQR("A", 3, 0x34), escpos.ErrInvalidArgument},
		{"qr empty", b().NativeQR("", 3, escpos.QRLevelM), escpos.ErrQRData},
		{"qr wider than paper", b().NativeQR(string(bytes.Repeat([]byte{'x'}, 300)), 16, escpos.QRLevelM), escpos.ErrTooWide},
		{"raster wider than paper", b().Raster(wide), escpos.ErrTooWide},
		{"first error kept", b().Size(0, 0).Feed(300), escpos.ErrInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.b.Bytes()
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if got != nil {
				t.Errorf("got % x with an error, want nil", got)
			}
		})
	}
}

func TestRaster(t *testing.T) {
	// A 10-dot-wide image pads to 2 bytes a row; dark below half luminance.
	img := image.NewNRGBA(image.Rect(0, 0, 10, 2))
	for x := range 10 {
		img.Set(x, 0, color.White)
		img.Set(x, 1, color.White)
	}
	img.Set(0, 0, color.Gray{0x7F}) // dark
	img.Set(1, 0, color.Gray{0x80}) // light
	img.Set(9, 0, color.Black)
	img.Set(2, 1, color.NRGBA{0, 0, 0, 0}) // transparent: white
	img.Set(8, 1, color.Black)
	got, err := escpos.NewBuilder(escpos.Profile58).Raster(img).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0x1D, 0x76, 0x30, 0, 2, 0, 2, 0, 0x80, 0x40, 0x00, 0x80}
	if !bytes.Equal(got, want) {
		t.Errorf("got  % x\nwant % x", got, want)
	}
}

func TestRasterBands(t *testing.T) {
	tests := []struct {
		w, h  int
		bands []int // rows per band
	}{
		{16, 600, []int{255, 255, 90}}, // 2 bytes a row: the row limit binds
		{384, 100, []int{42, 42, 16}},  // 48 bytes a row: the 2 KB limit binds
		{8, 1, []int{1}},
	}
	for _, tt := range tests {
		img := image.NewGray(image.Rect(0, 0, tt.w, tt.h))
		got, err := escpos.NewBuilder(escpos.Profile58).Raster(img).Bytes()
		if err != nil {
			t.Fatal(err)
		}
		xb := (tt.w + 7) / 8
		var bands []int
		for len(got) > 0 {
			if len(got) < 8 || !bytes.Equal(got[:4], []byte{0x1D, 0x76, 0x30, 0}) {
				t.Fatalf("%dx%d: band header % x", tt.w, tt.h, got[:min(8, len(got))])
			}
			if x := int(got[4]) | int(got[5])<<8; x != xb {
				t.Fatalf("%dx%d: band of %d bytes a row, want %d", tt.w, tt.h, x, xb)
			}
			rows := int(got[6]) | int(got[7])<<8
			bands = append(bands, rows)
			got = got[8+xb*rows:]
		}
		if !slices.Equal(bands, tt.bands) {
			t.Errorf("%dx%d: bands %v, want %v", tt.w, tt.h, bands, tt.bands)
		}
	}
}

func TestTextOutsideGBKIsRastered(t *testing.T) {
	// 䶮 (U+4DAE) is in CJK Extension A, outside GBK: x/text would encode
	// it as FE 9F (GB 18030), which a GBK font does not have.
	got, err := escpos.NewBuilder(escpos.Profile58).Align(escpos.AlignCenter).Text("姓名：王").Text("䶮").LF().Line("A").Bytes()
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(got, []byte{0x1D, 0x76, 0x30, 0})
	if i < 0 {
		t.Fatalf("no GS v 0 raster in % x", got)
	}
	xb := int(got[i+4]) | int(got[i+5])<<8
	rows := int(got[i+6]) | int(got[i+7])<<8
	if rows != 24 {
		t.Errorf("raster of %d rows, want the 24-dot text height", rows)
	}
	// 4 full-width characters (24 dots) and one half-width ':'? No: '：'
	// is full width. Five cells of 24 dots = 120 dots = 15 bytes.
	if xb != 15 {
		t.Errorf("raster %d bytes wide, want 15", xb)
	}
	rest := got[i+8+xb*rows:]
	if want := []byte{0x1B, 0x4A, 6, 'A', 0x0A}; !bytes.Equal(rest, want) {
		t.Errorf("after the raster: % x, want % x (feed the rest of the line pitch)", rest, want)
	}
	if bytes.Contains(got, []byte{0xFE, 0x9F}) || bytes.Contains(got[:i], []byte{'?'}) {
		t.Errorf("the character went out as text: % x", got[:i])
	}
	ink := 0
	for _, c := range got[i+8 : i+8+xb*rows] {
		for ; c != 0; c &= c - 1 {
			ink++
		}
	}
	if ink < 100 {
		t.Errorf("raster has %d black dots, want the drawn text", ink)
	}
}

func TestQRSymbolLowestVersion(t *testing.T) {
	tests := []struct {
		data    string
		level   escpos.QRLevel
		modules int
	}{
		{"HELLO", escpos.QRLevelM, 21},                                // version 1
		{string(bytes.Repeat([]byte("A"), 122)), escpos.QRLevelM, 37}, // version 5 holds 122 alphanumerics at M
		{string(bytes.Repeat([]byte("A"), 123)), escpos.QRLevelM, 41}, // one more: version 6
		{string(bytes.Repeat([]byte("A"), 200)), escpos.QRLevelM, 49}, // version 8 (7 holds 178)
		{string(bytes.Repeat([]byte("A"), 200)), escpos.QRLevelH, 61}, // version 11 holds 200 at H
	}
	for _, tt := range tests {
		sym, err := escpos.QRSymbol([]byte(tt.data), tt.level)
		if err != nil {
			t.Fatal(err)
		}
		if len(sym) != tt.modules || len(sym[0]) != tt.modules {
			t.Errorf("%d bytes at %v: %d×%d modules, want %d", len(tt.data), tt.level, len(sym), len(sym[0]), tt.modules)
		}
	}
	if _, err := escpos.QRSymbol(bytes.Repeat([]byte{'x'}, 8000), escpos.QRLevelL); !errors.Is(err, escpos.ErrQRData) {
		t.Errorf("8000 bytes: err = %v, want ErrQRData", err)
	}
}

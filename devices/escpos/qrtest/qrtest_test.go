package qrtest

import (
	"image/png"
	"os"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// A real slip (58 mm, native QR) whose symbol is valid — zbarimg reads it —
// but which gozxing cannot read the right way up. Decode must read it by
// turning it, as a scanner held at another angle would.
func TestDecodeTurnsWhatGozxingMissesUpright(t *testing.T) {
	f, err := os.Open("testdata/gozxing-misses-upright.png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/gozxing-misses-upright.txt")
	if err != nil {
		t.Fatal(err)
	}
	// The premise: upright, gozxing alone fails (if a later gozxing reads
	// it, this test has lost its point and the fixture should be replaced).
	bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
	if r, err := qrcode.NewQRCodeReader().Decode(bmp, nil); err == nil && r.GetText() == string(want) {
		t.Fatal("gozxing now reads the fixture upright; find a new one")
	}
	got, err := Decode(img)
	if err != nil || got != string(want) {
		t.Fatalf("Decode = %q, %v; want %q", got, err, want)
	}
}

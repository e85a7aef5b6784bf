package token_test

import (
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/skip2/go-qrcode"

	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/healthcode"
)

// longest gives claims whose token is as large as Sign allows: the longest
// masked name alone (MaxNameBytes), or with a typical status claim (as-of a
// few seconds before issue, version below 128: two bytes) the longest name
// that still fits.
func longest(withClaim bool) token.Claims {
	c := claims()
	if !withClaim {
		c.Status = nil
		c.MaskedName = "买******力" // an eight-character name masked: 12 bytes
		return c
	}
	c.MaskedName = "买***力" // a five-character name masked: 9 bytes
	return c
}

// TestQRSize measures the QR code of the typical and the largest tokens
// with the library the kiosk prints with and reads them back with another.
func TestQRSize(t *testing.T) {
	big := longest(true)
	big.Status = &token.StatusClaim{Colour: healthcode.Red, AsOf: big.IssuedAt.Add(-20 * time.Hour), Version: 20000}
	big.MaskedName = token.CompactName("买****力", big.NameRoom())
	yellow := yellowUntil(13 * 24 * time.Hour)
	yellow.MaskedName = token.CompactName("买****力", yellow.NameRoom())
	tests := []struct {
		name string
		c    token.Claims
	}{
		{"3-char name, claim", claims()},
		{"longest name, no claim", longest(false)},
		{"longest name with a typical claim", longest(true)},
		{"large claim (7 bytes), name that fits", big},
		{"yellow claim ending in 13 days (5 bytes), name that fits", yellow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text := sign(t, shNew, tc.c)
			raw, _ := token.DecodeBase45(strings.TrimPrefix(text, token.Prefix))
			q, err := qrcode.New(text, qrcode.Medium)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("QR: name %q (%d bytes), claim %v: %d bytes, %d characters, QR version %d-M",
				tc.c.MaskedName, len(tc.c.MaskedName), tc.c.Status != nil, len(raw), len(text), q.VersionNumber)
			if q.VersionNumber > 6 {
				t.Errorf("QR version %d, want at most 6", q.VersionNumber)
			}
			if got := readQR(t, q); got != text {
				t.Errorf("QR reads back as %q, want %q", got, text)
			}
		})
	}
}

func readQR(t *testing.T, q *qrcode.QRCode) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(q.Image(-4)) // 4 pixels a module
	if err != nil {
		t.Fatal(err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode QR: %v", err)
	}
	return res.GetText()
}

// BenchmarkQRSize reports the size of the largest token Sign makes.
func BenchmarkQRSize(b *testing.B) {
	text := sign(b, shNew, longest(false))
	var version int
	for b.Loop() {
		q, err := qrcode.New(text, qrcode.Medium)
		if err != nil {
			b.Fatal(err)
		}
		version = q.VersionNumber
	}
	b.ReportMetric(float64(len(text)), "chars")
	b.ReportMetric(float64(version), "qr-version")
}

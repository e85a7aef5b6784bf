package escpos

import (
	"fmt"

	qrcode "github.com/skip2/go-qrcode"
)

// QRLevel is a QR error correction level as GS ( k Fn169 sends it.
type QRLevel byte

// The four levels, with the byte values of Fn169.
const (
	QRLevelL QRLevel = 0x30 // 7 %
	QRLevelM QRLevel = 0x31 // 15 %
	QRLevelQ QRLevel = 0x32 // 25 %
	QRLevelH QRLevel = 0x33 // 30 %
)

// Limits of GS ( k (docs/escpos.md, "Native QR: GS ( k").
const (
	QRMinModule = 1
	QRMaxModule = 16
	// QRMaxData is the most bytes Fn180 can store (pL+pH·256 ≤ 7092).
	QRMaxData = 7092 - 3
	// QRDefaultModule and QRDefaultLevel are the printer's power-on values.
	QRDefaultModule = 3
	QRDefaultLevel  = QRLevelL
)

func (l QRLevel) String() string {
	switch l {
	case QRLevelL:
		return "L"
	case QRLevelM:
		return "M"
	case QRLevelQ:
		return "Q"
	case QRLevelH:
		return "H"
	}
	return fmt.Sprintf("QRLevel(%#x)", byte(l))
}

// Valid reports whether l is one of the four levels.
func (l QRLevel) Valid() bool { return l >= QRLevelL && l <= QRLevelH }

func (l QRLevel) recovery() qrcode.RecoveryLevel {
	switch l {
	case QRLevelM:
		return qrcode.Medium
	case QRLevelQ:
		return qrcode.High
	case QRLevelH:
		return qrcode.Highest
	}
	return qrcode.Low
}

// QRSymbol returns the modules of the model 2 QR symbol for data at level,
// without the quiet zone: sym[y][x] is true for a dark module. Like a
// printer it uses the lowest version the data fits in. Both the raster
// fallback and the renderer's drawing of a native QR use it, so the two
// print the same symbol.
func QRSymbol(data []byte, level QRLevel) ([][]bool, error) {
	if len(data) == 0 || len(data) > QRMaxData {
		return nil, fmt.Errorf("qr: %d bytes of data: %w", len(data), ErrQRData)
	}
	if !level.Valid() {
		return nil, fmt.Errorf("qr: level %#x: %w", byte(level), ErrQRData)
	}
	q, err := qrcode.New(string(data), level.recovery())
	if err != nil {
		return nil, fmt.Errorf("qr: %v: %w", err, ErrQRData)
	}
	q.DisableBorder = true
	return q.Bitmap(), nil
}

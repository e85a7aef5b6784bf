package slip

import (
	"time"

	"github.com/shcommunity/kiosk/pii"
)

// SamplePrefix begins the QR content of every sample slip, so that a
// scanner (or a test) tells it from a paper code at once.
const SamplePrefix = "SAMPLE SLIP "

// Sample is an obviously fake slip for trying a printer, from the
// first-run screen's test print or `kioskctl print-sample`: a name and
// number that belong to nobody (the GB 11643 worked example), a QR that
// is no token, and a centre line that says it is no valid code. from
// names what printed it ("KIOSKCTL", "FIRST RUN").
func Sample(now time.Time, from string) Slip {
	return Slip{
		Title:      "打印测试 · PRINT TEST",
		Name:       pii.Name("测试样张"),
		ID:         pii.IDNumber("11010519491231002X"),
		QR:         SamplePrefix + "FROM " + from + " " + now.UTC().Format("20060102 150405"),
		IssuedAt:   now,
		ValidUntil: now.AddDate(0, 0, 180),
		Centre:     "打印测试（非有效健康码）",
		Serial:     "TEST-" + now.UTC().Format("150405"),
	}
}

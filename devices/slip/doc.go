// Package slip lays out the paper health-code slip (纸质离线码) the kiosk
// prints: the title, the resident's masked name and masked ID number, the
// QR code that carries the service's signed token, the dates, the centre
// and a serial number, and optionally the colour as a word (绿码, 黄码,
// 红码) with the time it was true. A pending variant, printed during
// offline enrolment, has no colour and no token yet, only a receipt
// number and the words that the code will be ready after the kiosk syncs.
//
// A Sheet is the other kind of slip: words only, in double-size type, for
// a resident's own questions at the kiosk (who looked her up, her health
// services); EncodeSheet and PreviewSheet print and draw it the same way.
//
// Encode gives the ESC/POS bytes (devices/escpos); Preview renders those
// same bytes with devices/escpos/render, the renderer the printer
// simulator uses, so the preview is exactly what prints.
//
// It follows the paper rule of ARCHITECTURE.md ("Invariants": paper
// carries the masked name and the ID number as first 1 + last 4, no health
// details beyond the colour word) and the QR print-size guidance of the
// EU DCC specification and ISO/IEC 18004 (docs/health-code-systems.md,
// "What the design takes from them"): the symbol is at least 30 mm wide
// with a four-module quiet zone, error level M.
package slip

// Package qrtest decodes the QR code in a printed image, for tests and
// for the field tool's self-check: whether a slip scans is judged on the
// pixels, with github.com/makiuchi-d/gozxing (a port of ZXing, the
// decoder many phone scanners use), not on the bytes that asked for it.
// Diff compares two printed images dot by dot.
package qrtest

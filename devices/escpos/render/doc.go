// Package render turns an ESC/POS byte stream into the images a 203 dpi
// thermal printer would print: one image per cut, as wide as the paper,
// one bit per dot.
//
// The tokenizer splits the stream with a table of command lengths,
// including the variable-length commands (GS ( k and GS ( L with pL pH,
// GS v 0 with x·y, ESC * with its column count, GS k with its data, GS 8 L
// with a 32-bit length), following docs/escpos.md ("Parsing a stream")
// and Epson's ESC/POS Command Reference for the lengths of the commands
// the slip never sends. It
// never panics and never allocates from a length it reads: tokens are
// slices of the input, and a declared length above MaxCommand is reported
// as ErrTooLong for the caller to skip.
//
// Unknown commands are skipped the way the common Chinese firmwares do it:
// an unknown ESC or FS command costs its two bytes, an unknown GS command
// two bytes, and an unknown DLE sequence one byte; anything else below
// 0x20 is ignored.
//
// The renderer draws ASCII in 12×24 cells and GBK characters in 24×24
// cells with the bundled CJK font (Chinese mode decodes double bytes as
// GBK), applies GS ! sizes, ESC a alignment and ESC E / ESC G bold (a one
// dot smear), draws GS v 0 rasters at their dots and native QR codes with
// github.com/skip2/go-qrcode at exactly the module size and error level
// received, in the lowest version that fits, as printers do. Known
// limits: model 1 QR symbols, FS ! / FS W Chinese sizes, Font B, page
// mode, underline and barcodes (GS k) are parsed but not drawn.
package render

// Package escpos talks to an ESC/POS thermal receipt printer: a byte
// builder for the commands a paper-code slip needs, the real-time status
// replies (DLE EOT) and a driver that prints a job over a serial
// connection and refuses to report success when the printer says it did
// not print.
//
// It follows docs/escpos.md, which takes Epson's ESC/POS Command
// Reference and the printer vendors' manuals as sources: the commands the
// slip needs, Chinese text in GBK, native QR with GS ( k, raster images
// with GS v 0, the status bits and the DLE EOT byte pattern 0xx1xx10, and
// the 203 dpi paper widths.
//
// Text the printer's GBK font cannot carry (a rare name character such as
// 䶮, U+4DAE, outside GBK) is never dropped or replaced by '?': the whole
// line it is on is drawn with the bundled font into a GS v 0 raster of the
// text's height, because GS v 0 is only valid at the start of a line and
// so cannot sit in the middle of printed text.
//
// The serial library the kiosk uses has no flow control, so the driver
// paces its writes at the line rate (internal/pace) and checks the
// printer's status before and after every job.
package escpos

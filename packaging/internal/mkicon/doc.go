// Command mkicon draws the kiosk's icon and writes it in the forms the
// packages need: PNG files for the freedesktop hicolor theme (Icon Theme
// Specification 0.13: one apps/NAME.png per size directory) and a Windows
// .ico for the executable's resource and the installer (ICONDIR/ICONDIRENTRY
// as documented for LoadIcon: 32-bit DIBs with an AND mask for the small
// sizes, a PNG for 256×256 as Windows Vista and later accept).
//
// The icon is drawn from code rather than kept as binary files so that it
// is reviewed as text and every build makes the same bytes.
//
//	go run ./packaging/internal/mkicon -out DIR
//
// writes DIR/kiosk-N.png for each size in Sizes and DIR/kiosk.ico.
package main

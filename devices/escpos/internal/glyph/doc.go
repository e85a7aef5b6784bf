// Package glyph draws printer characters as 1-bit cells the way a 203 dpi
// ESC/POS printer's resident fonts do: ASCII in a 12×24 cell (Font A) and
// Chinese in a 24×24 cell, from the bundled Noto Sans CJK SC subset
// (assets.Face). Both the command builder (which rasterises text GBK
// cannot carry) and the renderer (which draws text the printer received)
// use it, so a rasterised run looks exactly like printed text.
//
// The cell sizes are those of docs/escpos.md, "Chinese text".
package glyph

// Package theme is the kiosk's Fyne theme: the bundled Noto Sans CJK SC
// subset (assets.CJKFont) for every text style, so Chinese renders on a
// machine with no Chinese fonts installed; large sizes (body text 32 dp,
// far above the 30 dp/pt of MIIT's elderly-friendly design rules,
// docs/elderly-interface.md); black on white, and colour
// blocks whose word and background have a WCAG 2.x contrast ratio of at
// least 7:1 (checked by the tests with the WCAG relative-luminance
// formula).
package theme

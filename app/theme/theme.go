package theme

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/shcommunity/kiosk/assets"
	"github.com/shcommunity/kiosk/healthcode"
)

// Font is the bundled CJK font as a Fyne resource.
var Font = fyne.NewStaticResource(assets.CJKFontName, assets.CJKFont)

// Sizes in dp at scale 1. At Fyne's default scale a dp is a pixel on a
// 1080p panel.
const (
	TextSize    = 32  // body text
	HeadingSize = 56  // the main instruction
	WordSize    = 96  // the colour word in its block
	MinTarget   = 96  // the height of every main button (≥ 60 × 60 dp)
	ButtonWidth = 320 // the width of a main button
)

// Palette: near-black on white (contrast ≈ 19:1).
var (
	Background = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	Foreground = color.NRGBA{0x11, 0x11, 0x11, 0xFF}
	Primary    = color.NRGBA{0x0B, 0x3D, 0x91, 0xFF} // dark blue buttons, white text
	Muted      = color.NRGBA{0xF0, 0xF0, 0xF0, 0xFF}
	Warning    = color.NRGBA{0x8A, 0x1C, 0x00, 0xFF} // problem text on white
)

// Block is a colour block: its background and the colour of its word.
type Block struct {
	Background, Text color.NRGBA
}

// BlockFor returns the block of a colour; "" is the grey "unknown" block.
// Green and red carry white words, yellow a black one, each at ≥ 7:1.
func BlockFor(c healthcode.Colour) Block {
	white := color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	black := color.NRGBA{0x00, 0x00, 0x00, 0xFF}
	switch c {
	case healthcode.Green:
		return Block{color.NRGBA{0x0A, 0x5C, 0x2A, 0xFF}, white}
	case healthcode.Yellow:
		return Block{color.NRGBA{0xF5, 0xC5, 0x18, 0xFF}, black}
	case healthcode.Red:
		return Block{color.NRGBA{0x9E, 0x10, 0x10, 0xFF}, white}
	}
	return Block{color.NRGBA{0x4A, 0x4A, 0x4A, 0xFF}, white}
}

// Contrast is the WCAG 2.x contrast ratio of two opaque colours, 1 to 21.
func Contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xFFFF
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// Theme is the kiosk theme. Scale multiplies every size (a larger text
// setting for a smaller screen or a resident who asks).
type Theme struct {
	Scale float32
}

// New returns the theme at scale 1.
func New() *Theme { return &Theme{Scale: 1} }

var _ fyne.Theme = (*Theme)(nil)

// Color implements fyne.Theme. The kiosk is always light: a dark variant
// would change the contrast the tests checked.
func (t *Theme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case fynetheme.ColorNameBackground, fynetheme.ColorNameInputBackground, fynetheme.ColorNameMenuBackground,
		fynetheme.ColorNameOverlayBackground, fynetheme.ColorNameHeaderBackground:
		return Background
	case fynetheme.ColorNameForeground, fynetheme.ColorNamePlaceHolder:
		return Foreground
	case fynetheme.ColorNamePrimary, fynetheme.ColorNameFocus, fynetheme.ColorNameHyperlink:
		return Primary
	case fynetheme.ColorNameForegroundOnPrimary:
		return Background
	case fynetheme.ColorNameButton, fynetheme.ColorNameDisabledButton:
		return Muted
	case fynetheme.ColorNameError, fynetheme.ColorNameWarning:
		return Warning
	case fynetheme.ColorNameSeparator, fynetheme.ColorNameInputBorder:
		return color.NRGBA{0x77, 0x77, 0x77, 0xFF}
	}
	return fynetheme.DefaultTheme().Color(n, fynetheme.VariantLight)
}

// Font implements fyne.Theme: the CJK font for every style (it has no
// bold or italic face; bold text is drawn by the renderer).
func (t *Theme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Monospace || s.Symbol {
		return fynetheme.DefaultTheme().Font(s)
	}
	return Font
}

// Icon implements fyne.Theme.
func (t *Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return fynetheme.DefaultTheme().Icon(n) }

// Size implements fyne.Theme.
func (t *Theme) Size(n fyne.ThemeSizeName) float32 {
	s := t.Scale
	if s <= 0 {
		s = 1
	}
	switch n {
	case fynetheme.SizeNameText:
		return TextSize * s
	case fynetheme.SizeNameHeadingText:
		return HeadingSize * s
	case fynetheme.SizeNameSubHeadingText:
		return 40 * s
	case fynetheme.SizeNameCaptionText:
		return 24 * s
	case fynetheme.SizeNamePadding:
		return 8 * s
	case fynetheme.SizeNameInnerPadding:
		return 12 * s
	case fynetheme.SizeNameInlineIcon:
		return 32 * s
	}
	return fynetheme.DefaultTheme().Size(n) * s
}

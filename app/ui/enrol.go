package ui

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/theme"
)

// PhoneKeySize is the side of a key on the phone keypad: double the
// 60 dp of the elderly-design rules, for fingers that are not steady.
const PhoneKeySize = 120

// consentScreen says, in very large type, what enrolling records, why
// and for how long, with the two answers beside it (landscape) or below
// it (portrait).
func (s *Self) consentScreen() fyne.CanvasObject {
	v, l := s.view, s.Lang
	intro := i18n.ConsentNew
	if v.Offline {
		intro = i18n.ConsentOffline
	}
	say := func() fyne.CanvasObject {
		return container.NewVBox(
			heading(i18n.T(l, i18n.ConsentTitle)),
			large(i18n.T(l, intro), theme.Primary),
			large(i18n.T(l, i18n.ConsentWhat), theme.Foreground),
			large(i18n.T(l, i18n.ConsentWhy), theme.Foreground),
			large(i18n.T(l, i18n.ConsentHowLong), theme.Foreground),
		)
	}
	answers := func() []fyne.CanvasObject {
		return []fyne.CanvasObject{
			bigButton(i18n.T(l, i18n.ConsentAgree), true, s.control(s.Controls.Agree)),
			bigButton(i18n.T(l, i18n.ConsentDecline), false, s.control(s.Controls.Decline)),
		}
	}
	gap := canvas.NewRectangle(color.Transparent)
	gap.SetMinSize(fyne.NewSize(theme.TextSize*2, 0))
	wide := container.NewCenter(container.NewHBox(say(), gap, container.NewVBox(append([]fyne.CanvasObject{layout.NewSpacer()},
		append(answers(), layout.NewSpacer())...)...)))
	tall := container.NewVBox(layout.NewSpacer(), say(), container.NewCenter(container.NewHBox(answers()...)), layout.NewSpacer())
	return adaptive(wide, tall)
}

// phoneScreen is the optional contact phone: a display of what was
// typed, a keypad of PhoneKeySize keys, 确定 and a clearly visible 跳过;
// the words beside the keypad (landscape) or above it (portrait).
func (s *Self) phoneScreen() fyne.CanvasObject {
	top := func() fyne.CanvasObject { return s.phoneTop() }
	pad := func() fyne.CanvasObject {
		return container.NewHBox(s.keypad(), container.NewVBox(layout.NewSpacer(),
			bigButton(i18n.T(s.Lang, i18n.PhoneConfirm), true, s.control(s.Controls.ConfirmPhone)),
			bigButton(i18n.T(s.Lang, i18n.PhoneSkip), false, s.control(s.Controls.SkipPhone)),
			layout.NewSpacer()))
	}
	wide := container.NewBorder(nil, nil, nil, container.NewCenter(pad()), container.NewVBox(layout.NewSpacer(), top(), layout.NewSpacer()))
	tall := container.NewVBox(layout.NewSpacer(), top(), container.NewCenter(pad()), layout.NewSpacer())
	return adaptive(wide, tall)
}

// phoneTop is the keypad's title, what was typed, and what to do.
func (s *Self) phoneTop() fyne.CanvasObject {
	v, l := s.view, s.Lang
	shown := groupDigits(v.Phone)
	if shown == "" {
		shown = " "
	}
	displayBg := canvas.NewRectangle(theme.Muted)
	displayBg.CornerRadius = 12
	msg := large(i18n.T(l, i18n.PhoneHint), theme.Foreground)
	if v.PhoneRefused {
		msg = large(i18n.T(l, i18n.PhoneRefused), theme.Warning)
	}
	return container.NewVBox(heading(i18n.T(l, i18n.PhoneTitle)),
		container.NewStack(displayBg, container.NewPadded(text(shown, theme.HeadingSize, theme.Foreground, true))), msg)
}

// keypad is the digits, 删除 and 0, in a 3 × 4 grid of PhoneKeySize keys.
func (s *Self) keypad() fyne.CanvasObject {
	keys := container.NewGridWithColumns(3)
	for _, d := range "123456789" {
		keys.Add(s.key(string(d), func() { s.press(byte(d)) }))
	}
	keys.Add(s.key(i18n.T(s.Lang, i18n.PhoneDelete), s.control(s.Controls.Delete)))
	keys.Add(s.key("0", func() { s.press('0') }))
	keys.Add(layout.NewSpacer())
	gap := fynetheme.Padding()
	return container.NewGridWrap(fyne.NewSize(3*PhoneKeySize+2*gap, 4*PhoneKeySize+3*gap), keys)
}

// key is one key of the keypad: a button with its label in large type.
func (s *Self) key(label string, tapped func()) fyne.CanvasObject {
	b := widget.NewButton("", tapped)
	var size float32 = theme.HeadingSize
	if len([]rune(label)) > 1 {
		size = theme.TextSize
	}
	return container.NewStack(b, container.NewCenter(text(label, size, theme.Foreground, true)))
}

func (s *Self) press(d byte) {
	s.touch()
	if s.Controls.Key != nil {
		s.Controls.Key(d)
	}
}

// control wraps a control so that a nil one does nothing.
func (s *Self) control(f func()) func() {
	return func() {
		s.touch()
		if f != nil {
			f()
		}
	}
}

// large is text in the sub-heading size (40 dp), bold and centred, one
// canvas line per "\n": the words are broken by hand in package i18n so
// that each line fits a 1080-pixel-wide portrait screen, and a line never
// wraps differently from one layout pass to the next.
func large(s string, c color.Color) fyne.CanvasObject {
	lines := container.NewVBox()
	for _, ln := range strings.Split(s, "\n") {
		lines.Add(text(ln, LargeSize, c, true))
	}
	return lines
}

// LargeSize is the size of the self-service screens' explanations.
const LargeSize = 40

// groupDigits writes a phone number as 138 1234 5678, the way it is read
// out.
func groupDigits(s string) string {
	out := make([]byte, 0, len(s)+2)
	for i := 0; i < len(s); i++ {
		if i == 3 || i == 7 {
			out = append(out, ' ')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// declinedScreen says that nothing was kept.
func declinedScreen(l i18n.Lang) fyne.CanvasObject {
	return container.NewVBox(layout.NewSpacer(), heading(i18n.T(l, i18n.DeclinedTitle)),
		large(i18n.T(l, i18n.DeclinedHint), theme.Foreground), layout.NewSpacer())
}

// readable reports whether the screen shows a status that 读给我听 reads.
func readable(v flow.SelfView) bool {
	return (v.Step == flow.StepPrinting || v.Step == flow.StepDone) && v.Ticket != (flow.Ticket{})
}

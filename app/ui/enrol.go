package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/theme"
)

// PhoneKeySize is the side of a key on the phone keypad at 1080 p:
// double the 60 dp of the elderly-design rules, for fingers that are not
// steady (theme.Sizes.Key; it shrinks on smaller screens, never below
// 84 dp).
const PhoneKeySize = 120

// consentScreen says, in very large type, what enrolling records, why
// and for how long, with the two answers beside it (landscape) or below
// it (portrait).
func (s *Self) consentScreen(sz theme.Sizes) fyne.CanvasObject {
	v, l := s.view, s.Lang
	intro := i18n.ConsentNew
	if v.Offline {
		intro = i18n.ConsentOffline
	}
	agree := bigButton(sz, i18n.T(l, i18n.ConsentAgree), true, s.control(s.Controls.Agree))
	decline := bigButton(sz, i18n.T(l, i18n.ConsentDecline), false, s.control(s.Controls.Decline))
	w := width(sz, sz.Text)
	if !sz.Portrait {
		w -= max(agree.MinSize().Width, decline.MinSize().Width) + 3*padding(sz.Text)
	}
	say := container.NewVBox(
		para(i18n.T(l, i18n.ConsentTitle), sz.Heading, theme.Foreground, true, w),
		para(i18n.T(l, intro), sz.Large, theme.Primary, true, w),
		para(i18n.T(l, i18n.ConsentWhat), sz.Large, theme.Foreground, true, w),
		para(i18n.T(l, i18n.ConsentWhy), sz.Large, theme.Foreground, true, w),
		para(i18n.T(l, i18n.ConsentHowLong), sz.Large, theme.Foreground, true, w),
	)
	if sz.Portrait {
		return centred(say, container.NewCenter(container.NewHBox(agree, decline)))
	}
	return container.NewCenter(container.NewHBox(say, gap(padding(sz.Text)), centred(agree, decline)))
}

// gap is empty space of width w.
func gap(w float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(w, 0))
	return r
}

// phoneScreen is the optional contact phone: a display of what was
// typed, a keypad of Sizes.Key keys, 确定 and a clearly visible 跳过;
// the words beside the keypad (landscape) or above it (portrait).
func (s *Self) phoneScreen(sz theme.Sizes) fyne.CanvasObject {
	l := s.Lang
	pad := container.NewHBox(s.keypad(sz), centred(
		bigButton(sz, i18n.T(l, i18n.PhoneConfirm), true, s.control(s.Controls.ConfirmPhone)),
		bigButton(sz, i18n.T(l, i18n.PhoneSkip), false, s.control(s.Controls.SkipPhone))))
	w := width(sz, sz.Text)
	if sz.Portrait {
		return centred(s.phoneTop(sz, w), container.NewCenter(pad))
	}
	w -= pad.MinSize().Width + 2*padding(sz.Text)
	return container.NewBorder(nil, nil, nil, container.NewCenter(pad), centred(s.phoneTop(sz, w)))
}

// phoneTop is the keypad's title, what was typed, and what to do.
func (s *Self) phoneTop(sz theme.Sizes, w float32) fyne.CanvasObject {
	v, l := s.view, s.Lang
	shown := groupDigits(v.Phone)
	if shown == "" {
		shown = " "
	}
	displayBg := canvas.NewRectangle(theme.Muted)
	displayBg.CornerRadius = 12
	msg := para(i18n.T(l, i18n.PhoneHint), sz.Large, theme.Foreground, true, w)
	if v.PhoneRefused {
		msg = para(i18n.T(l, i18n.PhoneRefused), sz.Large, theme.Warning, true, w)
	}
	return container.NewVBox(para(i18n.T(l, i18n.PhoneTitle), sz.Heading, theme.Foreground, true, w),
		container.NewStack(displayBg, container.NewPadded(text(shown, sz.Heading, theme.Foreground, true))), msg)
}

// keypad is the digits, 删除 and 0, in a 3 × 4 grid of Sizes.Key keys.
func (s *Self) keypad(sz theme.Sizes) fyne.CanvasObject {
	keys := container.NewGridWithColumns(3)
	for _, d := range "123456789" {
		keys.Add(s.key(sz, string(d), func() { s.press(byte(d)) }))
	}
	keys.Add(s.key(sz, i18n.T(s.Lang, i18n.PhoneDelete), s.control(s.Controls.Delete)))
	keys.Add(s.key(sz, "0", func() { s.press('0') }))
	keys.Add(layout.NewSpacer())
	gap := padding(sz.Text)
	return container.NewGridWrap(fyne.NewSize(3*sz.Key+2*gap, 4*sz.Key+3*gap), keys)
}

// key is one key of the keypad: a button with its label in large type.
func (s *Self) key(sz theme.Sizes, label string, tapped func()) fyne.CanvasObject {
	b := widget.NewButton("", tapped)
	size := sz.Heading
	if len([]rune(label)) > 1 {
		size = sz.Text
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

// readable reports whether the screen shows a status that 读给我听 reads.
func readable(v flow.SelfView) bool {
	return (v.Step == flow.StepPrinting || v.Step == flow.StepDone) && v.Ticket != (flow.Ticket{})
}

package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/theme"
)

// PrivacyControls is what the buttons of a resident's own questions do:
// 谁查询过我, 我的健康服务, the health consent's two answers, the pages,
// 打印 and 返回.
type PrivacyControls struct {
	AccessRecords, HealthServices func()
	AgreeHealth, DeclineHealth    func()
	NextPage, PrevPage            func()
	PrintSheet, BackToCode        func()
}

// privacyControlsFor wires the questions' controls to a flow.
func privacyControlsFor(f *flow.SelfService) PrivacyControls {
	return PrivacyControls{AccessRecords: f.AccessRecords, HealthServices: f.HealthServices,
		AgreeHealth: f.AgreeHealth, DeclineHealth: f.DeclineHealth, NextPage: f.NextPage, PrevPage: f.PrevPage,
		PrintSheet: f.PrintSheet, BackToCode: f.BackToCode}
}

// questions are the two buttons of her own questions, shown under her
// paper code only while she may ask (flow.SelfView.CanAsk).
func (s *Self) questions(sz theme.Sizes) fyne.CanvasObject {
	c, l := s.Controls.Privacy, s.Lang
	return container.NewHBox(
		bigButton(sz, i18n.T(l, i18n.AccessButton), false, s.control(c.AccessRecords)),
		bigButton(sz, i18n.T(l, i18n.HealthButton), false, s.control(c.HealthServices)))
}

// noHealthRecordScreen says the health cloud has no record of her, and
// where she can get one.
func (s *Self) noHealthRecordScreen(sz theme.Sizes) fyne.CanvasObject {
	l, w := s.Lang, width(sz, sz.Text)
	return centred(para(i18n.T(l, i18n.HealthNoRecord), sz.Heading, theme.Foreground, true, w),
		para(i18n.T(l, i18n.HealthNoRecordFix), sz.Large, theme.Foreground, false, w),
		container.NewCenter(s.backToCode(sz)))
}

func (s *Self) backToCode(sz theme.Sizes) fyne.CanvasObject {
	return bigButton(sz, i18n.T(s.Lang, i18n.BackButton), false, s.control(s.Controls.Privacy.BackToCode))
}

// answerScreen lays out one of her answers, drawn by content for the
// width it has: on a landscape screen the buttons (extra first, then 打印
// and 返回) stand in a column beside it, with what became of the last 打印
// under them; on a portrait one they stand in rows below it, the note
// under the rows.
func (s *Self) answerScreen(sz theme.Sizes, content func(w float32) fyne.CanvasObject, extra ...fyne.CanvasObject) fyne.CanvasObject {
	v, l := s.view, s.Lang
	printBtn := bigButton(sz, i18n.T(l, i18n.PrintButton), true, s.control(s.Controls.Privacy.PrintSheet))
	w := width(sz, sz.Text)
	note := func(w float32) []fyne.CanvasObject {
		msg := i18n.SheetText(l, v.Sheet, v.SheetProblem)
		if msg == "" {
			return nil
		}
		c := theme.Primary
		if v.Sheet == flow.SheetFailed {
			c = theme.Warning
		}
		return []fyne.CanvasObject{para(msg, sz.Text, c, true, w)}
	}
	if sz.Portrait {
		rows := []fyne.CanvasObject{content(w)}
		if len(extra) > 0 {
			rows = append(rows, container.NewCenter(container.NewHBox(extra...)))
		}
		rows = append(rows, container.NewCenter(container.NewHBox(printBtn, s.backToCode(sz))))
		return centred(append(rows, note(w)...)...)
	}
	buttons := container.NewVBox(append(extra, printBtn, s.backToCode(sz))...)
	side := buttons.MinSize().Width
	w -= side + 2*padding(sz.Text)
	return container.NewBorder(nil, nil, nil, centred(append([]fyne.CanvasObject{buttons}, note(side)...)...),
		container.NewVBox(content(w), layout.NewSpacer()))
}

// accessScreen is 谁查询过我: one page of groups in large type with the
// page's number, or that nobody looked her up. A landscape screen writes
// a group on one line (broken where it must be); a portrait one writes
// the place on a line of its own.
func (s *Self) accessScreen(sz theme.Sizes) fyne.CanvasObject {
	v, l := s.view, s.Lang
	a := v.Access
	list := func(w float32) fyne.CanvasObject {
		box := container.NewVBox(para(i18n.T(l, i18n.AccessTitle), sz.Heading, theme.Foreground, true, w), s.who(sz, w))
		if a.Total == 0 {
			box.Add(para(i18n.T(l, i18n.AccessNone), sz.Large, theme.Primary, true, w))
		}
		for _, g := range a.Rows {
			if !sz.Portrait {
				box.Add(para(i18n.AccessLine(l, g), sz.Large, theme.Foreground, true, w))
				continue
			}
			box.Add(container.New(layout.NewCustomPaddedVBoxLayout(0),
				para(i18n.AccessHead(l, g), sz.Large, theme.Foreground, true, w),
				para(g.Place, sz.Text, theme.Foreground, false, w)))
		}
		if a.More && a.Page == a.Pages-1 {
			box.Add(para(i18n.T(l, i18n.AccessMore), sz.Text, theme.Foreground, false, w))
		}
		if a.Pages > 1 {
			box.Add(para(i18n.PageText(l, a.Page, a.Pages), sz.Text, theme.Foreground, false, w))
		}
		return box
	}
	if a.Pages < 2 {
		return s.answerScreen(sz, list)
	}
	c := s.Controls.Privacy
	return s.answerScreen(sz, list,
		bigButton(sz, i18n.T(l, i18n.PrevPage), false, s.control(c.PrevPage)),
		bigButton(sz, i18n.T(l, i18n.NextPage), false, s.control(c.NextPage)))
}

// healthConsentScreen asks once, in very large type, before anything is
// read from the health cloud: the two answers beside the words
// (landscape) or below them (portrait).
func (s *Self) healthConsentScreen(sz theme.Sizes) fyne.CanvasObject {
	l, c := s.Lang, s.Controls.Privacy
	agree := bigButton(sz, i18n.T(l, i18n.HealthAgree), true, s.control(c.AgreeHealth))
	decline := bigButton(sz, i18n.T(l, i18n.HealthDecline), false, s.control(c.DeclineHealth))
	w := width(sz, sz.Text)
	if !sz.Portrait {
		w -= max(agree.MinSize().Width, decline.MinSize().Width) + 3*padding(sz.Text)
	}
	say := container.NewVBox(
		para(i18n.T(l, i18n.HealthConsentHead), sz.Heading, theme.Foreground, true, w),
		para(i18n.T(l, i18n.HealthConsentWhat), sz.Large, theme.Foreground, true, w),
		para(i18n.T(l, i18n.HealthConsentKeep), sz.Large, theme.Primary, true, w),
		para(i18n.T(l, i18n.HealthConsentFeed), sz.Large, theme.Foreground, true, w))
	if sz.Portrait {
		return centred(say, container.NewCenter(container.NewHBox(agree, decline)))
	}
	return container.NewCenter(container.NewHBox(say, gap(padding(sz.Text)), centred(agree, decline)))
}

// screenLines bounds the lines of one health section on screen: three,
// or two on a landscape screen under 800 dp high (a 1366 × 768 laptop);
// the printed slip has them all.
func screenLines(sz theme.Sizes) int {
	if !sz.Portrait && sz.Canvas.Height < 800 {
		return 2
	}
	return 3
}

// healthScreen is 我的健康服务: each section's heading (in the primary
// colour, bold) and its lines in body type, two sections a row on a
// landscape screen and one on a portrait one.
func (s *Self) healthScreen(sz theme.Sizes) fyne.CanvasObject {
	v, l := s.view, s.Lang
	if v.Health == nil {
		return nil
	}
	secs := i18n.HealthSections(l, *v.Health)
	section := func(sec i18n.Section, w float32) fyne.CanvasObject {
		// A section's lines stand close, as on paper; the sections keep
		// the theme's padding between them.
		box := container.New(layout.NewCustomPaddedVBoxLayout(0), para(sec.Heading, sz.Text, theme.Primary, true, w))
		lines := sec.Lines
		if n := screenLines(sz); len(lines) > n {
			lines = append(lines[:n-1:n-1], i18n.T(l, i18n.HealthMoreOnSlip))
		}
		for _, ln := range lines {
			box.Add(para(ln, sz.Text, theme.Foreground, false, w))
		}
		return box
	}
	return s.answerScreen(sz, func(w float32) fyne.CanvasObject {
		body, cw := container.NewVBox(), w
		if !sz.Portrait {
			body, cw = container.NewGridWithColumns(2), (w-padding(sz.Text))/2
		}
		for _, sec := range secs {
			body.Add(section(sec, cw))
		}
		return container.NewVBox(para(i18n.T(l, i18n.HealthTitle), sz.Heading, theme.Foreground, true, w), s.who(sz, w), body)
	})
}

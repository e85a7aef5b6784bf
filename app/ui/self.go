package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/theme"
)

// SelfControls is what the self-service screen's buttons do. Each is
// called on the UI goroutine and must not block: the flow's methods
// qualify.
type SelfControls struct {
	Touch   func()
	Help    func()
	Dismiss func()
	// Enrolment of a resident alone: the consent's two answers and the
	// phone keypad.
	Agree, Decline          func()
	Key                     func(digit byte)
	Delete                  func()
	ConfirmPhone, SkipPhone func()
	// Speech: 读给我听 and 再听一遍.
	ReadAloud, Repeat func()
}

// ControlsFor wires the controls to a flow.
func ControlsFor(f *flow.SelfService) SelfControls {
	return SelfControls{Touch: f.Touch, Help: f.Help, Dismiss: f.Dismiss,
		Agree: f.Agree, Decline: f.Decline, Key: f.Key, Delete: f.Delete, ConfirmPhone: f.ConfirmPhone, SkipPhone: f.SkipPhone,
		ReadAloud: f.ReadAloud, Repeat: f.Repeat}
}

// Self is the self-service screen. Show redraws it from a view; it must
// be called on the UI goroutine (fyne.Do).
type Self struct {
	Controls SelfControls
	Lang     i18n.Lang
	// OnLang, if set, is called when the language button is tapped,
	// instead of switching this screen alone: the shell switches every
	// screen.
	OnLang func(i18n.Lang)

	view    flow.SelfView
	root    *fyne.Container
	onShown func(flow.SelfView)
}

// NewSelf returns the screen showing the start view.
func NewSelf(c SelfControls, l i18n.Lang) *Self {
	s := &Self{Controls: c, Lang: l, root: container.NewStack()}
	s.Show(flow.SelfView{Step: flow.StepStart})
	return s
}

// Content is the screen's root object for a window.
func (s *Self) Content() fyne.CanvasObject { return s.root }

// View returns the view on screen.
func (s *Self) View() flow.SelfView { return s.view }

// Show draws v.
func (s *Self) Show(v flow.SelfView) {
	s.view = v
	s.root.Objects = []fyne.CanvasObject{s.render()}
	s.root.Refresh()
	if s.onShown != nil {
		s.onShown(v)
	}
}

// SetLang switches the language and redraws.
func (s *Self) SetLang(l i18n.Lang) {
	s.Lang = l
	s.Show(s.view)
}

func (s *Self) touch() {
	if s.Controls.Touch != nil {
		s.Controls.Touch()
	}
}

func (s *Self) render() fyne.CanvasObject {
	v, l := s.view, s.Lang
	langBtn := bigButton(i18n.T(l, i18n.LangButton), false, func() {
		s.touch()
		if s.OnLang != nil {
			s.OnLang(l.Other())
			return
		}
		s.SetLang(l.Other())
	})
	bar := statusBar(v.Bar, l, true, langBtn)
	help := bigButton(i18n.T(l, i18n.HelpButton), true, func() {
		if s.Controls.Help != nil {
			s.Controls.Help()
		}
	})
	var middle fyne.CanvasObject
	if v.HelpCalled {
		back := bigButton(i18n.T(l, i18n.BackButton), true, func() {
			if s.Controls.Dismiss != nil {
				s.Controls.Dismiss()
			}
		})
		middle = container.NewVBox(layout.NewSpacer(),
			text(i18n.T(l, i18n.HelpComing), theme.WordSize, theme.Primary, true),
			body(i18n.T(l, i18n.HelpRecorded)),
			container.NewCenter(back), layout.NewSpacer())
		help = layout.NewSpacer()
	} else {
		middle = s.middle()
	}
	again := bigButton(i18n.T(l, i18n.SayAgain), false, s.control(s.Controls.Repeat))
	bottom := container.NewCenter(container.NewHBox(help, again))
	screen := container.NewBorder(bar, container.NewPadded(bottom), nil, nil, container.NewPadded(middle))
	return container.NewStack(newTouchLayer(s.touch), screen)
}

// who is the resident's masked name and ID number, and the card they
// came from when it was her social-security card.
func (s *Self) who() fyne.CanvasObject {
	v, l := s.view, s.Lang
	line := text(i18n.T(l, i18n.NameLabel)+"  "+v.MaskedName+"     "+i18n.T(l, i18n.IDLabel)+"  "+v.MaskedID,
		theme.TextSize, theme.Foreground, false)
	if v.Source != flow.SourceSSC {
		return line
	}
	return container.NewVBox(line, body(i18n.T(l, i18n.SourceSSC)))
}

func (s *Self) middle() fyne.CanvasObject {
	v, l := s.view, s.Lang
	switch v.Step {
	case flow.StepChecking:
		return container.NewVBox(layout.NewSpacer(), heading(i18n.T(l, i18n.Checking)), s.who(), layout.NewSpacer())
	case flow.StepConsent:
		return s.consentScreen()
	case flow.StepPhone:
		return s.phoneScreen()
	case flow.StepEnrolling:
		return container.NewVBox(layout.NewSpacer(), heading(i18n.T(l, i18n.Enrolling)), s.who(), layout.NewSpacer())
	case flow.StepDeclined:
		return declinedScreen(l)
	case flow.StepPrinting, flow.StepDone:
		return s.result()
	case flow.StepError:
		what, next := i18n.ProblemText(l, v.Problem)
		return container.NewVBox(layout.NewSpacer(),
			text(what, theme.HeadingSize, theme.Warning, true),
			text(next, theme.HeadingSize*0.75, theme.Foreground, false),
			layout.NewSpacer())
	}
	start := container.NewVBox(layout.NewSpacer(),
		text(i18n.T(l, i18n.StartPrompt), theme.HeadingSize*1.2, theme.Foreground, true))
	if v.Bar.Contact == flow.ContactReady {
		start.Add(text(i18n.T(l, i18n.StartPromptEither), theme.HeadingSize, theme.Foreground, true))
	}
	start.Add(body(i18n.T(l, i18n.StartHint)))
	if v.Notice == flow.NoticeCancelled {
		start.Add(large(i18n.T(l, i18n.CancelledNotice), theme.Primary))
	}
	start.Add(layout.NewSpacer())
	return start
}

// result is the colour (or the receipt) beside the slip's preview, with
// 读给我听 for the colour: it is never said unless she asks.
func (s *Self) result() fyne.CanvasObject {
	v, l := s.view, s.Lang
	title := i18n.T(l, i18n.Printing)
	switch {
	case v.Step == flow.StepDone && v.Enrolled && v.Ticket.Kind == flow.TicketPending:
		title = i18n.T(l, i18n.EnrolledOfflineTitle)
	case v.Step == flow.StepDone && v.Source == flow.SourceSSC:
		title = i18n.T(l, i18n.DoneSSC)
	case v.Step == flow.StepDone:
		title = i18n.T(l, i18n.Done)
	case v.Enrolled:
		title = i18n.T(l, i18n.EnrolledPrinting)
	}
	left := container.NewVBox(s.who())
	if v.Ticket.Kind == flow.TicketPending {
		left.Add(pendingBlock(v.Ticket, l))
	} else {
		left.Add(ColourBlock(v.Ticket.Status, l))
		if v.Ticket.Kind == flow.TicketReprint {
			left.Add(body(i18n.T(l, i18n.Reprint)))
		}
		if v.Ticket.Kind == flow.TicketUnchecked {
			left.Add(body(i18n.T(l, i18n.UncheckedMeans)))
		}
		if readable(v) {
			left.Add(container.NewCenter(bigButton(i18n.T(l, i18n.ReadAloud), false, s.control(s.Controls.ReadAloud))))
		}
	}
	if v.Step == flow.StepDone {
		left.Add(body(i18n.T(l, i18n.DoneHint)))
	}
	return container.NewBorder(heading(title), nil, nil, preview(v.Preview, l), left)
}

// OutOfService is the screen of a kiosk that cannot serve at all, such as
// one whose local store is damaged at start: what happened and where to
// go, in the resident's words, with the status bar saying why for staff.
func OutOfService(l i18n.Lang) fyne.CanvasObject {
	s := NewSelf(SelfControls{Touch: func() {}, Help: func() {}, Dismiss: func() {}}, l)
	s.Show(flow.SelfView{Step: flow.StepError, Problem: flow.ProblemOutOfService, Bar: flow.Bar{Link: flow.Link{Damaged: true}}})
	return s.Content()
}

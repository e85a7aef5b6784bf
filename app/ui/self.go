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
	// Privacy: her own questions after her paper code.
	Privacy PrivacyControls
	// Credential is 打印就医凭证, after her paper code.
	Credential func()
}

// ControlsFor wires the controls to a flow.
func ControlsFor(f *flow.SelfService) SelfControls {
	return SelfControls{Touch: f.Touch, Help: f.Help, Dismiss: f.Dismiss,
		Agree: f.Agree, Decline: f.Decline, Key: f.Key, Delete: f.Delete, ConfirmPhone: f.ConfirmPhone, SkipPhone: f.SkipPhone,
		ReadAloud: f.ReadAloud, Repeat: f.Repeat, Privacy: privacyControlsFor(f), Credential: f.MedicalCredential}
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
	fit     *fit
	onShown func(flow.SelfView)
}

// NewSelf returns the screen showing the start view.
func NewSelf(c SelfControls, l i18n.Lang) *Self {
	s := &Self{Controls: c, Lang: l}
	s.fit = newFit(false, s.draw)
	s.Show(flow.SelfView{Step: flow.StepStart})
	return s
}

// Content is the screen's root object for a window.
func (s *Self) Content() fyne.CanvasObject { return s.fit.Content() }

// View returns the view on screen.
func (s *Self) View() flow.SelfView { return s.view }

// Show draws v.
func (s *Self) Show(v flow.SelfView) {
	s.view = v
	s.fit.redraw()
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

// draw is the screen at sz: the status bar with the language button on
// top, the step in the middle, and at the bottom the buttons that are
// always there (呼叫工作人员, 再听一遍) with 读给我听 beside them when a
// colour is on screen, and above them what she may do once her paper code
// is out (afterCode). The bottom row never leaves the screen, whatever the
// middle holds.
func (s *Self) draw(sz theme.Sizes) fyne.CanvasObject {
	v, l := s.view, s.Lang
	langBtn := sizedButton(fitLabel(fyne.NewSize(sz.Button.Width*0.75, sz.Button.Height), i18n.T(l, i18n.LangButton), sz.Text),
		i18n.T(l, i18n.LangButton), false, func() {
			s.touch()
			if s.OnLang != nil {
				s.OnLang(l.Other())
				return
			}
			s.SetLang(l.Other())
		})
	bar := statusBar(sz, v.Bar, l, true, langBtn)
	row := container.NewHBox()
	if !v.HelpCalled {
		row.Add(bigButton(sz, i18n.T(l, i18n.HelpButton), true, func() {
			if s.Controls.Help != nil {
				s.Controls.Help()
			}
		}))
	}
	if readable(v) && v.Ticket.Kind != flow.TicketPending && v.Ticket.Kind != flow.TicketCredential {
		row.Add(bigButton(sz, i18n.T(l, i18n.ReadAloud), false, s.control(s.Controls.ReadAloud)))
	}
	row.Add(bigButton(sz, i18n.T(l, i18n.SayAgain), false, s.control(s.Controls.Repeat)))
	var middle fyne.CanvasObject
	if v.HelpCalled {
		middle = s.helpScreen(sz)
	} else {
		middle = s.middle(sz)
	}
	var bottom fyne.CanvasObject = container.NewCenter(row)
	if after := s.afterCode(sz); after != nil {
		bottom = container.NewVBox(container.NewCenter(after), bottom)
	}
	screen := container.NewBorder(bar, container.NewPadded(bottom), nil, nil, container.NewPadded(middle))
	return container.NewStack(newTouchLayer(s.touch), screen)
}

// afterCode is the row of what she may do once her paper code is out
// (打印就医凭证, 谁查询过我, 我的健康服务), or nil when there is nothing.
func (s *Self) afterCode(sz theme.Sizes) fyne.CanvasObject {
	v := s.view
	if v.Step != flow.StepDone || v.HelpCalled {
		return nil
	}
	row := container.NewHBox()
	if v.CanCredential {
		row.Add(bigButton(sz, i18n.T(s.Lang, i18n.CredentialButton), false, s.control(s.Controls.Credential)))
	}
	if v.CanAsk {
		row.Add(s.questions(sz))
	}
	if len(row.Objects) == 0 {
		return nil
	}
	return row
}

// helpScreen says that staff are coming, with 返回.
func (s *Self) helpScreen(sz theme.Sizes) fyne.CanvasObject {
	l, w := s.Lang, width(sz, sz.Text)
	back := bigButton(sz, i18n.T(l, i18n.BackButton), true, func() {
		if s.Controls.Dismiss != nil {
			s.Controls.Dismiss()
		}
	})
	return centred(
		para(i18n.T(l, i18n.HelpComing), sz.Heading*1.2, theme.Primary, true, w),
		para(i18n.T(l, i18n.HelpRecorded), sz.Text, theme.Foreground, false, w),
		container.NewCenter(back))
}

// centred stacks objects in the middle of the height it has.
func centred(objs ...fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(append(append([]fyne.CanvasObject{layout.NewSpacer()}, objs...), layout.NewSpacer())...)
}

// who is the resident's masked name and ID number, and the card they
// came from when it was her social-security card.
func (s *Self) who(sz theme.Sizes, w float32) fyne.CanvasObject {
	v, l := s.view, s.Lang
	line := para(i18n.T(l, i18n.NameLabel)+"  "+v.MaskedName+"     "+i18n.T(l, i18n.IDLabel)+"  "+v.MaskedID,
		sz.Text, theme.Foreground, false, w)
	if v.Source != flow.SourceSSC {
		return line
	}
	return container.NewVBox(line, para(i18n.T(l, i18n.SourceSSC), sz.Text, theme.Foreground, false, w))
}

func (s *Self) middle(sz theme.Sizes) fyne.CanvasObject {
	v, l, w := s.view, s.Lang, width(sz, sz.Text)
	if what, ok := waiting[v.Step]; ok {
		return s.working(sz, what)
	}
	if screen, ok := screens[v.Step]; ok {
		return screen(s, sz)
	}
	start := []fyne.CanvasObject{
		para(i18n.T(l, i18n.StartPrompt), sz.Heading*1.2, theme.Foreground, true, w),
		para(i18n.T(l, i18n.StartHint), sz.Text, theme.Foreground, false, w),
	}
	if v.Bar.Contact == flow.ContactReady {
		start = []fyne.CanvasObject{start[0], para(i18n.T(l, i18n.StartPromptEither), sz.Heading, theme.Foreground, true, w), start[1]}
	}
	if v.Notice == flow.NoticeCancelled {
		start = append(start, para(i18n.T(l, i18n.CancelledNotice), sz.Large, theme.Primary, true, w))
	}
	return centred(start...)
}

// waiting is what the kiosk says it is doing for her on the steps where
// she waits for the service.
var waiting = map[flow.Step]i18n.Key{
	flow.StepChecking:  i18n.Checking,
	flow.StepLooking:   i18n.Checking,
	flow.StepEnrolling: i18n.Enrolling,
}

// screens draw the steps that have a screen of their own; any other step
// shows the start screen.
var screens = map[flow.Step]func(*Self, theme.Sizes) fyne.CanvasObject{
	flow.StepConsent:        (*Self).consentScreen,
	flow.StepPhone:          (*Self).phoneScreen,
	flow.StepDeclined:       (*Self).declinedScreen,
	flow.StepPrinting:       (*Self).result,
	flow.StepDone:           (*Self).result,
	flow.StepError:          (*Self).problemScreen,
	flow.StepAccess:         (*Self).accessScreen,
	flow.StepHealthConsent:  (*Self).healthConsentScreen,
	flow.StepHealth:         (*Self).healthScreen,
	flow.StepNoHealthRecord: (*Self).noHealthRecordScreen,
}

// declinedScreen says she chose not to register and nothing was kept.
func (s *Self) declinedScreen(sz theme.Sizes) fyne.CanvasObject {
	l, w := s.Lang, width(sz, sz.Text)
	return centred(para(i18n.T(l, i18n.DeclinedTitle), sz.Heading, theme.Foreground, true, w),
		para(i18n.T(l, i18n.DeclinedHint), sz.Large, theme.Foreground, true, w))
}

// problemScreen says what went wrong and what to do next.
func (s *Self) problemScreen(sz theme.Sizes) fyne.CanvasObject {
	w := width(sz, sz.Text)
	what, next := i18n.ProblemText(s.Lang, s.view.Problem)
	return centred(para(what, sz.Heading, theme.Warning, true, w), para(next, sz.Heading*0.75, theme.Foreground, false, w))
}

// working says what the kiosk is doing for her (what), over her masked
// name and number.
func (s *Self) working(sz theme.Sizes, what i18n.Key) fyne.CanvasObject {
	w := width(sz, sz.Text)
	return centred(para(i18n.T(s.Lang, what), sz.Heading, theme.Foreground, true, w), s.who(sz, w))
}

// result is the colour (or the receipt) beside the slip's preview
// (landscape) or above it (portrait); 读给我听 is in the bottom row, for
// the colour is never said unless she asks.
func (s *Self) result(sz theme.Sizes) fyne.CanvasObject {
	v, l := s.view, s.Lang
	title := i18n.T(l, i18n.Printing)
	credential := v.Ticket.Kind == flow.TicketCredential
	switch {
	case credential && v.Step == flow.StepPrinting:
		title = i18n.T(l, i18n.CredentialPrinting)
	case credential && v.Source == flow.SourceSSC:
		title = i18n.T(l, i18n.CredentialDoneSSC)
	case credential:
		title = i18n.T(l, i18n.CredentialDone)
	case v.Step == flow.StepDone && v.Enrolled && v.Ticket.Kind == flow.TicketPending:
		title = i18n.T(l, i18n.EnrolledOfflineTitle)
	case v.Step == flow.StepDone && v.Source == flow.SourceSSC:
		title = i18n.T(l, i18n.DoneSSC)
	case v.Step == flow.StepDone:
		title = i18n.T(l, i18n.Done)
	case v.Enrolled:
		title = i18n.T(l, i18n.EnrolledPrinting)
	}
	w := width(sz, sz.Text)
	slip := preview(sz, v.Preview, l)
	if !sz.Portrait && v.Preview != nil {
		w -= previewWidth(sz, l) + 2*padding(sz.Text)
	}
	left := container.NewVBox(s.who(sz, w))
	switch {
	case credential:
		left.Add(credentialBlock(sz, v.Ticket, l, w))
	case v.Ticket.Kind == flow.TicketPending:
		left.Add(pendingBlock(sz, v.Ticket, l, w))
	default:
		left.Add(ColourBlock(sz, v.Ticket.Status, l, w))
		if v.Ticket.Kind == flow.TicketReprint {
			left.Add(para(i18n.T(l, i18n.Reprint), sz.Text, theme.Foreground, false, w))
		}
		if v.Ticket.Kind == flow.TicketUnchecked {
			left.Add(para(i18n.T(l, i18n.UncheckedMeans), sz.Text, theme.Foreground, false, w))
		}
	}
	if v.Step == flow.StepDone && !credential {
		left.Add(para(i18n.T(l, i18n.DoneHint), sz.Text, theme.Foreground, false, w))
	}
	head := para(title, sz.Heading, theme.Foreground, true, width(sz, sz.Text))
	if sz.Portrait {
		return container.NewVBox(head, left, container.NewCenter(slip))
	}
	return container.NewBorder(head, nil, nil, slip, container.NewVBox(left, layout.NewSpacer()))
}

// OutOfService is the screen of a kiosk that cannot serve at all, such as
// one whose local store is damaged at start: what happened and where to
// go, in the resident's words, with the status bar saying why for staff.
func OutOfService(l i18n.Lang) fyne.CanvasObject {
	s := NewSelf(SelfControls{Touch: func() {}, Help: func() {}, Dismiss: func() {}}, l)
	s.Show(flow.SelfView{Step: flow.StepError, Problem: flow.ProblemOutOfService, Bar: flow.Bar{Link: flow.Link{Damaged: true}}})
	return s.Content()
}

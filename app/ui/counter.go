package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/theme"
)

// Counter is the community worker's screen: login, the resident at the
// counter (card, family member, manual number as a fallback, phone,
// consent), enrolment, re-issue and correction, and the dashboard. It is
// in Chinese unless a worker switches it to English.
type Counter struct {
	Flow *flow.Counter
	Ctx  context.Context
	Lang i18n.Lang
	// OnLang, if set, is called when the screen's language button is
	// tapped, instead of switching this screen alone: the shell switches
	// every screen.
	OnLang func(i18n.Lang)

	view flow.CounterView
	root *fyne.Container

	// Inputs keep their text across redraws.
	worker, password, manualID, manualName, phone, reason *widget.Entry
	consent                                               *widget.Check
}

// NewCounter returns the login screen in language l.
func NewCounter(ctx context.Context, f *flow.Counter, l i18n.Lang) *Counter {
	c := &Counter{Flow: f, Ctx: ctx, Lang: l, root: container.NewStack()}
	c.worker = widget.NewEntry()
	c.password = widget.NewPasswordEntry()
	c.manualID = widget.NewEntry()
	c.manualName = widget.NewEntry()
	c.phone = widget.NewEntry()
	c.reason = widget.NewEntry()
	c.consent = widget.NewCheck("", nil)
	c.Show(flow.CounterView{Step: flow.CounterLogin})
	return c
}

// SetLang switches the language and redraws; on the UI goroutine.
func (c *Counter) SetLang(l i18n.Lang) {
	c.Lang = l
	c.Show(c.view)
}

// label puts the inputs' words in the screen's language: the entries
// outlive a redraw, so their placeholders are set on every one.
func (c *Counter) label() {
	l := c.Lang
	c.worker.SetPlaceHolder(i18n.T(l, i18n.CounterWorkerID))
	c.password.SetPlaceHolder(i18n.T(l, i18n.CounterPassword))
	c.manualID.SetPlaceHolder(i18n.T(l, i18n.CounterManualID))
	c.manualName.SetPlaceHolder(i18n.T(l, i18n.NameLabel))
	c.phone.SetPlaceHolder(i18n.T(l, i18n.CounterPhone))
	c.reason.SetPlaceHolder(i18n.T(l, i18n.CounterReason))
	c.consent.Text = i18n.T(l, i18n.CounterConsent)
	c.consent.Refresh()
}

// langButton offers the other language.
func (c *Counter) langButton() fyne.CanvasObject {
	l := c.Lang
	return bigButton(i18n.T(l, i18n.LangButton), false, func() {
		if c.OnLang != nil {
			c.OnLang(l.Other())
			return
		}
		c.SetLang(l.Other())
	})
}

// clearInputs empties every entry that may hold a resident's details or
// the worker's password.
func (c *Counter) clearInputs() {
	for _, e := range []*widget.Entry{c.worker, c.password, c.manualID, c.manualName, c.phone, c.reason} {
		e.SetText("")
	}
	c.consent.SetChecked(false)
}

// Content is the screen's root object.
func (c *Counter) Content() fyne.CanvasObject { return c.root }

// View returns the view on screen.
func (c *Counter) View() flow.CounterView { return c.view }

// Show draws a view; on the UI goroutine.
func (c *Counter) Show(v flow.CounterView) {
	c.view = v
	c.label()
	var o fyne.CanvasObject
	if v.Step == flow.CounterLogin {
		o = c.login()
	} else {
		o = container.NewHSplit(c.resident(), c.dashboard())
	}
	c.root.Objects = []fyne.CanvasObject{o}
	c.root.Refresh()
}

func (c *Counter) login() fyne.CanvasObject {
	l := c.Lang
	msg := ""
	if c.view.LoginFailed {
		msg = i18n.T(l, i18n.CounterLoginFailed)
	}
	btn := bigButton(i18n.T(l, i18n.CounterLogin), true, func() { c.Flow.Login(c.Ctx, c.worker.Text, c.password.Text); c.password.SetText("") })
	form := container.NewCenter(container.NewVBox(heading(i18n.T(l, i18n.CounterLoginTitle)), c.worker, c.password,
		text(msg, theme.TextSize, theme.Warning, false), container.NewCenter(btn)))
	return container.NewBorder(container.NewBorder(nil, nil, nil, c.langButton()), nil, nil, nil, form)
}

func (c *Counter) resident() fyne.CanvasObject {
	v, l := c.view, c.Lang
	who := i18n.T(l, i18n.CounterPlaceCard)
	if v.MaskedID != "" {
		who = i18n.T(l, i18n.CounterResident) + "  " + v.MaskedName + "  " + v.MaskedID
		if v.Source == flow.SourceSSC {
			who += "  (" + i18n.T(l, i18n.SourceSSC) + ")"
		}
	}
	if v.Minor {
		who += i18n.T(l, i18n.CounterMinorTag)
	}
	family := i18n.T(l, i18n.CounterFamily) + i18n.T(l, i18n.CounterFamilyNone)
	switch {
	case v.FamilyName != "" && v.Minor:
		family = i18n.T(l, i18n.CounterGuardian) + v.FamilyName
	case v.FamilyName != "":
		family = i18n.T(l, i18n.CounterFamily) + v.FamilyName
	}
	if v.WaitFamily {
		family = i18n.T(l, i18n.CounterFamilyWait)
	}
	status := counterMessage(v, l)
	btn := func(k i18n.Key, f func()) fyne.CanvasObject { return bigButton(i18n.T(l, k), false, f) }
	items := []fyne.CanvasObject{
		container.NewBorder(nil, nil, nil, container.NewHBox(c.langButton(), btn(i18n.CounterLogout, c.Flow.Logout)),
			text(i18n.T(l, i18n.CounterWorker)+"  "+v.Worker, theme.TextSize, theme.Foreground, true)),
		text(who, theme.TextSize*1.2, theme.Foreground, true),
		container.NewBorder(nil, nil, nil, btn(i18n.CounterFamilyRead, func() { c.Flow.ExpectFamily(true) }), body(family)),
		container.NewBorder(nil, nil, nil, container.NewHBox(
			btn(i18n.CounterManual, func() { c.Flow.ManualID(c.Ctx, c.manualID.Text, c.manualName.Text) }),
			btn(i18n.CounterMinor, func() { c.Flow.Minor(c.Ctx, c.manualID.Text, c.manualName.Text) })),
			container.NewGridWithColumns(2, c.manualID, c.manualName)),
		c.phone, c.consent,
		container.NewGridWithColumns(3,
			btn(i18n.CounterEnrol, func() { c.Flow.Enrol(c.Ctx, c.phone.Text, c.consent.Checked) }),
			btn(i18n.CounterReissue, func() { c.Flow.Reissue(c.Ctx) }),
			btn(i18n.CounterClear, func() {
				c.phone.SetText("")
				c.consent.SetChecked(false)
				c.Flow.Clear()
			})),
		container.NewBorder(nil, nil, nil, btn(i18n.CounterCorrect, func() { c.Flow.Correction(c.Ctx, strings.TrimSpace(c.reason.Text)) }), c.reason),
		text(status, theme.TextSize, theme.Warning, true),
	}
	if v.PrintAgain { // the printer failed: the same slip once it is back
		items = append(items, btn(i18n.CounterPrintAgain, func() { c.Flow.PrintAgain(c.Ctx) }))
	}
	if v.Ticket.Kind != "" && v.Ticket.Kind != flow.TicketPending {
		items = append(items, ColourBlock(v.Ticket.Status, l))
	}
	return container.NewVScroll(container.NewVBox(items...))
}

func counterMessage(v flow.CounterView, l i18n.Lang) string {
	switch {
	case v.ManualFailed != "":
		return i18n.ManualInvalidText(l, v.ManualFailed)
	case v.Problem != "":
		return i18n.ProblemLine(l, v.Problem)
	case v.Step == flow.CounterBusy:
		return i18n.T(l, i18n.CounterBusy)
	case v.Message == "consent":
		return i18n.T(l, i18n.CounterNoConsent)
	case v.Message == flow.ErrNoResident.Error():
		return i18n.T(l, i18n.CounterNoResident)
	case v.Message == "printed":
		return i18n.T(l, i18n.CounterPrinted)
	case v.Message == "expired":
		return i18n.T(l, i18n.CounterSlipExpired)
	case v.Message == "receipt":
		return i18n.T(l, i18n.CounterAccepted) + " " + v.Ticket.Receipt
	}
	return ""
}

func (c *Counter) dashboard() fyne.CanvasObject {
	d, l := c.view.Dashboard, c.Lang
	link := i18n.T(l, i18n.Offline)
	if d.Online {
		link = i18n.T(l, i18n.Online)
	}
	last := i18n.T(l, i18n.CounterNever)
	if !d.LastSync.IsZero() {
		last = i18n.AsOfText(l, d.LastSync)
	}
	lines := []string{
		i18n.TodayText(l, d.TodayActions),
		fmt.Sprintf("%s · %s %d · %s %s", link, i18n.T(l, i18n.Waiting), d.Pending, i18n.T(l, i18n.CounterLastSync), last),
	}
	list := func(k i18n.Key, xs []string) {
		lines = append(lines, i18n.ListTitle(l, k, len(xs)))
		for _, x := range xs {
			lines = append(lines, "  "+x)
		}
	}
	calls := make([]string, len(d.Calls))
	for i, x := range d.Calls {
		calls[i] = fmt.Sprintf("%s %s %s→%s", x.MaskedName, x.MaskedID, i18n.ColourWord(l, x.Printed), i18n.ColourWord(l, x.Current))
	}
	ready := make([]string, len(d.Ready))
	for i, x := range d.Ready {
		ready[i] = fmt.Sprintf("%s %s %s %s", x.MaskedName, i18n.T(l, i18n.Receipt), x.Receipt, i18n.AsOfText(l, x.Since))
	}
	unchecked := make([]string, len(d.Unchecked))
	for i, x := range d.Unchecked {
		unchecked[i] = fmt.Sprintf("%s %s %s", x.MaskedName, x.Serial, i18n.AsOfText(l, x.At))
	}
	watch := make([]string, len(d.Watch))
	for i, x := range d.Watch {
		watch[i] = fmt.Sprintf("%s %s %s · %s %s", x.MaskedName, x.MaskedID, i18n.ColourWord(l, x.Colour),
			i18n.WatchReason(l, x.Reason), i18n.AsOfText(l, x.Since))
	}
	list(i18n.CounterHelpCalls, d.HelpCalls)
	list(i18n.CounterReady, ready)
	list(i18n.CounterUnchecked, unchecked)
	if len(watch) > 0 { // the service's list, online only
		list(i18n.CounterWatch, watch)
	}
	list(i18n.CounterCalls, calls)
	list(i18n.CounterRejected, d.Quarantined)
	objs := []fyne.CanvasObject{heading(i18n.T(l, i18n.CounterDashboard)),
		bigButton(i18n.T(l, i18n.CounterRefresh), false, func() { c.Flow.Refresh(c.Ctx) })}
	for _, x := range lines {
		objs = append(objs, body(x))
	}
	if c.view.Preview != nil {
		objs = append(objs, preview(c.view.Preview, l))
	}
	return container.NewVScroll(container.NewVBox(objs...))
}

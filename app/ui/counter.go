package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/theme"
	"github.com/shcommunity/kiosk/healthcode"
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
	fit  *fit
	sz   theme.Sizes

	// Inputs keep their text across redraws.
	worker, password, manualID, manualName, phone, reason *widget.Entry
	consent                                               *widget.Check
}

// NewCounter returns the login screen in language l.
func NewCounter(ctx context.Context, f *flow.Counter, l i18n.Lang) *Counter {
	c := &Counter{Flow: f, Ctx: ctx, Lang: l}
	c.worker = widget.NewEntry()
	c.password = widget.NewPasswordEntry()
	c.manualID = widget.NewEntry()
	c.manualName = widget.NewEntry()
	c.phone = widget.NewEntry()
	c.reason = widget.NewEntry()
	c.consent = widget.NewCheck("", nil)
	c.fit = newFit(true, c.draw)
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
	return workerButton(c.sz, i18n.T(l, i18n.LangButton), false, func() {
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
func (c *Counter) Content() fyne.CanvasObject { return c.fit.Content() }

// View returns the view on screen.
func (c *Counter) View() flow.CounterView { return c.view }

// Show draws a view; on the UI goroutine.
func (c *Counter) Show(v flow.CounterView) {
	c.view = v
	c.label()
	c.fit.redraw()
}

func (c *Counter) draw(sz theme.Sizes) fyne.CanvasObject {
	c.sz = sz
	if c.view.Step == flow.CounterLogin {
		return c.login()
	}
	top := c.topBar()
	avail := sz.Canvas.Height - top.MinSize().Height - 4*padding(sz.Worker)
	showing := c.view.Preview != nil || (c.view.Ticket.Kind != "" && c.view.Ticket.Kind != flow.TicketPending)
	if sz.Portrait {
		// A portrait counter has the height for all three, one under
		// the other, and the width of one.
		w := sz.Canvas.Width - 4*padding(sz.Worker)
		work := c.resident(w)
		rest := avail - work.MinSize().Height - padding(sz.Worker)
		parts := []fyne.CanvasObject{work}
		if showing {
			res := c.result(w, rest/2)
			rest -= res.MinSize().Height + padding(sz.Worker)
			parts = append(parts, res)
		}
		parts = append(parts, c.dashboard(w, rest))
		return container.NewBorder(top, nil, nil, nil, container.NewPadded(container.NewVBox(parts...)))
	}
	// Landscape: the resident's work on the left, and on the right what
	// came of it (the colour and the slip) while there is a result, the
	// dashboard otherwise.
	left := (sz.Canvas.Width - 6*padding(sz.Worker)) * counterShare
	right := sz.Canvas.Width - 6*padding(sz.Worker) - left
	var side fyne.CanvasObject
	if showing {
		side = c.result(right, avail)
	} else {
		side = c.dashboard(right, avail)
	}
	return container.NewBorder(top, nil, nil, nil,
		container.NewPadded(container.New(shareLayout{counterShare}, c.resident(left), side)))
}

// counterShare is the part of a landscape counter's width that the
// resident's work takes.
const counterShare = 0.58

// shareLayout lays two objects side by side, the first taking share of
// the width.
type shareLayout struct{ share float32 }

// Layout implements fyne.Layout.
func (s shareLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	gap := fynetheme.Padding()
	w := (size.Width - gap) * s.share
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(w, size.Height))
	objs[1].Move(fyne.NewPos(w+gap, 0))
	objs[1].Resize(fyne.NewSize(size.Width-w-gap, size.Height))
}

// MinSize implements fyne.Layout.
func (s shareLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	a, b := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(max(a.Width/s.share, b.Width/(1-s.share))+fynetheme.Padding(), max(a.Height, b.Height))
}

func (c *Counter) login() fyne.CanvasObject {
	l := c.Lang
	msg := ""
	if c.view.LoginFailed {
		msg = i18n.T(l, i18n.CounterLoginFailed)
	}
	btn := bigButton(c.sz, i18n.T(l, i18n.CounterLogin), true, func() { c.Flow.Login(c.Ctx, c.worker.Text, c.password.Text); c.password.SetText("") })
	form := container.NewCenter(container.NewVBox(text(i18n.T(l, i18n.CounterLoginTitle), c.sz.Heading, theme.Foreground, true), c.worker, c.password,
		text(msg, theme.TextSize, theme.Warning, false), container.NewCenter(btn)))
	return container.NewBorder(container.NewBorder(nil, nil, nil, c.langButton()), nil, nil, nil, form)
}

// topBar is the worker, the link to the service and the day's count,
// with the language and log-out buttons.
func (c *Counter) topBar() fyne.CanvasObject {
	v, l, sz := c.view, c.Lang, c.sz
	d := v.Dashboard
	link := i18n.T(l, i18n.Offline)
	if d.Online {
		link = i18n.T(l, i18n.Online)
	}
	buttons := container.NewHBox(c.langButton(), workerButton(sz, i18n.T(l, i18n.CounterLogout), false, c.Flow.Logout))
	w := sz.Canvas.Width - buttons.MinSize().Width - 6*padding(sz.Worker)
	line := i18n.T(l, i18n.CounterWorker) + "  " + v.Worker + "   ·   " + link + "   ·   " + i18n.TodayText(l, d.TodayActions)
	words := text(clipLine(line, sz.Worker, true, w), sz.Worker, theme.Foreground, true)
	words.Alignment = fyne.TextAlignLeading
	bg := canvas.NewRectangle(theme.Muted)
	return container.NewStack(bg, container.NewBorder(nil, nil, nil, buttons, container.NewPadded(words)))
}

// resident is the worker's tasks in order, in a column w wide: who is at
// the counter (a card read, a family member's, or a number typed), her
// phone and consent, the actions, and what came of the last one.
func (c *Counter) resident(w float32) fyne.CanvasObject {
	v, l, sz := c.view, c.Lang, c.sz
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
	btn := func(k i18n.Key, primary bool, f func()) fyne.CanvasObject {
		return workerButton(sz, i18n.T(l, k), primary, f)
	}
	familyBtn := btn(i18n.CounterFamilyRead, false, func() { c.Flow.ExpectFamily(true) })
	correct := btn(i18n.CounterCorrect, false, func() { c.Flow.Correction(c.Ctx, strings.TrimSpace(c.reason.Text)) })
	primary := btn(i18n.CounterEnrol, true, func() { c.Flow.Enrol(c.Ctx, c.phone.Text, c.consent.Checked) })
	if v.PrintAgain { // the printer failed: the same slip once it is back
		primary = btn(i18n.CounterPrintAgain, true, func() { c.Flow.PrintAgain(c.Ctx) })
	}
	items := []fyne.CanvasObject{
		para(who, sz.Worker, theme.Foreground, true, w),
		container.NewBorder(nil, nil, nil, familyBtn,
			para(family, sz.Worker, theme.Foreground, false, w-familyBtn.MinSize().Width-padding(sz.Worker))),
		c.manualID,
		container.NewBorder(nil, nil, nil, container.NewHBox(
			btn(i18n.CounterManual, false, func() { c.Flow.ManualID(c.Ctx, c.manualID.Text, c.manualName.Text) }),
			btn(i18n.CounterMinor, false, func() { c.Flow.Minor(c.Ctx, c.manualID.Text, c.manualName.Text) })),
			c.manualName),
		c.phone, c.consent,
		container.NewHBox(
			primary,
			btn(i18n.CounterReissue, false, func() { c.Flow.Reissue(c.Ctx) }),
			btn(i18n.CounterClear, false, func() {
				c.phone.SetText("")
				c.consent.SetChecked(false)
				c.Flow.Clear()
			})),
		container.NewBorder(nil, nil, nil, correct, c.reason),
	}
	if status := counterMessage(v, l); status != "" {
		items = append(items, para(status, sz.Worker, theme.Warning, true, w))
	}
	return container.NewVBox(items...)
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

// result is what the last action came to, in an area w × h: the colour
// as the resident's screen writes it, smaller, beside the slip as
// printed (above it when the area is too narrow for both).
func (c *Counter) result(w, h float32) fyne.CanvasObject {
	v, l, sz := c.view, c.Lang, c.sz
	small := sz
	small.Word, small.Text = sz.Heading, sz.Worker
	gap := padding(sz.Worker)
	var block fyne.CanvasObject = container.NewVBox()
	if v.Ticket.Kind != "" && v.Ticket.Kind != flow.TicketPending {
		bw := w
		if v.Preview != nil {
			bw = w - previewWidth(sz, l) - 2*gap
		}
		if bw < minBlockWidth(small, l) {
			bw = w
		}
		block = ColourBlock(small, v.Ticket.Status, l, bw)
	}
	if v.Preview == nil {
		return block
	}
	caption := text(i18n.T(l, i18n.PreviewLabel), sz.Small, theme.Foreground, false).MinSize().Height * 2
	room := h - caption - 2*gap
	beside := block.MinSize().Width+previewWidth(sz, l)+2*gap <= w
	if !beside {
		room -= block.MinSize().Height + gap
	}
	// The slip keeps its printed proportions at the height there is.
	slipH := min(sz.Slip.Height, room)
	small.Slip = fyne.NewSize(sz.Slip.Width*slipH/sz.Slip.Height, slipH)
	slip := preview(small, v.Preview, l)
	if beside {
		return container.NewHBox(container.NewVBox(block), slip)
	}
	return container.NewVBox(block, container.NewCenter(slip))
}

// minBlockWidth is the least width a colour block can have beside the
// slip: its word on one line.
func minBlockWidth(sz theme.Sizes, l i18n.Lang) float32 {
	return fyne.MeasureText(i18n.ColourWord(l, healthcode.Yellow), sz.Word, fyne.TextStyle{Bold: true}).Width*1.5 + 4*padding(sz.Text)
}

// dashboard is the centre's day in an area w × h: the link and what is
// waiting, and the lists a worker acts on, as many lines of each as fit,
// with how many more there are.
func (c *Counter) dashboard(w, h float32) fyne.CanvasObject {
	d, l, sz := c.view.Dashboard, c.Lang, c.sz
	head := container.NewBorder(nil, nil, nil,
		workerButton(sz, i18n.T(l, i18n.CounterRefresh), false, func() { c.Flow.Refresh(c.Ctx) }),
		text(i18n.T(l, i18n.CounterDashboard), sz.Heading, theme.Foreground, true))
	link := i18n.T(l, i18n.Offline)
	if d.Online {
		link = i18n.T(l, i18n.Online)
	}
	last := i18n.T(l, i18n.CounterNever)
	if !d.LastSync.IsZero() {
		last = i18n.AsOfText(l, d.LastSync)
	}
	type line struct {
		s     string
		title bool
	}
	lines := []line{{fmt.Sprintf("%s · %s %d · %s %s", link, i18n.T(l, i18n.Waiting), d.Pending, i18n.T(l, i18n.CounterLastSync), last), false}}
	list := func(k i18n.Key, xs []string) {
		lines = append(lines, line{i18n.ListTitle(l, k, len(xs)), true})
		for _, x := range xs {
			lines = append(lines, line{"    " + x, false})
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
	step := text("国", sz.Worker, theme.Foreground, false).MinSize().Height + fynetheme.Padding()
	fit := max(1, int((h-head.MinSize().Height-fynetheme.Padding())/step))
	if len(lines) > fit {
		hidden := 0
		for _, x := range lines[fit-1:] {
			if !x.title {
				hidden++
			}
		}
		lines = append(lines[:fit-1], line{fmt.Sprintf("… +%d", hidden), false})
	}
	objs := []fyne.CanvasObject{head}
	for _, x := range lines {
		t := text(clipLine(x.s, sz.Worker, x.title, w), sz.Worker, theme.Foreground, x.title)
		t.Alignment = fyne.TextAlignLeading
		objs = append(objs, t)
	}
	return container.NewVBox(objs...)
}

// clipLine is s, cut short with "…" when it would be wider than w.
func clipLine(s string, size float32, bold bool, w float32) string {
	style := fyne.TextStyle{Bold: bold}
	if fyne.MeasureText(s, size, style).Width <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && fyne.MeasureText(string(r)+"…", size, style).Width > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

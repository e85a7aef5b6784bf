package ui

import (
	"context"
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

// Counter is the community worker's screen, laid out around her tasks
// in order: login; the resident at the counter (card, family member,
// manual number as a fallback) with what the service and this kiosk know
// of her (colour, paper codes, pending items); the actions (enrol,
// re-issue, report lost, correct, who looked her up, withdraw her
// health-cloud consent); the slip; and the dashboard, whose lists she
// serves from. A worker who types has the keyboard: Tab goes through the
// fields and buttons in that order, Enter submits the field's action,
// Esc clears the resident. It is in Chinese unless a worker switches it
// to English.
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
	worker, password, manualID, manualName, phone, reason *keyEntry
	consent                                               *widget.Check
	// confirm is the open confirmation of a re-issue, a report of loss
	// or a withdrawal, if any.
	confirm *widget.PopUp
	// noReason: the reason field was empty when the screen was drawn
	// (提交纠错 was not offered).
	noReason bool
}

// keyEntry is an entry whose Esc runs onEsc: the counter's fields clear
// the resident with it.
type keyEntry struct {
	widget.Entry
	onEsc func()
}

func newKeyEntry(password bool) *keyEntry {
	e := &keyEntry{}
	e.Password = password
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey implements fyne.Focusable: Esc clears, the rest is the entry's.
func (e *keyEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEsc != nil {
		e.onEsc()
		return
	}
	e.Entry.TypedKey(k)
}

// NewCounter returns the login screen in language l.
func NewCounter(ctx context.Context, f *flow.Counter, l i18n.Lang) *Counter {
	c := &Counter{Flow: f, Ctx: ctx, Lang: l}
	c.worker, c.password = newKeyEntry(false), newKeyEntry(true)
	c.manualID, c.manualName = newKeyEntry(false), newKeyEntry(false)
	c.phone, c.reason = newKeyEntry(false), newKeyEntry(false)
	c.consent = widget.NewCheck("", func(bool) { c.fit.redraw() }) // 登记并打印 follows it
	login := func(string) { c.login() }
	c.worker.OnSubmitted, c.password.OnSubmitted = login, login
	typed := func(string) { c.Flow.ManualID(c.Ctx, c.manualID.Text, c.manualName.Text) }
	c.manualID.OnSubmitted, c.manualName.OnSubmitted = typed, typed
	c.phone.OnSubmitted = func(string) { c.submit(actEnrol) }
	c.reason.OnSubmitted = func(string) { c.submit(actCorrect) }
	c.reason.OnChanged = func(s string) {
		if (strings.TrimSpace(s) == "") != c.noReason { // 提交纠错 follows it
			c.fit.redraw()
		}
	}
	for _, e := range []*keyEntry{c.manualID, c.manualName, c.phone, c.reason} {
		e.onEsc = c.clear
	}
	c.worker.onEsc = func() { c.worker.SetText(""); c.password.SetText("") }
	c.password.onEsc = c.worker.onEsc
	c.fit = newFit(true, c.draw)
	c.Show(flow.CounterView{Step: flow.CounterLogin})
	return c
}

// login sends the worker's ID and password, and forgets the password.
func (c *Counter) login() {
	c.Flow.Login(c.Ctx, c.worker.Text, c.password.Text)
	c.password.SetText("")
}

// clear empties the resident's fields and drops her from the counter
// (清除, Esc).
func (c *Counter) clear() {
	c.closeConfirm()
	for _, e := range []*keyEntry{c.manualID, c.manualName, c.phone, c.reason} {
		e.SetText("")
	}
	c.consent.SetChecked(false)
	c.Flow.Clear()
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
	for _, e := range []*keyEntry{c.worker, c.password, c.manualID, c.manualName, c.phone, c.reason} {
		e.SetText("")
	}
	c.consent.SetChecked(false)
}

// Content is the screen's root object.
func (c *Counter) Content() fyne.CanvasObject { return c.fit.Content() }

// View returns the view on screen.
func (c *Counter) View() flow.CounterView { return c.view }

// Show draws a view; on the UI goroutine. A confirmation still open
// for a resident who has gone (another card, a log-out) is closed.
func (c *Counter) Show(v flow.CounterView) {
	if v.Step == flow.CounterLogin || v.MaskedID != c.view.MaskedID {
		c.closeConfirm()
	}
	c.view = v
	c.label()
	c.fit.redraw()
}

func (c *Counter) draw(sz theme.Sizes) fyne.CanvasObject {
	c.sz = sz
	c.noReason = strings.TrimSpace(c.reason.Text) == ""
	if c.view.Step == flow.CounterLogin {
		return c.loginForm()
	}
	top := c.topBar()
	avail := sz.Canvas.Height - top.MinSize().Height - 4*padding(sz.Worker)
	if sz.Portrait {
		// A portrait counter has the height for the work and what goes
		// beside it, one under the other, and the width of one.
		w := sz.Canvas.Width - 4*padding(sz.Worker)
		work := c.resident(w)
		side := c.side(w, avail-work.MinSize().Height-padding(sz.Worker))
		return container.NewBorder(top, nil, nil, nil, container.NewPadded(container.NewVBox(work, side)))
	}
	// Landscape: the resident's work on the left; on the right what came
	// of it (the colour and the slip) while there is a result, her
	// record while she is served, the dashboard otherwise.
	left := (sz.Canvas.Width - 6*padding(sz.Worker)) * counterShare
	right := sz.Canvas.Width - 6*padding(sz.Worker) - left
	return container.NewBorder(top, nil, nil, nil,
		container.NewPadded(container.New(shareLayout{counterShare}, c.resident(left), c.side(right, avail))))
}

// side is what goes beside the work, in an area w × h: with nobody at
// the counter the dashboard; while a resident is served the result of
// the last action while it has a colour or a slip (the slip takes the
// height there is), else her record above the actions on it.
func (c *Counter) side(w, h float32) fyne.CanvasObject {
	v := c.view
	switch {
	case v.MaskedID == "":
		return c.dashboard(w, h)
	case v.Preview != nil || (v.Ticket.Kind != "" && v.Ticket.Kind != flow.TicketPending):
		return c.result(w, h)
	}
	acts := c.recordActions(w)
	h -= acts.MinSize().Height + padding(c.sz.Worker)
	return container.NewBorder(nil, acts, nil, nil, c.record(w, h))
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

// loginForm is the worker's login: Enter in either field logs in.
func (c *Counter) loginForm() fyne.CanvasObject {
	l := c.Lang
	msg := ""
	if c.view.LoginFailed {
		msg = i18n.T(l, i18n.CounterLoginFailed)
	}
	btn := bigButton(c.sz, i18n.T(l, i18n.CounterLogin), true, c.login)
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

package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/theme"
)

// act is one of the actions on the resident at the counter.
type act int

// The resident's actions, in the order the screen offers them.
const (
	actEnrol act = iota
	actReissue
	actLost
	actCorrect
	actAccess
	actWithdraw
)

// acts is every action, in order.
var acts = []act{actEnrol, actReissue, actLost, actCorrect, actAccess, actWithdraw}

// name is the action's button label.
func (a act) name(l i18n.Lang) string {
	return i18n.T(l, [...]i18n.Key{i18n.CounterEnrol, i18n.CounterReissue, i18n.CounterReportLost,
		i18n.CounterCorrect, i18n.CounterAccess, i18n.CounterWithdraw}[a])
}

// why says why the action is not offered now, or "" when it is: nobody
// at the counter, an action under way, no consent ticked, no reason
// typed, the service out of reach for what only it can do, no valid
// code to report lost.
func (c *Counter) why(a act) string {
	v, l := c.view, c.Lang
	rec := v.Record
	switch {
	case v.Step == flow.CounterBusy:
		return i18n.T(l, i18n.CounterBusy)
	case v.MaskedID == "":
		return i18n.T(l, i18n.CounterNoResident)
	case a == actEnrol && !c.consent.Checked:
		return i18n.T(l, i18n.CounterWhyConsent)
	case a == actCorrect && c.noReason:
		return i18n.T(l, i18n.CounterNoReason)
	case a == actEnrol || a == actCorrect:
		return "" // queued offline, sent when the service answers
	case !v.Dashboard.Online:
		return i18n.T(l, i18n.CounterNeedsService)
	case (a == actReissue || a == actLost) && rec.CodesKnown && !rec.Enrolled:
		return i18n.T(l, i18n.CounterNotEnrolled)
	case a == actLost && rec.CodesKnown && rec.Active() == 0:
		return i18n.T(l, i18n.CounterNoActiveCode)
	}
	return ""
}

// submit does the action when it is offered (a button, or Enter in its
// field); a re-issue, a report of loss and a withdrawal ask first.
func (c *Counter) submit(a act) {
	if c.why(a) != "" {
		return
	}
	l, rec := c.Lang, c.view.Record
	switch a {
	case actEnrol:
		c.Flow.Enrol(c.Ctx, c.phone.Text, c.consent.Checked)
	case actCorrect:
		c.Flow.Correction(c.Ctx, strings.TrimSpace(c.reason.Text))
	case actAccess:
		c.Flow.ShowAccess(c.Ctx)
	case actReissue:
		c.ask(i18n.T(l, i18n.CounterConfirmReissue), i18n.ConsequenceText(l, rec.Active(), rec.CodesKnown), a,
			func() { c.Flow.Reissue(c.Ctx) })
	case actLost:
		c.ask(i18n.T(l, i18n.CounterConfirmLost), i18n.ConsequenceText(l, rec.Active(), rec.CodesKnown), a,
			func() { c.Flow.ReportLost(c.Ctx) })
	case actWithdraw:
		c.ask(i18n.T(l, i18n.CounterConfirmDrop), i18n.T(l, i18n.CounterDropEffect), a,
			func() { c.Flow.WithdrawHealth(c.Ctx) })
	}
}

// actButton is the action's button: disabled, when it is not offered,
// with the reason written under the actions (reasons).
func (c *Counter) actButton(a act, primary bool) fyne.CanvasObject {
	label := a.name(c.Lang)
	b := widget.NewButton(label, func() { c.submit(a) })
	if primary {
		b.Importance = widget.HighImportance
	}
	if c.why(a) != "" {
		b.Disable()
	}
	return container.NewGridWrap(workerSize(c.sz, label), b)
}

// reasons says why the actions of these are not offered, one clause for
// each reason naming its actions ("补打新码、挂失：需要联网"), under the
// buttons they are about; with nobody at the counter, only that her card
// comes first. "" when all are offered.
func (c *Counter) reasons(these ...act) string {
	l := c.Lang
	if c.view.MaskedID == "" {
		return i18n.T(l, i18n.CounterNeedCard)
	}
	var order []string
	by := map[string][]string{}
	for _, a := range these {
		w := c.why(a)
		if w == "" || w == i18n.T(l, i18n.CounterBusy) {
			continue
		}
		if by[w] == nil {
			order = append(order, w)
		}
		by[w] = append(by[w], a.name(l))
	}
	out := make([]string, len(order))
	for i, w := range order {
		out[i] = i18n.UnavailableText(l, by[w], w)
	}
	return strings.Join(out, i18n.T(l, i18n.CounterClauses))
}

// ask opens the confirmation of an action that cannot be undone: what
// it does to her papers (or her data), then the action or 取消. Esc and
// 取消 close it.
func (c *Counter) ask(title, consequence string, a act, ok func()) {
	cv := fyne.CurrentApp().Driver().CanvasForObject(c.Content())
	if cv == nil {
		return
	}
	c.closeConfirm()
	l, sz := c.Lang, c.sz
	w := min(sz.Canvas.Width*0.6, sz.Canvas.Width-8*padding(sz.Worker))
	yes := workerButton(sz, a.name(l), true, func() { c.closeConfirm(); ok() })
	no := widget.NewButton(i18n.T(l, i18n.CounterCancel), c.closeConfirm)
	body := container.NewVBox(
		para(title, sz.Heading, theme.Foreground, true, w),
		para(consequence, sz.Worker, theme.Warning, true, w),
		container.NewCenter(container.NewHBox(yes, container.NewGridWrap(workerSize(sz, no.Text), no))))
	c.confirm = widget.NewModalPopUp(dialog(sz, body), cv)
	c.confirm.Show()
	cv.Focus(no) // Enter alone never confirms
}

// closeConfirm closes the open confirmation, if any.
func (c *Counter) closeConfirm() {
	if c.confirm != nil {
		c.confirm.Hide()
		c.confirm = nil
	}
}

// resident is the worker's tasks in order, in a column w wide: who is at
// the counter (a card read, a family member's, or a number typed), her
// phone and consent, the actions, and what came of the last one or why
// an action is not offered.
func (c *Counter) resident(w float32) fyne.CanvasObject {
	v, l, sz := c.view, c.Lang, c.sz
	btn := func(k i18n.Key, f func()) fyne.CanvasObject { return workerButton(sz, i18n.T(l, k), false, f) }
	familyBtn := btn(i18n.CounterFamilyRead, func() { c.Flow.ExpectFamily(true) })
	primary := c.actButton(actEnrol, true)
	if v.PrintAgain { // the printer failed: the same slip once it is back
		primary = workerButton(sz, i18n.T(l, i18n.CounterPrintAgain), true, func() { c.Flow.PrintAgain(c.Ctx) })
	}
	items := []fyne.CanvasObject{
		container.NewBorder(nil, nil, nil, familyBtn,
			para(c.who(), sz.Worker, theme.Foreground, true, w-familyBtn.MinSize().Width-padding(sz.Worker))),
		c.manualID,
		container.NewBorder(nil, nil, nil, container.NewHBox(
			btn(i18n.CounterManual, func() { c.Flow.ManualID(c.Ctx, c.manualID.Text, c.manualName.Text) }),
			btn(i18n.CounterMinor, func() { c.Flow.Minor(c.Ctx, c.manualID.Text, c.manualName.Text) })),
			c.manualName),
		c.phone, c.consent,
		wrapRow(w, primary, c.actButton(actReissue, false), c.actButton(actLost, false), btn(i18n.CounterClear, c.clear)),
	}
	if m := counterMessage(v, l); m != "" {
		items = append(items, para(m, sz.Worker, theme.Warning, true, w))
	}
	these := []act{actEnrol, actReissue, actLost}
	if v.PrintAgain {
		these = these[1:] // 再次打印 stands where 登记并打印 was
	}
	if r := c.reasons(these...); r != "" {
		items = append(items, para(r, sz.Worker, theme.Foreground, false, w))
	}
	return container.NewVBox(items...)
}

// recordActions are the actions on her record, under it (or under the
// slip), w wide: a 纠错 with its reason, who looked her up, and the
// withdrawal of her health-cloud consent.
func (c *Counter) recordActions(w float32) fyne.CanvasObject {
	sz := c.sz
	access, withdraw, correct := c.actButton(actAccess, false), c.actButton(actWithdraw, false), c.actButton(actCorrect, false)
	row := wrapRow(w, access, withdraw)
	// The reason's field is as wide as its placeholder at least, with
	// its button beside it when there is the width, else under it.
	field := fyne.MeasureText(c.reason.PlaceHolder, sz.Worker, fyne.TextStyle{}).Width + 6*padding(sz.Worker)
	var fix fyne.CanvasObject = container.NewBorder(nil, nil, nil, correct, c.reason)
	if field+correct.MinSize().Width+padding(sz.Worker) > w {
		fix = container.NewVBox(c.reason, correct)
	}
	box := container.NewVBox(fix, row)
	if r := c.reasons(actCorrect, actAccess, actWithdraw); r != "" {
		box.Add(para(r, sz.Worker, theme.Foreground, false, w))
	}
	return box
}

// wrapRow is the buttons on one row when it is w wide enough, else on
// two, half of them each.
func wrapRow(w float32, buttons ...fyne.CanvasObject) fyne.CanvasObject {
	row := container.NewHBox(buttons...)
	if row.MinSize().Width <= w {
		return row
	}
	half := (len(buttons) + 1) / 2
	return container.NewVBox(container.NewHBox(buttons[:half]...), container.NewHBox(buttons[half:]...))
}

// who is the resident at the counter (masked) and the family member.
func (c *Counter) who() string {
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
	switch {
	case v.WaitFamily:
		return who + "  ·  " + i18n.T(l, i18n.CounterFamilyWait)
	case v.FamilyName != "" && v.Minor:
		return who + "  ·  " + i18n.T(l, i18n.CounterGuardian) + v.FamilyName
	case v.FamilyName != "":
		return who + "  ·  " + i18n.T(l, i18n.CounterFamily) + v.FamilyName
	}
	return who
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
	case v.Message == flow.MessageLost:
		return i18n.LostText(l, v.Revoked)
	case v.Message == flow.MessageWithdrawn:
		return i18n.T(l, i18n.CounterWithdrawn)
	case v.Message == "receipt":
		return i18n.T(l, i18n.CounterAccepted) + " " + v.Ticket.Receipt
	}
	return ""
}

// line is one line of a list on the counter's right side: a title, a
// line of text, or an item the worker taps to serve.
type line struct {
	s     string
	title bool
	tap   func()
}

// lines draws ls in an area w × h, one under another, as many as fit:
// the rest are counted in a last line "… +N" (titles are not counted).
// An item to tap is a button as wide as the area.
func (c *Counter) lines(ls []line, w, h float32) []fyne.CanvasObject {
	sz := c.sz
	step := func(x line) float32 {
		if x.tap != nil {
			return max(theme.MinTap, 0.75*sz.Button.Height) + fynetheme.Padding()
		}
		return text("国", sz.Worker, theme.Foreground, false).MinSize().Height + fynetheme.Padding()
	}
	fits := func(n int) bool {
		used := float32(0)
		for _, x := range ls[:n] {
			used += step(x)
		}
		if n < len(ls) {
			used += step(line{}) // the "… +N" line
		}
		return used <= h
	}
	n := len(ls)
	for n > 0 && !fits(n) {
		n--
	}
	if n == 0 && !fits(0) {
		return nil // not even the count of what is left out
	}
	if n < len(ls) {
		hidden := 0
		for _, x := range ls[n:] {
			if !x.title {
				hidden++
			}
		}
		ls = append(ls[:n:n], line{s: fmt.Sprintf("… +%d", hidden)})
	}
	objs := make([]fyne.CanvasObject, 0, len(ls))
	for _, x := range ls {
		if x.tap != nil {
			objs = append(objs, c.itemButton(x.s, w, x.tap))
			continue
		}
		t := text(clipLine(x.s, sz.Worker, x.title, w), sz.Worker, theme.Foreground, x.title)
		t.Alignment = fyne.TextAlignLeading
		objs = append(objs, t)
	}
	return objs
}

// itemButton is a list item to tap, w wide, its words cut to fit.
func (c *Counter) itemButton(s string, w float32, tap func()) fyne.CanvasObject {
	sz := c.sz
	words := clipLine(s, sz.Worker, false, w-4*padding(sz.Worker))
	b := widget.NewButton(words, tap)
	b.Alignment = widget.ButtonAlignLeading
	b.Importance = widget.LowImportance
	return container.NewGridWrap(fyne.NewSize(w, max(theme.MinTap, 0.75*sz.Button.Height)), b)
}

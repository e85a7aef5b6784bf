package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/theme"
	"github.com/shcommunity/kiosk/healthcode"
)

// record is what is known of the resident at the counter, in an area
// w × h: why she is served (a dashboard item), her colour now with its
// as-of time and where it came from, her paper codes (when, where, still
// valid or not), what waits here for her, and who looked her up when the
// worker asked.
func (c *Counter) record(w, h float32) fyne.CanvasObject {
	v, l := c.view, c.Lang
	rec := v.Record
	top := container.NewVBox()
	if s := c.serving(w); s != nil {
		top.Add(s)
	}
	var ls []line
	if v.RecordLoading && rec.Status.Source == "" {
		ls = append(ls, line{s: i18n.T(l, i18n.CounterRecordLoading)})
	} else {
		top.Add(c.statusRow(rec.Status, w))
		switch {
		case !rec.CodesKnown:
			ls = append(ls, line{s: i18n.T(l, i18n.CounterCodesUnknown)})
		case !rec.Enrolled:
			ls = append(ls, line{s: i18n.T(l, i18n.CounterNotEnrolled), title: true})
		default:
			ls = append(ls, line{s: i18n.ListTitle(l, i18n.CounterCodes, len(rec.Codes)), title: true})
			for _, code := range rec.Codes {
				ls = append(ls, line{s: "    " + i18n.CodeLine(l, code)})
			}
		}
		if len(rec.Pending) > 0 {
			ls = append(ls, line{s: i18n.ListTitle(l, i18n.CounterPending, len(rec.Pending)), title: true})
			for _, p := range rec.Pending {
				ls = append(ls, line{s: "    " + i18n.PendingLine(l, p)})
			}
		}
	}
	switch {
	case v.AccessLoading:
		ls = append(ls, line{s: i18n.T(l, i18n.CounterAccessLoading)})
	case v.AccessShown:
		ls = append(ls, line{s: i18n.ListTitle(l, i18n.CounterAccessTitle, len(v.Access.Groups)), title: true})
		for _, g := range v.Access.Groups {
			ls = append(ls, line{s: "    " + i18n.AccessLine(l, g)})
		}
	}
	room := h - top.MinSize().Height - fynetheme.Padding()
	return container.NewBorder(top, nil, nil, nil, container.NewVBox(c.lines(ls, w, room)...))
}

// statusRow is her colour now as one line: a swatch of the colour and
// the line that writes it (the word, as of, from where), or that it is
// unknown.
func (c *Counter) statusRow(s healthcode.Status, w float32) fyne.CanvasObject {
	sz := c.sz
	var col healthcode.Colour
	if s.HasColour() {
		col = s.Colour
	}
	side := text("国", sz.Worker, theme.Foreground, false).MinSize().Height
	swatch := canvas.NewRectangle(theme.BlockFor(col).Background)
	swatch.CornerRadius = 4
	box := container.NewGridWrap(fyne.NewSize(side, side), swatch)
	words := para(i18n.StatusLine(c.Lang, s), sz.Worker, theme.Foreground, true, w-side-padding(sz.Worker))
	return container.NewBorder(nil, nil, container.NewCenter(box), nil, words)
}

// serving is the dashboard item the worker chose, as one line w wide
// (cut short when it must be: who comes before what for), or nil when
// she chose none.
func (c *Counter) serving(w float32) fyne.CanvasObject {
	s := c.view.Serving
	if s == nil {
		return nil
	}
	l := c.Lang
	item := ""
	switch s.List {
	case flow.ListHelp:
		item = s.Help
	case flow.ListCalls:
		item = callLine(l, s.Call)
	case flow.ListReady:
		item = readyLine(l, s.Ready)
	case flow.ListUnchecked:
		item = uncheckedLine(l, s.Unchecked)
	case flow.ListWatch:
		item = watchLine(l, s.Watch)
	case flow.ListQuarantined:
		item = s.Quarantined
	}
	words := i18n.T(l, i18n.CounterServing) + item + " · " + i18n.T(l, listTitles[s.List])
	t := text(clipLine(words, c.sz.Worker, true, w), c.sz.Worker, theme.Warning, true)
	t.Alignment = fyne.TextAlignLeading
	return t
}

// listTitles are the dashboard's lists' titles.
var listTitles = map[flow.DashList]i18n.Key{
	flow.ListHelp: i18n.CounterHelpCalls, flow.ListCalls: i18n.CounterCalls, flow.ListReady: i18n.CounterReady,
	flow.ListUnchecked: i18n.CounterUnchecked, flow.ListWatch: i18n.CounterWatch, flow.ListQuarantined: i18n.CounterRejected,
}

func callLine(l i18n.Lang, x flow.Call) string {
	return fmt.Sprintf("%s %s %s→%s", x.MaskedName, x.MaskedID, i18n.ColourWord(l, x.Printed), i18n.ColourWord(l, x.Current))
}

func readyLine(l i18n.Lang, x flow.Ready) string {
	return fmt.Sprintf("%s %s %s %s", x.MaskedName, i18n.T(l, i18n.Receipt), x.Receipt, i18n.AsOfText(l, x.Since))
}

func uncheckedLine(l i18n.Lang, x flow.Unchecked) string {
	return fmt.Sprintf("%s %s %s", x.MaskedName, x.Serial, i18n.AsOfText(l, x.At))
}

func watchLine(l i18n.Lang, x flow.Watch) string {
	return fmt.Sprintf("%s %s %s · %s %s", x.MaskedName, x.MaskedID, i18n.ColourWord(l, x.Colour),
		i18n.WatchReason(l, x.Reason), i18n.AsOfText(l, x.Since))
}

// dashboard is the centre's day in an area w × h: the link and what is
// waiting, and the lists a worker acts on, as many items of each as fit,
// with how many more there are. Tapping an item serves it (flow.Serve).
func (c *Counter) dashboard(w, h float32) fyne.CanvasObject {
	d, l, sz := c.view.Dashboard, c.Lang, c.sz
	head := container.NewBorder(nil, nil, nil,
		workerButton(sz, i18n.T(l, i18n.CounterRefresh), false, func() { c.Flow.Refresh(c.Ctx) }),
		text(i18n.T(l, i18n.CounterDashboard), sz.Heading, theme.Foreground, true))
	top := container.NewVBox(head)
	if s := c.serving(w); s != nil {
		top.Add(s)
	}
	link := i18n.T(l, i18n.Offline)
	if d.Online {
		link = i18n.T(l, i18n.Online)
	}
	last := i18n.T(l, i18n.CounterNever)
	if !d.LastSync.IsZero() {
		last = i18n.AsOfText(l, d.LastSync)
	}
	ls := []line{{s: fmt.Sprintf("%s · %s %d · %s %s", link, i18n.T(l, i18n.Waiting), d.Pending, i18n.T(l, i18n.CounterLastSync), last)}}
	list := func(which flow.DashList, items []string) {
		ls = append(ls, line{s: i18n.ListTitle(l, listTitles[which], len(items)), title: true})
		for i, x := range items {
			ls = append(ls, line{s: x, tap: func() { c.Flow.Serve(which, i) }})
		}
	}
	list(flow.ListHelp, d.HelpCalls)
	list(flow.ListReady, each(d.Ready, func(x flow.Ready) string { return readyLine(l, x) }))
	list(flow.ListUnchecked, each(d.Unchecked, func(x flow.Unchecked) string { return uncheckedLine(l, x) }))
	if len(d.Watch) > 0 { // the service's list, online only
		list(flow.ListWatch, each(d.Watch, func(x flow.Watch) string { return watchLine(l, x) }))
	}
	list(flow.ListCalls, each(d.Calls, func(x flow.Call) string { return callLine(l, x) }))
	list(flow.ListQuarantined, d.Quarantined)
	room := h - top.MinSize().Height - fynetheme.Padding()
	return container.NewBorder(top, nil, nil, nil, container.NewVBox(c.lines(ls, w, room)...))
}

// each is f of every x in xs.
func each[T any](xs []T, f func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

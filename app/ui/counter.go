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
// in Chinese: the workers are.
type Counter struct {
	Flow *flow.Counter
	Ctx  context.Context

	view flow.CounterView
	root *fyne.Container

	// Inputs keep their text across redraws.
	worker, password, manualID, manualName, phone, reason *widget.Entry
	consent                                               *widget.Check
}

// NewCounter returns the login screen.
func NewCounter(ctx context.Context, f *flow.Counter) *Counter {
	c := &Counter{Flow: f, Ctx: ctx, root: container.NewStack()}
	c.worker = widget.NewEntry()
	c.worker.SetPlaceHolder("工号")
	c.password = widget.NewPasswordEntry()
	c.password.SetPlaceHolder("密码")
	c.manualID = widget.NewEntry()
	c.manualID.SetPlaceHolder("身份证号（读卡失败时手动录入）")
	c.manualName = widget.NewEntry()
	c.manualName.SetPlaceHolder("姓名")
	c.phone = widget.NewEntry()
	c.phone.SetPlaceHolder("联系电话（本人或家属）")
	c.reason = widget.NewEntry()
	c.reason.SetPlaceHolder("纠错原因")
	c.consent = widget.NewCheck("已告知并取得本人（或家属）同意", nil)
	c.Show(flow.CounterView{Step: flow.CounterLogin})
	return c
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
	msg := ""
	if c.view.LoginFailed {
		msg = "工号或密码不正确，或已被锁定，请稍后再试"
	}
	btn := bigButton("登录", true, func() { c.Flow.Login(c.Ctx, c.worker.Text, c.password.Text); c.password.SetText("") })
	return container.NewCenter(container.NewVBox(heading("社区工作人员登录"), c.worker, c.password,
		text(msg, theme.TextSize, theme.Warning, false), container.NewCenter(btn)))
}

func (c *Counter) resident() fyne.CanvasObject {
	v := c.view
	who := "请将居民身份证放在读卡器上"
	if v.MaskedID != "" {
		who = "居民  " + v.MaskedName + "  " + v.MaskedID
	}
	family := "家属代办：无"
	if v.FamilyName != "" {
		family = "家属代办：" + v.FamilyName
	}
	if v.WaitFamily {
		family = "请放家属的身份证"
	}
	status := counterMessage(v)
	btn := func(label string, f func()) fyne.CanvasObject { return bigButton(label, false, f) }
	items := []fyne.CanvasObject{
		container.NewBorder(nil, nil, nil, btn("退出", c.Flow.Logout), text("工作人员  "+v.Worker, theme.TextSize, theme.Foreground, true)),
		text(who, theme.TextSize*1.2, theme.Foreground, true),
		container.NewBorder(nil, nil, nil, btn("读家属卡", func() { c.Flow.ExpectFamily(true) }), body(family)),
		container.NewBorder(nil, nil, nil, btn("手动录入", func() { c.Flow.ManualID(c.Ctx, c.manualID.Text, c.manualName.Text) }),
			container.NewGridWithColumns(2, c.manualID, c.manualName)),
		c.phone, c.consent,
		container.NewGridWithColumns(3,
			btn("登记并打印", func() { c.Flow.Enrol(c.Ctx, c.phone.Text, c.consent.Checked) }),
			btn("补打（挂失旧码）", func() { c.Flow.Reissue(c.Ctx) }),
			btn("清除", func() {
				c.phone.SetText("")
				c.consent.SetChecked(false)
				c.Flow.Clear()
			})),
		container.NewBorder(nil, nil, nil, btn("提交纠错", func() { c.Flow.Correction(c.Ctx, strings.TrimSpace(c.reason.Text)) }), c.reason),
		text(status, theme.TextSize, theme.Warning, true),
	}
	if v.Ticket.Kind != "" && v.Ticket.Kind != flow.TicketPending {
		items = append(items, ColourBlock(v.Ticket.Status, i18n.ZH))
	}
	return container.NewVScroll(container.NewVBox(items...))
}

func counterMessage(v flow.CounterView) string {
	switch {
	case v.ManualFailed != "":
		return "身份证号无效（" + v.ManualFailed + "），请核对"
	case v.Problem != "":
		what, next := i18n.ProblemText(i18n.ZH, v.Problem)
		return what + "，" + next
	case v.Step == flow.CounterBusy:
		return "正在办理，请稍候"
	case v.Message == "consent":
		return "请先取得并勾选同意"
	case v.Message == flow.ErrNoResident.Error():
		return "请先读取居民身份证"
	case v.Message == "printed":
		return "已打印纸质码"
	case v.Message == "receipt":
		return "已受理，回执号 " + v.Ticket.Receipt
	}
	return ""
}

func (c *Counter) dashboard() fyne.CanvasObject {
	d := c.view.Dashboard
	link := "离线"
	if d.Online {
		link = "在线"
	}
	last := "从未"
	if !d.LastSync.IsZero() {
		last = i18n.AsOfText(i18n.ZH, d.LastSync)
	}
	lines := []string{
		fmt.Sprintf("今日办理 %d 项", d.TodayActions),
		fmt.Sprintf("%s · 待上传 %d · 最近同步 %s", link, d.Pending, last),
	}
	list := func(title string, xs []string) {
		lines = append(lines, fmt.Sprintf("%s（%d）", title, len(xs)))
		for _, x := range xs {
			lines = append(lines, "  "+x)
		}
	}
	list("呼叫工作人员", d.HelpCalls)
	list("需回访（颜色已变）", d.Calls)
	list("被拒收（需处理）", d.Quarantined)
	objs := []fyne.CanvasObject{heading("工作台"), bigButton("刷新", false, func() { c.Flow.Refresh(c.Ctx) })}
	for _, l := range lines {
		objs = append(objs, body(l))
	}
	if c.view.Preview != nil {
		objs = append(objs, preview(c.view.Preview, i18n.ZH))
	}
	return container.NewVScroll(container.NewVBox(objs...))
}

package ui_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/ui"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/healthcode"
)

// desk is a counter backend that records what the screen asked for.
type desk struct {
	mu                                sync.Mutex
	online                            bool
	record                            flow.Record
	enrols                            []flow.Enrolment
	reasons                           []string
	reissued, lost, withdrawn, manual int
	dash                              flow.Dashboard
}

func (d *desk) Login(context.Context, string, string) (string, error) { return "演示社工", nil }
func (d *desk) Enrol(_ context.Context, _ string, e flow.Enrolment) (flow.Ticket, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.enrols = append(d.enrols, e)
	return flow.Ticket{Kind: flow.TicketPending, Receipt: "K3QF-7XBA"}, nil
}
func (d *desk) Reissue(context.Context, string, flow.Resident) (flow.Ticket, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reissued++
	return flow.Ticket{Kind: flow.TicketPending, Receipt: "R-1"}, nil
}
func (d *desk) Correction(_ context.Context, _ string, _ flow.Resident, reason string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reasons = append(d.reasons, reason)
	return "C-0001", nil
}
func (d *desk) Status(context.Context, flow.Resident) (healthcode.Status, error) {
	return healthcode.Status{Source: healthcode.SourceUnknown}, nil
}
func (d *desk) Printed(context.Context, flow.Ticket) error { return nil }
func (d *desk) ManualEntry(context.Context, string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.manual++
	return nil
}
func (d *desk) Dashboard(context.Context) (flow.Dashboard, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	x := d.dash
	x.Online = d.online
	return x, nil
}
func (d *desk) Record(context.Context, string, flow.Resident) (flow.Record, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.record, nil
}
func (d *desk) ReportLost(context.Context, string, flow.Resident) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.lost++
	return 1, nil
}
func (d *desk) ResidentAccess(context.Context, string, flow.Resident) (flow.AccessList, error) {
	return flow.AccessList{}, nil
}
func (d *desk) WithdrawHealth(context.Context, string, flow.Resident) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.withdrawn++
	return nil
}

// counts returns what the desk was asked for so far.
func (d *desk) counts() (enrols, corrections, reissued, lost, withdrawn, manual int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.enrols), len(d.reasons), d.reissued, d.lost, d.withdrawn, d.manual
}

// deskFixture is the counter screen over a real flow and a desk, in a
// test window; its views reach the screen when the test pumps them.
type deskFixture struct {
	t    *testing.T
	d    *desk
	f    *flow.Counter
	c    *ui.Counter
	w    fyne.Window
	ctx  context.Context
	mu   sync.Mutex
	next *flow.CounterView
}

func newDesk(t *testing.T, d *desk, l i18n.Lang) *deskFixture {
	t.Helper()
	themedApp(t)
	x := &deskFixture{t: t, d: d, ctx: context.Background()}
	x.f = &flow.Counter{Backend: d, Now: func() time.Time { return asOf }, OnView: func(v flow.CounterView) {
		x.mu.Lock()
		x.next = &v
		x.mu.Unlock()
	}}
	x.c = ui.NewCounter(x.ctx, x.f, l)
	x.w = window(t, x.c.Content(), fyne.NewSize(1366, 768))
	t.Cleanup(x.f.Wait)
	return x
}

// until shows the flow's views on the screen until ok holds for the
// latest (a bounded number of short waits for the flow's goroutines).
func (x *deskFixture) until(what string, ok func(flow.CounterView) bool) {
	x.t.Helper()
	for range 400 {
		x.mu.Lock()
		v := x.next
		x.next = nil
		x.mu.Unlock()
		if v != nil {
			x.c.Show(*v)
		}
		if ok(x.c.View()) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	x.t.Fatalf("%s: never; the screen shows %+v", what, x.c.View())
}

// serve logs the worker in and places the resident's card.
func (x *deskFixture) serve() {
	x.t.Helper()
	if x.c.View().Step == flow.CounterLogin {
		x.f.Login(x.ctx, "demo", "demo1234")
		x.until("logged in", func(v flow.CounterView) bool { return v.Step == flow.CounterReady })
	}
	x.f.Card(flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: &idcard.Card{Name: "张三丰", Number: "310101194803140019"}}))
	x.until("her record", func(v flow.CounterView) bool { return v.MaskedID != "" && !v.RecordLoading })
}

// entry is the entry whose placeholder is ph.
func (x *deskFixture) entry(ph string) fyne.Focusable {
	x.t.Helper()
	for _, o := range test.LaidOutObjects(x.w.Content()) {
		if e, ok := ui.EntryOf(o); ok && e.PlaceHolder == ph {
			return o.(fyne.Focusable)
		}
	}
	x.t.Fatalf("no entry %q in %q", ph, labels(x.w.Content()))
	return nil
}

// button is the button labelled label, on the screen or in a dialog.
func (x *deskFixture) button(label string) *widget.Button {
	x.t.Helper()
	objs := test.LaidOutObjects(x.w.Content())
	for _, o := range x.w.Canvas().Overlays().List() {
		objs = append(objs, test.LaidOutObjects(o)...)
	}
	for _, o := range objs {
		if b, ok := o.(*widget.Button); ok && b.Text == label {
			return b
		}
	}
	x.t.Fatalf("no button %q in %q", label, labels(x.w.Content()))
	return nil
}

// dialogText is every word of the open dialog, "" when none is open,
// with the lines joined again.
func (x *deskFixture) dialogText() string {
	var out []string
	for _, o := range x.w.Canvas().Overlays().List() {
		out = append(out, labels(o)...)
	}
	return strings.Join(out, "")
}

// words is every word on the screen, the lines joined again (a line
// broken at a space loses it).
func (x *deskFixture) words() string {
	return strings.ReplaceAll(strings.Join(labels(x.w.Content()), ""), " ", "")
}

func (x *deskFixture) key(name fyne.KeyName) {
	x.w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: name})
}

// TestCounterKeyboard: a worker who types goes through the resident's
// fields and buttons with Tab in the order of her tasks, submits a field
// with Enter (the typed number, the enrolment from the phone, the
// correction from its reason), and clears the resident with Esc.
func TestCounterKeyboard(t *testing.T) {
	d := &desk{online: true, record: flow.Record{Enrolled: true, CodesKnown: true,
		Codes: []flow.Code{{TokenID: "T1", State: flow.CodeActive, Place: "田林街道", IssuedAt: asOf}}}}
	x := newDesk(t, d, i18n.ZH)
	x.w.Canvas().Focus(x.entry("工号"))
	test.Type(x.w.Canvas().Focused().(fyne.Focusable), "demo")
	test.FocusNext(x.w.Canvas())
	if got := x.w.Canvas().Focused(); got != x.entry("密码") {
		t.Fatalf("Tab from 工号 went to %T, want 密码", got)
	}
	x.key(fyne.KeyReturn)
	x.until("Enter logs in", func(v flow.CounterView) bool { return v.Step == flow.CounterReady })

	x.serve()
	consent := func() *widget.Check {
		for _, o := range test.LaidOutObjects(x.w.Content()) {
			if c, ok := o.(*widget.Check); ok {
				return c
			}
		}
		t.Fatal("no consent check box")
		return nil
	}
	test.Tap(consent())
	want := []fyne.Focusable{x.entry("身份证号（读卡失败时手动录入）"), x.entry("姓名"), x.button("手动录入"), x.button("未成年人（户口簿）"),
		x.entry("联系电话（本人或家属）"), consent(), x.button("登记并打印"), x.button("补打新码"), x.button("挂失"), x.button("清除"),
		x.entry("纠错原因")}
	x.w.Canvas().Focus(want[0])
	for i := 1; i < len(want); i++ {
		test.FocusNext(x.w.Canvas())
		if got := x.w.Canvas().Focused(); got != want[i] {
			t.Fatalf("Tab %d went to %T %v, want %T %v", i, got, got, want[i], want[i])
		}
	}

	x.w.Canvas().Focus(x.entry("联系电话（本人或家属）"))
	test.Type(x.w.Canvas().Focused(), "13800138000")
	x.key(fyne.KeyReturn)
	x.until("Enter in the phone enrols", func(v flow.CounterView) bool { return v.Message == "receipt" })
	if d.enrols[0].Phone != "13800138000" || !d.enrols[0].Consent {
		t.Errorf("enrolment %+v, want the typed phone with consent", d.enrols[0])
	}

	x.w.Canvas().Focus(x.entry("纠错原因"))
	x.key(fyne.KeyReturn) // no reason typed: not offered, nothing sent
	test.Type(x.w.Canvas().Focused(), "已出院")
	x.key(fyne.KeyReturn)
	x.until("Enter in the reason corrects", func(v flow.CounterView) bool { return v.Ticket.Receipt == "C-0001" })
	if _, n, _, _, _, _ := d.counts(); n != 1 || d.reasons[0] != "已出院" {
		t.Errorf("corrections %q, want one with the typed reason", d.reasons)
	}

	reason := x.entry("纠错原因")
	x.w.Canvas().Focus(reason)
	x.key(fyne.KeyEscape)
	x.until("Esc clears her", func(v flow.CounterView) bool { return v.MaskedID == "" && v.Step == flow.CounterReady })
	for _, f := range []fyne.Focusable{x.entry("联系电话（本人或家属）"), reason, x.entry("身份证号（读卡失败时手动录入）")} {
		if e, _ := ui.EntryOf(f.(fyne.CanvasObject)); e.Text != "" {
			t.Errorf("after Esc %s still holds %q", e.PlaceHolder, e.Text)
		}
	}
	if consent().Checked {
		t.Error("after Esc the consent is still ticked")
	}

	x.w.Canvas().Focus(x.entry("身份证号（读卡失败时手动录入）"))
	test.Type(x.w.Canvas().Focused(), "310101194803140019")
	x.key(fyne.KeyReturn)
	x.until("Enter in the number takes it", func(v flow.CounterView) bool { return v.MaskedID == "3*************0019" })
}

// TestCounterConfirmsWhatStopsWorking: 补打新码 and 挂失 each open a
// confirmation that names the consequence (her valid papers stop working
// at once); 取消 does nothing, the dialog's own button does it.
func TestCounterConfirmsWhatStopsWorking(t *testing.T) {
	d := &desk{online: true, record: flow.Record{Enrolled: true, CodesKnown: true,
		Codes: []flow.Code{{TokenID: "T1", State: flow.CodeActive, Place: "田林街道", IssuedAt: asOf}}}}
	x := newDesk(t, d, i18n.ZH)
	x.serve()
	consequence := i18n.ConsequenceText(i18n.ZH, 1, true)
	if !strings.Contains(consequence, "1 张有效纸质码将立即作废") {
		t.Fatalf("the consequence %q does not say her paper stops working", consequence)
	}
	for _, tc := range []struct {
		button, title string
		done          func() bool
	}{
		{"补打新码", "确认补打新码？", func() bool { _, _, n, _, _, _ := d.counts(); return n == 1 }},
		{"挂失", "确认挂失？不打印新码。", func() bool { _, _, _, n, _, _ := d.counts(); return n == 1 }},
	} {
		test.Tap(x.button(tc.button))
		text := x.dialogText()
		if !strings.Contains(text, tc.title) || !strings.Contains(text, consequence) {
			t.Fatalf("%s: the dialog says %q, want %q and %q", tc.button, text, tc.title, consequence)
		}
		test.Tap(x.button("取消"))
		if x.dialogText() != "" {
			t.Fatalf("%s: 取消 left the dialog open", tc.button)
		}
		if tc.done() {
			t.Fatalf("%s: done without confirming", tc.button)
		}
		test.Tap(x.button(tc.button))
		for _, o := range x.w.Canvas().Overlays().List() {
			for _, b := range test.LaidOutObjects(o) {
				if b, ok := b.(*widget.Button); ok && b.Text == tc.button {
					test.Tap(b)
				}
			}
		}
		x.until(tc.button+" confirmed", func(v flow.CounterView) bool { return tc.done() && v.Step == flow.CounterDone })
		if x.dialogText() != "" {
			t.Errorf("%s: the dialog stays open after confirming", tc.button)
		}
	}
	if _, _, r, l, _, _ := d.counts(); r != 1 || l != 1 {
		t.Errorf("re-issued %d, lost %d; want one of each", r, l)
	}
}

// TestCounterDisabledSaysWhy: an action not offered is disabled and the
// screen says why, naming it: no consent ticked for 登记并打印, the
// service out of reach for 补打新码 and 挂失, no valid code to report lost.
// Tapping it does nothing.
func TestCounterDisabledSaysWhy(t *testing.T) {
	d := &desk{online: false, record: flow.Record{Enrolled: true, CodesKnown: false}}
	x := newDesk(t, d, i18n.ZH)
	x.serve()
	for _, b := range []string{"登记并打印", "补打新码", "挂失", "提交纠错", "谁查询过她", "撤回健康云授权"} {
		if !x.button(b).Disabled() {
			t.Errorf("%s is offered offline with no consent or reason", b)
		}
	}
	for _, s := range []string{"登记并打印：请先勾选同意；补打新码、挂失：需要联网",
		"提交纠错：请先填写纠错原因；谁查询过她、撤回健康云授权：需要联网"} {
		if !strings.Contains(x.words(), s) {
			t.Errorf("the screen does not say %q; it shows %q", s, x.words())
		}
	}
	test.Tap(x.button("补打新码"))
	if x.dialogText() != "" {
		t.Error("a disabled 补打新码 opened its confirmation")
	}

	d.mu.Lock()
	d.online, d.record = true, flow.Record{Enrolled: true, CodesKnown: true,
		Codes: []flow.Code{{TokenID: "T1", State: flow.CodeSuperseded, Place: "田林街道", IssuedAt: asOf}}}
	d.mu.Unlock()
	x.f.Refresh(x.ctx)
	x.until("online", func(v flow.CounterView) bool { return v.Dashboard.Online })
	x.f.Card(flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: &idcard.Card{Name: "张三丰", Number: "310101194803140019"}}))
	x.until("her record again", func(v flow.CounterView) bool { return v.Record.CodesKnown })
	if !x.button("挂失").Disabled() || x.button("补打新码").Disabled() {
		t.Error("with no valid code 挂失 should be disabled and 补打新码 offered")
	}
	if !strings.Contains(x.words(), "挂失：她没有有效的纸质码") {
		t.Errorf("the screen does not say why 挂失 is not offered: %q", x.words())
	}
}

// TestCounterDashboardServes: tapping an item of the dashboard's lists
// makes it the one served: the flow holds it, and the screen says whom
// and what for.
func TestCounterDashboardServes(t *testing.T) {
	d := &desk{online: true, dash: flow.Dashboard{HelpCalls: []string{"09:30 演示自助机"},
		Calls: []flow.Call{{MaskedName: "李*英", MaskedID: "3****002X", Printed: healthcode.Green, Current: healthcode.Yellow}}}}
	x := newDesk(t, d, i18n.ZH)
	x.f.Login(x.ctx, "demo", "demo1234")
	x.until("the dashboard", func(v flow.CounterView) bool { return len(v.Dashboard.Calls) == 1 })
	test.Tap(x.button("李*英 3****002X 绿码→黄码"))
	x.until("serving her", func(v flow.CounterView) bool { return v.Serving != nil })
	if s := x.c.View().Serving; s.List != flow.ListCalls || s.Call.MaskedName != "李*英" {
		t.Errorf("serving %+v, want 李*英 from the call list", s)
	}
	if !strings.Contains(x.words(), "正在办理：李*英3****002X绿码→黄码") {
		t.Errorf("the screen does not say whom it serves: %q", x.words())
	}
}

package ui_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/ui"
	"github.com/shcommunity/kiosk/healthcode"
)

// TestCounterScreens: the counter's login, its dashboard and a resident
// at the counter say what they must, and match their golden files.
func TestCounterScreens(t *testing.T) {
	themedApp(t)
	c := ui.NewCounter(context.Background(), &flow.Counter{}, i18n.ZH)
	w := window(t, c.Content(), screenSize)
	golden(t, "counter_login.xml", w)
	dash := flow.Dashboard{TodayActions: 3, Pending: 1, Online: true,
		HelpCalls: []string{"09:30 演示自助机"}, Calls: []flow.Call{{MaskedName: "李*英", MaskedID: "3****002X", Printed: healthcode.Green, Current: healthcode.Yellow}}, Quarantined: []string{"enrolment K3QF-7XBA: invalid_phone"},
		Ready: []flow.Ready{{Receipt: "M2QX-7KAB", MaskedName: "王*芬", Since: asOf}}}
	c.Show(flow.CounterView{Step: flow.CounterReady, Worker: "演示社工", Dashboard: dash})
	screenSays(t, "counter's dashboard", w, []string{"呼叫工作人员（1）", "绿码→黄码", "invalid_phone", "纸质码已生成、尚未领取（1）", "王*芬 回执号 M2QX-7KAB"}, nil)
	golden(t, "counter_ready.xml", w)
	c.Show(flow.CounterView{Step: flow.CounterResident, Worker: "演示社工", MaskedName: "张*丰", MaskedID: "3*************0019",
		FamilyName: "孙*", Dashboard: dash, Record: flow.Record{Enrolled: true, CodesKnown: true,
			Status: healthcode.Status{Source: healthcode.SourceLive, Colour: healthcode.Green, AsOf: asOf},
			Codes:  []flow.Code{{TokenID: "T1", State: flow.CodeActive, Place: "田林街道", IssuedAt: asOf, ExpiresAt: asOf.AddDate(0, 6, 0)}}}})
	screenSays(t, "counter screen", w, []string{"张*丰", "家属代办：孙*", "登记并打印", "补打新码", "挂失", "提交纠错", "当前 绿码", "纸质码（1）", "有效 · 有效至",
		"谁查询过她", "撤回健康云授权"}, nil)
	golden(t, "counter_resident.xml", w)
}

func TestCounterEnglishHasNoCJK(t *testing.T) {
	// The residents' data is ASCII here: the test is about the screen's
	// own words, not about names.
	dash := flow.Dashboard{TodayActions: 3, Pending: 1, Online: true, LastSync: asOf,
		HelpCalls: []string{"09:30 kiosk-1"}, Calls: []flow.Call{{MaskedName: "L*Y", MaskedID: "3****002X", Printed: healthcode.Green, Current: healthcode.Yellow}}, Quarantined: []string{"enrolment K3QF-7XBA: invalid_phone"},
		Ready: []flow.Ready{{Receipt: "M2QX-7KAB", MaskedName: "W*F", Since: asOf}}}
	res := flow.CounterView{Step: flow.CounterResident, Worker: "demo", MaskedName: "Z*F", MaskedID: "3*************0019", Dashboard: dash}
	with := func(f func(v *flow.CounterView)) flow.CounterView {
		v := res
		f(&v)
		return v
	}
	for _, tc := range []struct {
		name string
		view flow.CounterView
		want []string
	}{
		{"login", flow.CounterView{Step: flow.CounterLogin}, []string{"Community worker login", "Worker ID", "Log in", "中文"}},
		{"login_failed", flow.CounterView{Step: flow.CounterLogin, LoginFailed: true}, []string{"Wrong worker ID or password"}},
		{"ready", flow.CounterView{Step: flow.CounterReady, Worker: "demo", Dashboard: flow.Dashboard{}},
			[]string{"Place the resident's ID card on the reader", "last sync never", "Calls for staff (0)", "These need the resident's card first"}},
		{"dashboard", flow.CounterView{Step: flow.CounterReady, Worker: "demo", Dashboard: dash},
			[]string{"Online · waiting 1", "To call back (colour changed) (1)", "Rejected (needs handling) (1)", "Dashboard", "Refresh",
				"L*Y 3****002X Green code→Yellow code"}},
		{"serving", flow.CounterView{Step: flow.CounterReady, Worker: "demo", Dashboard: dash,
			Serving: &flow.Serving{List: flow.ListReady, Ready: dash.Ready[0]}}, []string{"Serving: W*F Receipt M2QX-7KAB"}},
		{"resident", res, []string{"Resident  Z*F", "Register and print", "Re-issue", "Report lost", "Send correction", "Log out",
			"3 done today", "Who looked her up", "Withdraw consent", "Offline: her paper codes cannot be listed"}},
		{"record", with(func(v *flow.CounterView) {
			v.Record = flow.Record{Enrolled: true, CodesKnown: true, Status: healthcode.Status{Source: healthcode.SourceCached, Colour: healthcode.Green, AsOf: asOf},
				Codes:   []flow.Code{{State: flow.CodeActive, Place: "Kiosk 2", IssuedAt: asOf, ExpiresAt: asOf}, {State: flow.CodeSuperseded, Place: "Kiosk 2", IssuedAt: asOf, StateAt: asOf}},
				Pending: []flow.PendingItem{{Kind: flow.PendingCorrection, Receipt: "C-1", Since: asOf}}}
			v.AccessShown, v.Access = true, flow.AccessList{Groups: []flow.AccessGroup{{Place: "Metro", Purpose: "venue_entry", Count: 2, Last: asOf}}}
		}), []string{"Now Green code", "Paper codes (2)", "valid · valid until", "replaced by a newer code", "Waiting (1)",
			"Correction Receipt C-1", "Metro · venue check"}},
		{"lost", with(func(v *flow.CounterView) { v.Step, v.Message, v.Revoked = flow.CounterDone, flow.MessageLost, 2 }),
			[]string{"2 code(s) reported lost"}},
		{"family_wait", with(func(v *flow.CounterView) { v.WaitFamily = true }), []string{"Place the family member's ID"}},
		{"family", with(func(v *flow.CounterView) { v.FamilyName = "S*" }), []string{"Family member: S*"}},
		{"manual_failed", with(func(v *flow.CounterView) { v.ManualFailed = "check_digit" }), []string{"Invalid ID number (check_digit); please check it"}},
		{"problem", with(func(v *flow.CounterView) { v.Problem = flow.ProblemPaperOut }), []string{"The printer is out of paper; Please ask a member of staff"}},
		{"busy", with(func(v *flow.CounterView) { v.Step = flow.CounterBusy }), []string{"Working on it, please wait"}},
		{"consent", with(func(v *flow.CounterView) { v.Message = "consent" }), []string{"Get consent and tick the box first"}},
		{"no_resident", with(func(v *flow.CounterView) { v.Message = flow.ErrNoResident.Error() }), []string{"Read the resident's ID card first"}},
		{"receipt", with(func(v *flow.CounterView) {
			v.Step, v.Message, v.Ticket = flow.CounterDone, "receipt", flow.Ticket{Kind: flow.TicketPending, Receipt: "R-1"}
		}), []string{"Accepted; receipt R-1"}},
		{"printed", with(func(v *flow.CounterView) {
			v.Step, v.Message, v.Preview = flow.CounterDone, "printed", slipImage()
			v.Ticket = flow.Ticket{Kind: flow.TicketCode, Status: healthcode.Status{Source: healthcode.SourceLive, Colour: healthcode.Yellow, AsOf: asOf}}
		}), []string{"Paper code printed", "Yellow code", "Paper code preview (exactly as printed)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			themedApp(t)
			c := ui.NewCounter(context.Background(), &flow.Counter{}, i18n.EN)
			w := window(t, c.Content(), screenSize)
			c.Show(tc.view)
			got := labels(w.Content())
			if s := cjkIn(got); s != "" {
				t.Errorf("English counter screen shows %q", s)
			}
			all := strings.Join(got, "\n")
			for _, s := range tc.want {
				if !strings.Contains(all, s) {
					t.Errorf("English counter screen lacks %q; it shows %q", s, got)
				}
			}
		})
	}
}

// TestCounterLanguageButton: the counter's own button switches it (and
// keeps what the worker typed), and back.
func TestCounterLanguageButton(t *testing.T) {
	themedApp(t)
	c := ui.NewCounter(context.Background(), &flow.Counter{}, i18n.ZH)
	w := window(t, c.Content(), screenSize)
	var worker *widget.Entry
	for _, o := range test.LaidOutObjects(w.Content()) {
		if e, ok := ui.EntryOf(o); ok && e.PlaceHolder == "工号" {
			worker = e
		}
	}
	if worker == nil {
		t.Fatalf("no 工号 entry in %q", labels(w.Content()))
	}
	test.Type(worker, "w01")
	tapButton(t, w, "English")
	if c.Lang != i18n.EN || worker.PlaceHolder != "Worker ID" || worker.Text != "w01" {
		t.Errorf("after English: lang %q, placeholder %q, text %q; want en, Worker ID, w01", c.Lang, worker.PlaceHolder, worker.Text)
	}
	tapButton(t, w, "中文")
	if c.Lang != i18n.ZH || worker.PlaceHolder != "工号" {
		t.Errorf("after 中文: lang %q, placeholder %q; want zh-CN, 工号", c.Lang, worker.PlaceHolder)
	}
}

// TestShellLanguageReachesEveryScreen: the self-service screen's switch
// turns the counter and the venue check to English as well.
func TestShellLanguageReachesEveryScreen(t *testing.T) {
	themedApp(t)
	w, s := startShell(t, ui.Parts{Do: func(f func()) {}, Backend: nopBackend{}, Printer: nopPrinter{}, Mode: flow.ModeSelf, Lang: i18n.ZH})
	tapButton(t, w, "English")
	for _, tc := range []struct {
		mode flow.Mode
		want string
	}{
		{flow.ModeSelf, "Please place your ID card on the reader"},
		{flow.ModeCounter, "Community worker login"},
		{flow.ModeVenue, "Tap an ID card or scan a paper code"},
	} {
		s.SetMode(tc.mode)
		got := labels(w.Content())
		if s := cjkIn(got); s != "" {
			t.Errorf("%s after the switch shows %q", tc.mode, s)
		}
		if !strings.Contains(strings.Join(got, "\n"), tc.want) {
			t.Errorf("%s after the switch lacks %q; shows %q", tc.mode, tc.want, got)
		}
	}
	if s.Lang() != i18n.EN {
		t.Errorf("shell language %q, want en", s.Lang())
	}
	s.SetMode(flow.ModeCounter)
	tapButton(t, w, "中文") // the counter's button, back for everyone
	s.SetMode(flow.ModeSelf)
	if got := strings.Join(labels(w.Content()), "\n"); !strings.Contains(got, "请将身份证放在读卡器上") {
		t.Errorf("self-service after 中文 on the counter shows %q", got)
	}
}

// TestFinding11LeavingTheCounterLogsOut: switching the screen from the
// counter to the self-service or venue screen (the kiosk locked to the
// public) logs the worker out; coming back asks for her password.
func TestFinding11LeavingTheCounterLogsOut(t *testing.T) {
	themedApp(t)
	_, s := startShell(t, ui.Parts{Do: func(f func()) {}, Backend: nopBackend{}, Printer: nopPrinter{}, Counter: &desk{},
		Mode: flow.ModeCounter, Lang: i18n.ZH})
	for _, next := range []flow.Mode{flow.ModeSelf, flow.ModeVenue} {
		s.SetMode(flow.ModeCounter)
		s.Flows.Counter.Login(t.Context(), "demo", "demo1234")
		deadline := time.Now().Add(10 * time.Second)
		for s.Flows.Counter.View().Step != flow.CounterReady {
			if time.Now().After(deadline) {
				t.Fatalf("login never finished: %+v", s.Flows.Counter.View())
			}
			time.Sleep(5 * time.Millisecond)
		}
		s.SetMode(next)
		if v := s.Flows.Counter.View(); v.Step != flow.CounterLogin || v.Worker != "" {
			t.Errorf("after switching to %s the counter is %+v, want logged out", next, v)
		}
	}
}

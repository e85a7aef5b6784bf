package ui_test

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/ui"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/healthcode"
)

// privacyView is one screen of a resident's own questions, with words
// that must be on it in Chinese.
type privacyView struct {
	view flow.SelfView
	want []string
}

// privacyViews are the screens of her own questions, by name: the
// questions under her paper code, 谁查询过我 on a first and a last page
// and empty, the health consent, her health services (with more lines
// than a section shows, and after 打印 failed), "no record", and the
// wait between.
func privacyViews() map[string]privacyView {
	at := time.Date(2026, 11, 28, 0, 15, 0, 0, time.UTC)
	rows := []flow.AccessGroup{
		{Place: "徐家汇地铁站", Purpose: string(api.PurposeVenueEntry), Count: 3, First: at.Add(-time.Hour), Last: at},
		{Place: "南京东路街道社区事务受理服务中心", Purpose: string(api.PurposeFollowUp), Count: 1, First: at, Last: at},
		{Place: "演示自助机", Purpose: string(api.PurposeSelfService), Count: 1, First: at, Last: at},
		{Place: "上海交通大学医学院附属瑞金医院门诊大厅", Purpose: string(api.PurposeHospital), Count: 12, First: at, Last: at},
	}
	day := time.Date(2026, 12, 14, 0, 0, 0, 0, time.UTC)
	health := &flow.HealthServices{FamilyDoctor: "陈医生", Centre: "南京东路街道社区卫生服务中心", CentrePhone: "021-0000 0101",
		CheckUp: &flow.CheckUp{Year: 2026, Next: day},
		Vaccinations: []flow.Vaccination{{Date: day.AddDate(-2, 0, 0), Vaccine: string(api.VaccineInfluenza)},
			{Date: day.AddDate(-1, 0, 0), Vaccine: string(api.VaccineInfluenza)}, {Date: day.AddDate(0, -1, 0), Vaccine: string(api.VaccineZoster)},
			{Date: day.AddDate(0, -1, 0), Vaccine: string(api.VaccineCOVID19)}},
		Reminders: []flow.Reminder{{Kind: string(api.ReminderCheckUp), Date: day}, {Kind: string(api.ReminderFollowUp), Date: day},
			{Kind: string(api.ReminderVaccine), Date: day, Vaccine: string(api.VaccinePneumococcal)}}}
	with := func(step flow.Step, f func(*flow.SelfView)) flow.SelfView {
		v := resident(step, ticket(flow.TicketCode, healthcode.SourceLive, healthcode.Green))
		v.CanAsk = true
		f(&v)
		return v
	}
	return map[string]privacyView{
		"questions": {with(flow.StepDone, func(*flow.SelfView) {}), []string{"绿码", "谁查询过我", "我的健康服务"}},
		"looking":   {with(flow.StepLooking, func(*flow.SelfView) {}), []string{"正在查询"}},
		"access": {with(flow.StepAccess, func(v *flow.SelfView) {
			v.Access = flow.AccessView{Since: at.AddDate(0, 0, -30), Rows: rows, Page: 0, Pages: 3, Total: 10}
			v.Sheet = flow.SheetPrinted
		}), []string{"谁查询过我（近30天）", "11-28 08:15 · 徐家汇地铁站 · 场所核验 · 共3次", "第 1/3 页", "下一页", "上一页", "打印", "返回", "已打印"}},
		"access_last": {with(flow.StepAccess, func(v *flow.SelfView) {
			v.Access = flow.AccessView{Since: at.AddDate(0, 0, -30), Rows: rows[:2], Page: 2, Pages: 3, Total: 10, More: true}
		}), []string{"第 3/3 页", "更早或更多的记录请到服务点柜台查询"}},
		"access_none": {with(flow.StepAccess, func(v *flow.SelfView) { v.Access = flow.AccessView{Since: at, Pages: 1} }),
			[]string{"近30天没有人查询过您的随申码", "打印", "返回"}},
		"health_consent": {with(flow.StepHealthConsent, func(*flow.SelfView) {}),
			[]string{"查看我的健康服务", "不含诊断", "本机不保存", "柜台撤回", "同意", "不同意"}},
		"health": {with(flow.StepHealth, func(v *flow.SelfView) { v.Health = health }),
			[]string{"我的健康服务", "家庭医生", "陈医生", "021-0000 0101", "老年人免费体检", "流感疫苗", "其余请打印查看", "肺炎球菌疫苗", "打印", "返回"}},
		"health_print_failed": {with(flow.StepHealth, func(v *flow.SelfView) {
			v.Health, v.Sheet, v.SheetProblem = health, flow.SheetFailed, flow.ProblemPaperOut
		}), []string{"打印机缺纸"}},
		"no_health_record": {with(flow.StepNoHealthRecord, func(*flow.SelfView) {}), []string{"健康云中没有您的记录", "返回"}},
	}
}

// privacyMust are the buttons a screen of her questions must show in
// full.
func privacyMust(l i18n.Lang, v flow.SelfView) []string {
	switch v.Step {
	case flow.StepDone:
		return []string{i18n.T(l, i18n.AccessButton), i18n.T(l, i18n.HealthButton)}
	case flow.StepAccess:
		must := []string{i18n.T(l, i18n.PrintButton), i18n.T(l, i18n.BackButton)}
		if v.Access.Pages > 1 {
			must = append(must, i18n.T(l, i18n.PrevPage), i18n.T(l, i18n.NextPage))
		}
		return must
	case flow.StepHealthConsent:
		return []string{i18n.T(l, i18n.HealthAgree), i18n.T(l, i18n.HealthDecline)}
	case flow.StepHealth:
		return []string{i18n.T(l, i18n.PrintButton), i18n.T(l, i18n.BackButton)}
	case flow.StepNoHealthRecord:
		return []string{i18n.T(l, i18n.BackButton)}
	}
	return nil
}

// TestPrivacyScreens: each screen of her questions says what it must, in
// Chinese, and the questions are offered only while she may ask
// (TestScreensFit draws them at every size in both languages).
func TestPrivacyScreens(t *testing.T) {
	themedApp(t)
	for name, tc := range privacyViews() {
		w := showSelf(t, i18n.ZH, screenSize, tc.view)
		screenSays(t, name, w, tc.want, nil)
	}
	for _, v := range []flow.SelfView{
		resident(flow.StepDone, ticket(flow.TicketCode, healthcode.SourceLive, healthcode.Green)),
		func() flow.SelfView {
			v := privacyViews()["questions"].view
			v.HelpCalled = true
			return v
		}(),
	} {
		w := showSelf(t, i18n.ZH, screenSize, v)
		if strings.Contains(test.RenderToMarkup(w.Canvas()), "谁查询过我") {
			t.Errorf("the questions are offered while she may not ask (can ask %v, help called %v)", v.CanAsk, v.HelpCalled)
		}
	}
}

// TestPrivacyButtons: each button of her questions calls its control.
func TestPrivacyButtons(t *testing.T) {
	themedApp(t)
	var got []string
	rec := func(name string) func() { return func() { got = append(got, name) } }
	c := ui.SelfControls{Privacy: ui.PrivacyControls{AccessRecords: rec("access"), HealthServices: rec("health"),
		AgreeHealth: rec("agree"), DeclineHealth: rec("decline"), NextPage: rec("next"), PrevPage: rec("prev"),
		PrintSheet: rec("print"), BackToCode: rec("back")}}
	views := privacyViews()
	for _, tc := range []struct {
		view    string
		buttons []string
	}{
		{"questions", []string{"谁查询过我", "我的健康服务"}},
		{"health_consent", []string{"同意", "不同意"}},
		{"access", []string{"下一页", "上一页", "打印", "返回"}},
	} {
		s := ui.NewSelf(c, i18n.ZH)
		w := window(t, s.Content(), screenSize)
		s.Show(views[tc.view].view)
		for _, b := range tc.buttons {
			btn := findButton(w, b)
			if btn == nil {
				t.Fatalf("%s: no button %q", tc.view, b)
			}
			test.Tap(btn)
		}
	}
	if want := "access health agree decline next prev print back"; strings.Join(got, " ") != want {
		t.Errorf("controls called: %v, want %s", got, want)
	}
}

package i18n

import (
	"fmt"
	"maps"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
)

// A resident's own questions after her paper code: who looked her up
// (谁查询过我) and her health services (我的健康服务). These words join the
// messages (Keys, T) when the package starts.
const (
	AccessButton  Key = "access_button"
	HealthButton  Key = "health_button"
	AccessTitle   Key = "access_title"
	AccessNone    Key = "access_none"
	AccessMore    Key = "access_more"
	NextPage      Key = "next_page"
	PrevPage      Key = "prev_page"
	PrintButton   Key = "print_button"
	SheetPrinting Key = "sheet_printing"
	SheetPrinted  Key = "sheet_printed"

	HealthTitle       Key = "health_title"
	HealthConsentHead Key = "health_consent_head"
	HealthConsentWhat Key = "health_consent_what"
	HealthConsentKeep Key = "health_consent_keep"
	HealthConsentFeed Key = "health_consent_feed"
	HealthAgree       Key = "health_agree"
	HealthDecline     Key = "health_decline"
	HealthNoRecord    Key = "health_no_record"
	HealthNoRecordFix Key = "health_no_record_fix"
	HealthDoctor      Key = "health_doctor"
	HealthCheckUp     Key = "health_check_up"
	HealthVaccines    Key = "health_vaccines"
	HealthReminders   Key = "health_reminders"
	HealthNone        Key = "health_none"
	HealthMoreOnSlip  Key = "health_more_on_slip"
)

var privacyMessages = map[Key][2]string{
	AccessButton:  {"谁查询过我", "Who looked me up"},
	HealthButton:  {"我的健康服务", "My health services"},
	AccessTitle:   {"谁查询过我（近30天）", "Who looked me up (30 days)"},
	AccessNone:    {"近30天没有人查询过您的随申码", "Nobody looked up your code\nin the last 30 days"},
	AccessMore:    {"更早或更多的记录请到服务点柜台查询", "For more, ask at the counter"},
	NextPage:      {"下一页", "Next page"},
	PrevPage:      {"上一页", "Previous page"},
	PrintButton:   {"打印", "Print"},
	SheetPrinting: {"正在打印，请稍候", "Printing, please wait"},
	SheetPrinted:  {"已打印，请从出纸口取走", "Printed: take it from the slot"},

	HealthTitle:       {"我的健康服务", "My health services"},
	HealthConsentHead: {"查看我的健康服务", "See my health services"},
	HealthConsentWhat: {"将从健康云读取：家庭医生、老年人免费体检、\n疫苗接种记录和提醒。不含诊断和检查结果。", "Your family doctor, free check-up, vaccinations\nand reminders. No diagnosis, no test results."},
	HealthConsentKeep: {"只在您的身份证放在读卡器上时显示，本机不保存", "Shown only while your card is here; not kept"},
	HealthConsentFeed: {"同意后，随申码颜色变化和领码记录也告知健康云。\n可随时到服务点柜台撤回。", "Colour changes and codes go to the health\ncloud too. Withdraw at a counter at any time."},
	HealthAgree:       {"同意", "I agree"},
	HealthDecline:     {"不同意", "I do not agree"},
	HealthNoRecord:    {"健康云中没有您的记录", "No record in the health cloud"},
	HealthNoRecordFix: {"可到社区卫生服务中心签约家庭医生", "Your community health centre can\nsign you up with a family doctor"},
	HealthDoctor:      {"家庭医生", "Family doctor"},
	HealthCheckUp:     {"老年人免费体检", "Free check-up (65 and over)"},
	HealthVaccines:    {"疫苗接种", "Vaccinations"},
	HealthReminders:   {"提醒", "Reminders"},
	HealthNone:        {"暂无", "None"},
	HealthMoreOnSlip:  {"……其余请打印查看", "… print to see the rest"},
}

func init() { maps.Copy(messages, privacyMessages) }

// PurposeText is a purpose, by the service's code for it (docs/api.md,
// "Purposes and access records"), in the resident's words.
func PurposeText(l Lang, p string) string {
	words := map[string][2]string{
		"self_service":          {"自助服务", "self-service"},
		"counter_service":       {"窗口服务", "counter service"},
		"venue_entry":           {"场所核验", "venue check"},
		"hospital_registration": {"就医登记", "hospital registration"},
		"correction":            {"纠错", "record correction"},
		"community_follow_up":   {"社区随访", "community follow-up"},
		"health_cloud":          {"健康云服务", "health cloud"},
	}
	return wordOf(l, words, p)
}

// wordOf is a code's words in the language, or the code itself when the
// table has none (a purpose or vaccine newer than this kiosk).
func wordOf(l Lang, words map[string][2]string, k string) string {
	return inLang(l, entryOr(words, k, [2]string{k, k}))
}

// AccessLine is one group of 谁查询过我 on one line: the latest time,
// the place, the purpose, and how many times when more than once:
// "11-28 08:15 · 徐家汇地铁站 · 场所核验 · 共3次".
func AccessLine(l Lang, g flow.AccessGroup) string {
	return g.Last.In(shanghai).Format("01-02 15:04") + " · " + g.Place + " · " + PurposeText(l, g.Purpose) + accessCount(l, g.Count)
}

// AccessHead is AccessLine without the place, which a screen writes on
// a line of its own: "11-28 08:15 · 场所核验 · 共3次".
func AccessHead(l Lang, g flow.AccessGroup) string {
	return g.Last.In(shanghai).Format("01-02 15:04") + " · " + PurposeText(l, g.Purpose) + accessCount(l, g.Count)
}

// accessCount is " · 共3次" for a group of more than one access.
func accessCount(l Lang, n int) string {
	switch {
	case n > 1 && l == EN:
		return fmt.Sprintf(" · %d times", n)
	case n > 1:
		return fmt.Sprintf(" · 共%d次", n)
	}
	return ""
}

// AccessSinceText heads the list: "2026-10-31 以来".
func AccessSinceText(l Lang, since time.Time) string {
	d := since.In(shanghai).Format("2006-01-02")
	if l == EN {
		return "Since " + d
	}
	return d + " 以来"
}

// PageText is "第 2/3 页".
func PageText(l Lang, page, pages int) string {
	if l == EN {
		return fmt.Sprintf("Page %d of %d", page+1, pages)
	}
	return fmt.Sprintf("第 %d/%d 页", page+1, pages)
}

// SheetText is what became of 打印, or "" before it was touched.
func SheetText(l Lang, s flow.SheetState, p flow.Problem) string {
	switch s {
	case flow.SheetPrinting:
		return T(l, SheetPrinting)
	case flow.SheetPrinted:
		return T(l, SheetPrinted)
	case flow.SheetFailed:
		return ProblemLine(l, p)
	}
	return ""
}

// VaccineText is a vaccine's name, by the service's code for it.
func VaccineText(l Lang, v string) string {
	words := map[string][2]string{
		"influenza":     {"流感疫苗", "influenza"},
		"pneumococcal":  {"肺炎球菌疫苗", "pneumococcal"},
		"covid19":       {"新冠疫苗", "COVID-19"},
		"herpes_zoster": {"带状疱疹疫苗", "shingles"},
	}
	return wordOf(l, words, v)
}

// day is a date as the health screens write it.
func day(t time.Time) string { return t.Format("2006-01-02") }

// ReminderText is one reminder: what is due and from when.
func ReminderText(l Lang, r flow.Reminder) string {
	switch {
	case r.Kind == flow.ReminderCheckUp && l == EN:
		return "This year's free check-up: " + day(r.Date)
	case r.Kind == flow.ReminderCheckUp:
		return "今年的免费体检：" + day(r.Date)
	case r.Kind == flow.ReminderFollowUp && l == EN:
		return "Family doctor's visit: " + day(r.Date)
	case r.Kind == flow.ReminderFollowUp:
		return "家庭医生随访：" + day(r.Date)
	case l == EN:
		return VaccineText(l, r.Vaccine) + " vaccine due from " + day(r.Date)
	}
	return VaccineText(l, r.Vaccine) + "：" + day(r.Date) + " 起可接种"
}

// CheckUpText is the state of this year's free check-up.
func CheckUpText(l Lang, c flow.CheckUp) string {
	switch {
	case c.Done && l == EN:
		return fmt.Sprintf("%d: done", c.Year)
	case c.Done:
		return fmt.Sprintf("%d年：已完成", c.Year)
	case l == EN:
		return fmt.Sprintf("%d: not yet; next offered %s", c.Year, day(c.Next))
	}
	return fmt.Sprintf("%d年：未完成，可预约 %s", c.Year, day(c.Next))
}

// Section is a heading and its lines, as the health screen and its slip
// both show them.
type Section struct {
	Heading string
	Lines   []string
}

// HealthSections are her health services in order: the family doctor and
// centre, the check-up (from 65), the vaccinations, the reminders.
func HealthSections(l Lang, h flow.HealthServices) []Section {
	out := []Section{{Heading: T(l, HealthDoctor), Lines: []string{h.FamilyDoctor + "  " + h.CentrePhone, h.Centre}}}
	if h.CheckUp != nil {
		out = append(out, Section{Heading: T(l, HealthCheckUp), Lines: []string{CheckUpText(l, *h.CheckUp)}})
	}
	vs := Section{Heading: T(l, HealthVaccines)}
	for _, v := range h.Vaccinations {
		vs.Lines = append(vs.Lines, day(v.Date)+" "+VaccineText(l, v.Vaccine))
	}
	rs := Section{Heading: T(l, HealthReminders)}
	for _, r := range h.Reminders {
		rs.Lines = append(rs.Lines, ReminderText(l, r))
	}
	for _, s := range []*Section{&vs, &rs} {
		if len(s.Lines) == 0 {
			s.Lines = []string{T(l, HealthNone)}
		}
	}
	return append(out, vs, rs)
}

package i18n_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/codesvc/api"
)

// TestPurposeWords: every purpose has its own words in both languages,
// and a line of 谁查询过我 says when (Shanghai time), where, why and how
// many times.
func TestPurposeWords(t *testing.T) {
	for _, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
		seen := map[string]bool{}
		for _, p := range api.Purposes() {
			w := i18n.PurposeText(l, string(p))
			if w == "" || w == string(p) || seen[w] {
				t.Errorf("%s: purpose %q has words %q: missing or shared", l, p, w)
			}
			seen[w] = true
		}
	}
	g := flow.AccessGroup{Place: "徐家汇地铁站", Purpose: string(api.PurposeVenueEntry), Count: 3,
		Last: time.Date(2026, 11, 28, 0, 15, 0, 0, time.UTC)}
	if got, want := i18n.AccessLine(i18n.ZH, g), "11-28 08:15 · 徐家汇地铁站 · 场所核验 · 共3次"; got != want {
		t.Errorf("AccessLine = %q, want %q", got, want)
	}
	for _, v := range []api.Vaccine{api.VaccineInfluenza, api.VaccinePneumococcal, api.VaccineCOVID19, api.VaccineZoster} {
		if w := i18n.VaccineText(i18n.ZH, string(v)); w == string(v) {
			t.Errorf("vaccine %q has no words", v)
		}
	}
	g.Count = 1
	if got := i18n.AccessLine(i18n.EN, g); got != "11-28 08:15 · 徐家汇地铁站 · venue check" {
		t.Errorf("AccessLine in English, once = %q", got)
	}
}

// TestHealthSections: the sections come in order, the check-up only when
// the service sends one, and an empty list says "none" rather than
// nothing.
func TestHealthSections(t *testing.T) {
	day := time.Date(2026, 12, 14, 0, 0, 0, 0, time.UTC)
	h := flow.HealthServices{FamilyDoctor: "陈医生", Centre: "南京东路街道社区卫生服务中心", CentrePhone: "021-0000 0101",
		CheckUp:   &flow.CheckUp{Year: 2026, Next: day},
		Reminders: []flow.Reminder{{Kind: string(api.ReminderVaccine), Date: day, Vaccine: string(api.VaccinePneumococcal)}}}
	secs := i18n.HealthSections(i18n.ZH, h)
	var heads []string
	for _, s := range secs {
		heads = append(heads, s.Heading)
	}
	if got := strings.Join(heads, "/"); got != "家庭医生/老年人免费体检/疫苗接种/提醒" {
		t.Errorf("sections = %s", got)
	}
	if secs[1].Lines[0] != "2026年：未完成，可预约 2026-12-14" || secs[2].Lines[0] != "暂无" ||
		secs[3].Lines[0] != "肺炎球菌疫苗：2026-12-14 起可接种" {
		t.Errorf("lines = %q", secs)
	}
	h.CheckUp = nil
	if n := len(i18n.HealthSections(i18n.EN, h)); n != 3 {
		t.Errorf("no check-up: %d sections, want 3", n)
	}
}

package i18n_test

import (
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/assets"
	"github.com/shcommunity/kiosk/healthcode"
)

func TestFromEnv(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want i18n.Lang
	}{
		{map[string]string{"LANG": "C"}, i18n.ZH},
		{map[string]string{"LANG": "POSIX"}, i18n.ZH},
		{map[string]string{"LANG": "C.UTF-8"}, i18n.ZH},
		{map[string]string{}, i18n.ZH},
		{map[string]string{"LANG": "en_US.UTF-8"}, i18n.EN},
		{map[string]string{"LANG": "zh_CN.UTF-8"}, i18n.ZH},
		{map[string]string{"LANG": "C", "KIOSK_LANG": "en"}, i18n.EN},
	} {
		for _, k := range []string{"KIOSK_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"} {
			t.Setenv(k, tc.env[k])
		}
		if got := i18n.FromEnv(); got != tc.want {
			t.Errorf("FromEnv with %v = %q, want %q", tc.env, got, tc.want)
		}
	}
}

func TestColourAlwaysHasAWord(t *testing.T) {
	for _, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
		seen := map[string]bool{}
		for _, c := range []healthcode.Colour{healthcode.Green, healthcode.Yellow, healthcode.Red, ""} {
			w := i18n.ColourWord(l, c)
			if w == "" || seen[w] {
				t.Errorf("%s: colour %q word %q is empty or shared", l, c, w)
			}
			seen[w] = true
			if i18n.ColourMeaning(l, c) == "" {
				t.Errorf("%s: colour %q has no meaning text", l, c)
			}
		}
	}
	if got := i18n.ColourWord(i18n.ZH, healthcode.Green); got != "绿码" {
		t.Errorf("green = %q, want 绿码", got)
	}
}

func TestProblemsSayWhatToDo(t *testing.T) {
	problems := []flow.Problem{flow.ProblemCardUnreadable, flow.ProblemCardExpired, flow.ProblemCardNotYetValid,
		flow.ProblemCardInvalid, flow.ProblemNotEnrolled, flow.ProblemServiceDown, flow.ProblemPaperOut,
		flow.ProblemCoverOpen, flow.ProblemPrinterFault, flow.ProblemPrinterDown, flow.ProblemReaderDown, flow.ProblemInternal}
	for _, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
		for _, p := range problems {
			what, next := i18n.ProblemText(l, p)
			if what == "" || next == "" {
				t.Errorf("%s %s: what %q next %q", l, p, what, next)
			}
		}
	}
	what, next := i18n.ProblemText(i18n.ZH, flow.ProblemPaperOut)
	if what+"，"+next != "打印机缺纸，请联系工作人员" {
		t.Errorf("paper out = %q，%q", what, next)
	}
}

// TestFontHasEveryGlyph guards against a message the bundled font cannot
// draw (it would show as a box on the kiosk).
func TestFontHasEveryGlyph(t *testing.T) {
	var all []string
	for _, k := range i18n.Keys() {
		all = append(all, i18n.T(i18n.ZH, k), i18n.T(i18n.EN, k))
	}
	for _, c := range []healthcode.Colour{healthcode.Green, healthcode.Yellow, healthcode.Red, ""} {
		all = append(all, i18n.ColourWord(i18n.ZH, c), i18n.ColourMeaning(i18n.ZH, c))
	}
	for _, p := range []flow.Problem{flow.ProblemCardUnreadable, flow.ProblemCardExpired, flow.ProblemNotEnrolled,
		flow.ProblemServiceDown, flow.ProblemPaperOut, flow.ProblemCoverOpen, flow.ProblemPrinterDown, flow.ProblemInternal} {
		w, n := i18n.ProblemText(i18n.ZH, p)
		all = append(all, w, n)
	}
	all = append(all, i18n.AsOfText(i18n.ZH, time.Now()), i18n.WaitingText(i18n.ZH, flow.Link{Waiting: 2}),
		i18n.ExitWrongText(i18n.ZH, 3), i18n.ExitLockedText(i18n.ZH, time.Now()), "●○",
		i18n.ProblemLine(i18n.ZH, flow.ProblemPaperOut), i18n.ManualInvalidText(i18n.ZH, "x"), i18n.TodayText(i18n.ZH, 1),
		i18n.ListTitle(i18n.ZH, i18n.CounterCalls, 2))
	for _, s := range all {
		for _, r := range s {
			if r != ' ' && r != '\n' && !assets.HasGlyph(r) { // a line break is where the screens split a line
				t.Errorf("font has no glyph for %q in %q", r, s)
			}
		}
	}
	if !strings.Contains(i18n.AsOfText(i18n.ZH, time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)), "2026-03-01 17:30") {
		t.Error("as-of time not in Shanghai time")
	}
}

func TestExitTexts(t *testing.T) {
	until := time.Date(2026, 3, 1, 9, 35, 0, 0, time.UTC)
	tests := []struct {
		got, want string
	}{
		{i18n.ExitWrongText(i18n.ZH, 3), "密码不正确，还可以再试 3 次"},
		{i18n.ExitWrongText(i18n.EN, 1), "Wrong PIN; 1 more tries before a lockout"},
		{i18n.ExitLockedText(i18n.ZH, until), "错误次数过多，请在 17:35 以后再试"},
		{i18n.ExitLockedText(i18n.EN, until), "Too many wrong PINs; try again after 17:35"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// TestEveryKeyInBothLanguages: a key without its English (or with the
// Chinese copied into it) would leave Chinese on an English screen.
func TestEveryKeyInBothLanguages(t *testing.T) {
	keys := i18n.Keys()
	if len(keys) < 80 {
		t.Fatalf("Keys() lists %d keys, want every message (80 or more)", len(keys))
	}
	for _, k := range keys {
		zh, en := i18n.T(i18n.ZH, k), i18n.T(i18n.EN, k)
		if zh == "" || en == "" || zh == string(k) {
			t.Errorf("%s: zh %q en %q", k, zh, en)
		}
		if k == i18n.LangButton {
			continue // names the other language in its own script
		}
		for _, r := range en {
			if unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF) {
				t.Errorf("%s: English %q holds %q", k, en, r)
				break
			}
		}
	}
}

func TestCounterTexts(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{i18n.ProblemLine(i18n.ZH, flow.ProblemPaperOut), "打印机缺纸，请联系工作人员"},
		{i18n.ProblemLine(i18n.EN, flow.ProblemPaperOut), "The printer is out of paper; Please ask a member of staff"},
		{i18n.ManualInvalidText(i18n.ZH, "check_digit"), "身份证号无效（check_digit），请核对"},
		{i18n.ManualInvalidText(i18n.EN, "check_digit"), "Invalid ID number (check_digit); please check it"},
		{i18n.TodayText(i18n.ZH, 3), "今日办理 3 项"},
		{i18n.TodayText(i18n.EN, 3), "3 done today"},
		{i18n.ListTitle(i18n.ZH, i18n.CounterCalls, 2), "需回访（颜色已变）（2）"},
		{i18n.ListTitle(i18n.EN, i18n.CounterCalls, 2), "To call back (colour changed) (2)"},
		{i18n.T(i18n.ZH, i18n.CounterLoginTitle), "社区工作人员登录"},
		{i18n.T(i18n.ZH, i18n.ProvisionFailed), "开通失败，请核对服务地址、开通码和服务指纹。"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

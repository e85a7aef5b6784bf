package i18n_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/assets"
	"github.com/shcommunity/kiosk/healthcode"
)

// TestEveryPromptIsSpokenInBothLanguages: a clip ships for every prompt
// and language, so each needs words; Chinese words are Chinese and the
// English ones are not.
func TestEveryPromptIsSpokenInBothLanguages(t *testing.T) {
	han := regexp.MustCompile(`\p{Han}`)
	seen := map[string]flow.Prompt{}
	for _, p := range flow.Prompts() {
		zh, en := i18n.Spoken(i18n.ZH, p), i18n.Spoken(i18n.EN, p)
		if !han.MatchString(zh) {
			t.Errorf("%s: Chinese %q has no Chinese", p, zh)
		}
		if en == "" || han.MatchString(en) {
			t.Errorf("%s: English %q is empty or has Chinese in it", p, en)
		}
		for _, s := range []string{zh, en} {
			if q, dup := seen[s]; dup {
				t.Errorf("%s says the same as %s: %q", p, q, s)
			}
			seen[s] = p
		}
	}
	if got := i18n.Spoken(i18n.ZH, flow.PromptNone); got != "" {
		t.Errorf("PromptNone says %q", got)
	}
}

// TestPromptsAreClipNames: the values are file names that never change
// meaning, so each is distinct snake_case.
func TestPromptsAreClipNames(t *testing.T) {
	name := regexp.MustCompile(`^[a-z][a-z_]*[a-z]$`)
	seen := map[flow.Prompt]bool{}
	for _, p := range flow.Prompts() {
		if !name.MatchString(string(p)) || seen[p] {
			t.Errorf("prompt %q is not a distinct snake_case name", p)
		}
		seen[p] = true
	}
	if len(seen) < 28 {
		t.Errorf("%d prompts; the self-service screens need at least 28", len(seen))
	}
}

// TestSpokenSaysWhatTheScreenShows: the prompts built from the screen's
// words say exactly those words.
func TestSpokenSaysWhatTheScreenShows(t *testing.T) {
	for _, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
		for _, tc := range []struct {
			p    flow.Prompt
			want []string
		}{
			{flow.PromptPlaceCard, []string{i18n.T(l, i18n.StartPrompt), i18n.T(l, i18n.StartHint)}},
			{flow.PromptChecking, []string{i18n.T(l, i18n.Checking)}},
			{flow.PromptTakeSlip, []string{i18n.T(l, i18n.Done), i18n.T(l, i18n.DoneHint)}},
			{flow.PromptColourYellow, []string{i18n.ColourWord(l, healthcode.Yellow), i18n.ColourMeaning(l, healthcode.Yellow)}},
			{flow.PromptColourUnknown, []string{i18n.ColourMeaning(l, "")}},
		} {
			got := i18n.Spoken(l, tc.p)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("%s %s = %q; it does not say %q", l, tc.p, got, w)
				}
			}
		}
	}
	if got, want := i18n.Spoken(i18n.ZH, flow.PromptPaperOut), "打印机缺纸。请联系工作人员。"; got != want {
		t.Errorf("paper out = %q, want %q", got, want)
	}
	if got, want := i18n.Spoken(i18n.ZH, flow.PromptColourGreen), "您的随申码是绿码。可以正常出行，进出场所出示此码。"; got != want {
		t.Errorf("green read-out = %q, want %q", got, want)
	}
}

// TestProblemPromptCoversEveryProblem: every problem the screen can show
// has a prompt that says its line.
func TestProblemPromptCoversEveryProblem(t *testing.T) {
	all := map[flow.Prompt]bool{}
	for _, p := range flow.Prompts() {
		all[p] = true
	}
	for _, pr := range []flow.Problem{flow.ProblemCardUnreadable, flow.ProblemCardExpired, flow.ProblemCardNotYetValid,
		flow.ProblemCardInvalid, flow.ProblemNotEnrolled, flow.ProblemServiceDown, flow.ProblemPaperOut,
		flow.ProblemCoverOpen, flow.ProblemPrinterFault, flow.ProblemPrinterDown, flow.ProblemReaderDown,
		flow.ProblemOutOfService, flow.ProblemInternal, flow.Problem("something_new")} {
		p := flow.ProblemPrompt(pr)
		if !all[p] || p.Private() {
			t.Errorf("problem %q: prompt %q is not a public prompt in Prompts()", pr, p)
			continue
		}
		for _, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
			what, next := i18n.ProblemText(l, pr)
			if s := i18n.Spoken(l, p); !strings.Contains(s, what) || !strings.Contains(s, next) {
				t.Errorf("%s %q: %q does not say %q and %q", l, pr, s, what, next)
			}
		}
	}
	if p := flow.ProblemPrompt(flow.ProblemNone); p != flow.PromptNone {
		t.Errorf("no problem says %q", p)
	}
}

// TestOnlyTheColourReadOutsArePrivate: a prompt that names a colour is
// Private, so that no flow says a health status unasked; no other prompt
// names one.
func TestOnlyTheColourReadOutsArePrivate(t *testing.T) {
	words := []string{i18n.ColourWord(i18n.ZH, healthcode.Green), i18n.ColourWord(i18n.ZH, healthcode.Yellow),
		i18n.ColourWord(i18n.ZH, healthcode.Red), "Green code", "Yellow code", "Red code", "状态未知", "status is unknown"}
	for _, p := range flow.Prompts() {
		says := false
		for _, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
			for _, w := range words {
				says = says || strings.Contains(i18n.Spoken(l, p), w)
			}
		}
		if says != p.Private() {
			t.Errorf("%s: names a status %v, Private %v", p, says, p.Private())
		}
	}
	for _, tc := range []struct {
		s    healthcode.Status
		want flow.Prompt
	}{
		{healthcode.Status{Source: healthcode.SourceLive, Colour: healthcode.Green}, flow.PromptColourGreen},
		{healthcode.Status{Source: healthcode.SourceCached, Colour: healthcode.Yellow}, flow.PromptColourYellow},
		{healthcode.Status{Source: healthcode.SourceLive, Colour: healthcode.Red}, flow.PromptColourRed},
		{healthcode.Status{Source: healthcode.SourceUnknown, Colour: healthcode.Green}, flow.PromptColourUnknown},
		{healthcode.Status{Source: healthcode.SourcePending}, flow.PromptColourUnknown},
		{healthcode.Status{}, flow.PromptColourUnknown},
	} {
		if got := flow.StatusPrompt(tc.s); got != tc.want {
			t.Errorf("StatusPrompt(%+v) = %q, want %q", tc.s, got, tc.want)
		}
	}
}

// TestSpokenHoldsNothingPersonal: the words are the same for everyone and
// are rendered once into files, so they must hold no name, number or mask:
// no format verb, no mask star, no run of digits, and none of the sample
// residents' names or ID numbers.
func TestSpokenHoldsNothingPersonal(t *testing.T) {
	var deck []struct {
		Name   string `json:"name"`
		Number string `json:"id_number"`
	}
	if err := json.Unmarshal(deckCards(t), &deck); err != nil {
		t.Fatal(err)
	}
	if len(deck) == 0 {
		t.Fatal("sample deck is empty")
	}
	digits := regexp.MustCompile(`[0-9０-９]{2,}`)
	for _, p := range flow.Prompts() {
		for _, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
			s := i18n.Spoken(l, p)
			if strings.ContainsAny(s, "%*＊") || digits.MatchString(s) {
				t.Errorf("%s %s: %q has a format verb, a mask or a number", l, p, s)
			}
			for _, c := range deck {
				if (c.Name != "" && strings.Contains(s, c.Name)) || (c.Number != "" && strings.Contains(s, c.Number)) {
					t.Errorf("%s %s: %q holds a sample resident's name or number", l, p, s)
				}
			}
		}
	}
}

// deckCards is the sample deck's list of cards.
func deckCards(t *testing.T) []byte {
	t.Helper()
	var d struct {
		Cards json.RawMessage `json:"cards"`
	}
	if err := json.Unmarshal(assets.SampleDeck, &d); err != nil {
		t.Fatal(err)
	}
	return d.Cards
}

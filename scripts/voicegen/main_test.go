package main

import (
	"bytes"
	"io/fs"
	"os/exec"
	"strings"
	"testing"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/assets"
	"github.com/shcommunity/kiosk/devices/speaker"
)

// TestClipsSayTheCurrentWords: clips.json lists exactly one clip for each
// prompt and language, with the words i18n.Spoken gives now. When it
// fails, a prompt was added or its words changed: run `make voice`.
func TestClipsSayTheCurrentWords(t *testing.T) {
	m, err := assets.ReadVoiceManifest()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]string{}
	for _, c := range m.Clips {
		have[c.Name()] = c.Text
	}
	want := 0
	for _, v := range voices {
		for _, p := range flow.Prompts() {
			want++
			vc := assets.VoiceClip{Lang: string(v.lang), Prompt: string(p)}
			text, ok := have[vc.Name()]
			switch {
			case !ok:
				t.Errorf("%s has no clip: run make voice", vc.Name())
			case text != i18n.Spoken(v.lang, p):
				t.Errorf("%s says %q, the words are now %q: run make voice", vc.Name(), text, i18n.Spoken(v.lang, p))
			}
		}
	}
	if len(m.Clips) != want {
		t.Errorf("clips.json lists %d clips, want %d: run make voice", len(m.Clips), want)
	}
}

// TestPinyinFixesAreUsed: each word given to eSpeak NG as pinyin is in
// some prompt, so the table does not outlive the words it fixes.
func TestPinyinFixesAreUsed(t *testing.T) {
	var all strings.Builder
	for _, p := range flow.Prompts() {
		all.WriteString(i18n.Spoken(i18n.ZH, p))
	}
	for w := range pinyinFixes {
		if !strings.Contains(all.String(), w) {
			t.Errorf("pinyin fix %q: no prompt says it", w)
		}
	}
	if got := pronounce(i18n.ZH, "请不要移开，一次"); got != "请 bu2 yao4 移开， yi2 ci4 " {
		t.Errorf("pronounce = %q", got)
	}
	if got := pronounce(i18n.EN, "Please wait."); got != "Please wait." {
		t.Errorf("English pronounce = %q", got)
	}
}

// TestShape: the silence around speech is trimmed to the lead-in and the
// tail, and the loudest sample is brought to -1 dBFS.
func TestShape(t *testing.T) {
	s := make([]int16, 3*rate)
	for i := rate; i < 2*rate; i++ {
		s[i] = int16(8000 * (1 - 2*float64(i%100)/100))
	}
	c, err := shape(speaker.Clip{Rate: rate, Samples: s})
	if err != nil {
		t.Fatal(err)
	}
	if want := leadIn + rate - 1 + tail; len(c.Samples) < want-100 || len(c.Samples) > want {
		t.Errorf("shaped to %d samples, want about %d", len(c.Samples), want)
	}
	top := 0
	for _, x := range c.Samples {
		top = max(top, int(x), -int(x))
	}
	if top != 29195 { // 0.891 × 32767
		t.Errorf("peak %d, want 29195", top)
	}
	if _, err := shape(speaker.Clip{Rate: rate, Samples: make([]int16, 100)}); err == nil {
		t.Error("shape accepted silence")
	}
}

// TestRenderIsReproducible renders a few prompts again with eSpeak NG
// and compares them with the shipped clips byte for byte: the clips are
// what this program makes from the current words. scripts/deps.sh
// installs espeak-ng; another eSpeak NG version renders other bytes, so
// the comparison is skipped there.
func TestRenderIsReproducible(t *testing.T) {
	espeak, err := exec.LookPath("espeak-ng")
	if err != nil {
		t.Fatalf("espeak-ng is not installed (scripts/deps.sh installs it): %v", err)
	}
	version, err := engineVersion(espeak)
	if err != nil {
		t.Fatal(err)
	}
	m, err := assets.ReadVoiceManifest()
	if err != nil {
		t.Fatal(err)
	}
	if "eSpeak NG "+version != m.Tool {
		t.Skipf("espeak-ng %s installed, the clips were made with %s", version, m.Tool)
	}
	for _, tc := range []struct {
		v voice
		p flow.Prompt
	}{
		{voices[0], flow.PromptChecking},
		{voices[0], flow.PromptPlaceCard}, // 不要: a pinyin fix
		{voices[1], flow.PromptPaperOut},
	} {
		c, err := render(espeak, tc.v, i18n.Spoken(tc.v.lang, tc.p))
		if err != nil {
			t.Fatal(err)
		}
		got, err := speaker.Encode(c, speaker.IMAADPCM)
		if err != nil {
			t.Fatal(err)
		}
		name := string(tc.v.lang) + "/" + string(tc.p) + ".wav"
		want, err := fs.ReadFile(assets.Voice(), name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s rendered again differs from the shipped clip (%d bytes, shipped %d): run make voice", name, len(got), len(want))
		}
	}
}

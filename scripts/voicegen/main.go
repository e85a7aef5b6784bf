package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/assets"
	"github.com/shcommunity/kiosk/devices/speaker"
)

// voice is how one language is spoken.
type voice struct {
	lang  i18n.Lang
	name  string // eSpeak NG voice
	speed int    // words a minute (-s); eSpeak's default is 175
}

// voices: Mandarin with the voice that reads its internal pinyin as
// pinyin (the plain cmn voice of eSpeak NG 1.51 reads the pinyin of each
// character as an English word: 好 "hao2" comes out as "hao two"), and
// British English, the spelling of the screens.
var voices = []voice{
	{lang: i18n.ZH, name: "cmn-latn-pinyin", speed: 165},
	{lang: i18n.EN, name: "en-gb", speed: 140},
}

// pinyinFixes are words whose reading eSpeak NG 1.51 gets wrong in these
// prompts, given to it as tone-numbered pinyin: it applies no tone sandhi
// to 一 and 不 (yī before a fourth tone is yí, before the others yì; bù
// before a fourth tone is bú) and reads a few second syllables in the
// neutral tone. A test checks that each still occurs in some prompt.
var pinyinFixes = map[string]string{
	"一个": "yi2 ge5",
	"一直": "yi4 zhi2",
	"一点": "yi4 dian3",
	"一台": "yi4 tai2",
	"一次": "yi2 ci4",
	"不是": "bu2 shi4",
	"不要": "bu2 yao4",
	"服务": "fu2 wu4",
	"识别": "shi2 bie2",
	"信息": "xin4 xi1",
}

// pronounce is the text eSpeak NG gets for a prompt's words.
func pronounce(l i18n.Lang, text string) string {
	if l != i18n.ZH {
		return text
	}
	for _, w := range fixOrder() {
		text = strings.ReplaceAll(text, w, " "+pinyinFixes[w]+" ")
	}
	return text
}

// fixOrder is pinyinFixes' words, longest first then in byte order, so the
// replacements are the same on every run.
func fixOrder() []string {
	ws := make([]string, 0, len(pinyinFixes))
	for w := range pinyinFixes {
		ws = append(ws, w)
	}
	slices.SortFunc(ws, func(a, b string) int {
		if d := len(b) - len(a); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return ws
}

// The clips' shape.
const (
	rate      = 22050 // eSpeak NG's output rate
	peak      = 0.891 // -1 dBFS
	threshold = 328   // 1% of full scale: below it is silence
	leadIn    = rate / 20
	tail      = rate / 5
)

// errEngine: eSpeak NG failed or wrote something unexpected.
var errEngine = errors.New("voicegen: espeak-ng")

// engineVersion is eSpeak NG's version, "1.51".
func engineVersion(espeak string) (string, error) {
	out, err := exec.Command(espeak, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("%w --version: %w (scripts/deps.sh espeak-ng installs it)", errEngine, err)
	}
	m := regexp.MustCompile(`text-to-speech: (\S+)`).FindSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("%w: no version in %q", errEngine, out)
	}
	return string(m[1]), nil
}

// render speaks text with v and returns the clip as the kiosk ships it.
func render(espeak string, v voice, text string) (speaker.Clip, error) {
	tmp, err := os.MkdirTemp("", "voicegen")
	if err != nil {
		return speaker.Clip{}, err
	}
	defer os.RemoveAll(tmp)
	wav := filepath.Join(tmp, "out.wav")
	cmd := exec.Command(espeak, "-v", v.name, "-s", strconv.Itoa(v.speed), "-b", "1", "-w", wav, "--stdin")
	cmd.Stdin = strings.NewReader(pronounce(v.lang, text))
	if out, err := cmd.CombinedOutput(); err != nil {
		return speaker.Clip{}, fmt.Errorf("%w -v %s: %w: %s", errEngine, v.name, err, out)
	}
	b, err := os.ReadFile(wav)
	if err != nil {
		return speaker.Clip{}, err
	}
	c, err := speaker.Decode(b)
	if err != nil {
		return speaker.Clip{}, fmt.Errorf("%w wrote an unreadable file: %w", errEngine, err)
	}
	if c.Rate != rate {
		return speaker.Clip{}, fmt.Errorf("%w wrote %d samples a second, want %d", errEngine, c.Rate, rate)
	}
	return shape(c)
}

// shape trims the silence eSpeak NG puts around speech, keeping a short
// lead-in and tail, and scales the clip to a peak of -1 dBFS, so that
// every prompt is as loud as the others.
func shape(c speaker.Clip) (speaker.Clip, error) {
	first, last, top := -1, -1, 0
	for i, s := range c.Samples {
		a := max(int(s), -int(s))
		if a > threshold {
			if first < 0 {
				first = i
			}
			last = i
		}
		top = max(top, a)
	}
	if first < 0 {
		return speaker.Clip{}, fmt.Errorf("%w wrote silence", errEngine)
	}
	s := c.Samples[max(0, first-leadIn):min(len(c.Samples), last+tail)]
	gain := peak * 32767 / float64(top)
	out := make([]int16, len(s))
	for i, x := range s {
		out[i] = int16(math.Round(float64(x) * gain))
	}
	return speaker.Clip{Rate: c.Rate, Samples: out}, nil
}

// run renders every clip into dir and writes the manifest.
func run(espeak, dir string) error {
	version, err := engineVersion(espeak)
	if err != nil {
		return err
	}
	m := assets.VoiceManifest{Tool: "eSpeak NG " + version}
	var total int64
	for _, v := range voices {
		if err := os.MkdirAll(filepath.Join(dir, string(v.lang)), 0o755); err != nil {
			return err
		}
		keep := map[string]bool{}
		for _, p := range flow.Prompts() {
			vc := assets.VoiceClip{Lang: string(v.lang), Prompt: string(p), Text: i18n.Spoken(v.lang, p)}
			c, err := render(espeak, v, vc.Text)
			if err != nil {
				return fmt.Errorf("%s: %w", vc.Name(), err)
			}
			b, err := speaker.Encode(c, speaker.IMAADPCM)
			if err != nil {
				return fmt.Errorf("%s: %w", vc.Name(), err)
			}
			if err := os.WriteFile(filepath.Join(dir, vc.Name()+".wav"), b, 0o644); err != nil {
				return err
			}
			keep[string(p)+".wav"] = true
			vc.Seconds = math.Round(c.Duration().Seconds()*100) / 100
			m.Clips = append(m.Clips, vc)
			total += int64(len(b))
		}
		if err := removeStale(filepath.Join(dir, string(v.lang)), keep); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "clips.json"), buf.Bytes(), 0o644); err != nil {
		return err
	}
	var secs float64
	for _, c := range m.Clips {
		secs += c.Seconds
	}
	fmt.Printf("voicegen: %d clips by %s, %.1f s, %d bytes in %s\n", len(m.Clips), m.Tool, secs, total, dir)
	return nil
}

// removeStale deletes the clips of prompts that no longer exist.
func removeStale(dir string, keep map[string]bool) error {
	old, err := filepath.Glob(filepath.Join(dir, "*.wav"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if !keep[filepath.Base(f)] {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	return nil
}

func main() {
	out := flag.String("out", filepath.Join("assets", "voice"), "the directory to write the clips and clips.json into")
	espeak := flag.String("espeak", "espeak-ng", "the eSpeak NG program")
	flag.Parse()
	if err := run(*espeak, *out); err != nil {
		fmt.Fprintln(os.Stderr, "voicegen:", err)
		os.Exit(1)
	}
}

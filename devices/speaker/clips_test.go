package speaker_test

import (
	"io/fs"
	"log/slog"
	"math"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shcommunity/kiosk/assets"
	"github.com/shcommunity/kiosk/devices/speaker"
)

// Speaking rates the shipped clips must fall within: slow, for elderly
// listeners, but not dragging. Mandarin is counted in syllables (one a
// character), English in words; pauses at punctuation are included.
var (
	zhRate = [2]float64{2.2, 4.2} // syllables a second; everyday speech is 4 to 5
	enRate = [2]float64{1.4, 3.5} // words a second
)

// TestShippedClips decodes every clip in assets/voice: each is mono at
// the player's rate, as long as its words need at a slow speaking rate,
// well above silence, and listed in clips.json with its length; and every
// file there is a listed clip.
func TestShippedClips(t *testing.T) {
	m, err := assets.ReadVoiceManifest()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Tool, "eSpeak NG ") {
		t.Errorf("clips.json tool %q", m.Tool)
	}
	voice := assets.Voice()
	listed := map[string]bool{}
	han := regexp.MustCompile(`\p{Han}`)
	var total time.Duration
	for _, vc := range m.Clips {
		name := vc.Name() + ".wav"
		listed[name] = true
		b, err := fs.ReadFile(voice, name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		c, err := speaker.Decode(b)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		secs := c.Duration().Seconds()
		total += c.Duration()
		if c.Rate != speaker.Rate {
			t.Errorf("%s: %d samples a second, the player plays %d", name, c.Rate, speaker.Rate)
		}
		if math.Abs(secs-vc.Seconds) > 0.01 {
			t.Errorf("%s: plays %.2f s, clips.json says %.2f", name, secs, vc.Seconds)
		}
		units, bounds := float64(len(strings.Fields(vc.Text))), enRate
		if vc.Lang == "zh-CN" {
			units, bounds = float64(len(han.FindAllString(vc.Text, -1))), zhRate
		}
		if r := units / secs; r < bounds[0] || r > bounds[1] {
			t.Errorf("%s: %.0f syllables or words in %.2f s is %.2f a second, want %.1f to %.1f", name, units, secs, r, bounds[0], bounds[1])
		}
		// Speech brought to a -1 dBFS peak sits far above -40 dBFS;
		// silence or a near-silent clip does not.
		if rms := c.RMS(); rms < -30 {
			t.Errorf("%s: RMS %.1f dBFS, too quiet to be speech", name, rms)
		}
	}
	err = fs.WalkDir(voice, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".wav") && !listed[path] {
			t.Errorf("%s is shipped but not in clips.json", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Clips) == 0 {
		t.Fatal("no clips shipped")
	}
	t.Logf("%d clips, %.1f s in all", len(m.Clips), total.Seconds())
}

// TestShippedClipsPlay plays every shipped clip through a Player to an
// output that records the samples: all of each clip arrives, and nothing
// is logged.
func TestShippedClipsPlay(t *testing.T) {
	m, err := assets.ReadVoiceManifest()
	if err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(false)
		var logs logLines
		p := speaker.Open(speaker.Options{Clips: assets.Voice(), Volume: 1,
			Open: func(int) (speaker.Output, error) { return rec, nil },
			Log:  slog.New(slog.NewTextHandler(&logs, nil))})
		defer p.Close()
		for _, vc := range m.Clips {
			before := rec.count()
			p.Play(vc.Name())
			synctest.Wait()
			got := float64(rec.count()-before) / speaker.Rate
			if math.Abs(got-vc.Seconds) > 0.01 {
				t.Errorf("%s: played %.2f s, want %.2f", vc.Name(), got, vc.Seconds)
			}
		}
		if got := logs.text(); got != "" {
			t.Errorf("logged %q", got)
		}
	})
}

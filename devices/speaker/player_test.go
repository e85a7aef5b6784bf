package speaker_test

import (
	"bytes"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"testing/synctest"

	"github.com/shcommunity/kiosk/devices/speaker"
)

// chunkLen is the player's write: 20 ms at its rate.
const chunkLen = speaker.Rate / 50

// level is a clip of n samples all at v, so the samples an output
// records say which clip and which volume they came from.
func level(t *testing.T, v int16, n int) *fstest.MapFile {
	t.Helper()
	c := speaker.Clip{Rate: speaker.Rate, Samples: make([]int16, n)}
	for i := range c.Samples {
		c.Samples[i] = v
	}
	b, err := speaker.Encode(c, speaker.PCM16)
	if err != nil {
		t.Fatal(err)
	}
	return &fstest.MapFile{Data: b}
}

// clips: "a" is 5 chunks at 10000, "b" 2 chunks at -20000, "slow" a clip
// at another rate and "bad" not a WAV file.
func clips(t *testing.T) fstest.MapFS {
	slow, _ := speaker.Encode(speaker.Clip{Rate: 16000, Samples: []int16{1, 2, 3}}, speaker.PCM16)
	return fstest.MapFS{
		"a.wav":    level(t, 10000, 5*chunkLen),
		"b.wav":    level(t, -20000, 2*chunkLen),
		"slow.wav": {Data: slow},
		"bad.wav":  {Data: []byte("not a wav file")},
	}
}

// recorder is an Output that records what it is given. With a gate, each
// Write waits for the test to let it through, the way a sound device
// takes samples at its own pace.
type recorder struct {
	gate   chan struct{} // nil: Write returns at once
	closed chan struct{}
	once   sync.Once
	fail   error // Write's error, once set

	mu     sync.Mutex
	events []string // "write N at V", "drop"
	levels []int16  // every sample written
}

func newRecorder(gated bool) *recorder {
	r := &recorder{closed: make(chan struct{})}
	if gated {
		r.gate = make(chan struct{})
	}
	return r
}

func (r *recorder) Write(s []int16) error {
	if r.gate != nil {
		select {
		case <-r.gate:
		case <-r.closed:
			return speaker.ErrClosed
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.events = append(r.events, "write "+strconv.Itoa(len(s))+" at "+strconv.Itoa(int(s[0])))
	r.levels = append(r.levels, s...)
	return nil
}

func (r *recorder) Drop() {
	r.mu.Lock()
	r.events = append(r.events, "drop")
	r.mu.Unlock()
}

func (r *recorder) Close() error {
	r.once.Do(func() { close(r.closed) })
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.levels)
}

func (r *recorder) samples() []int16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.levels)
}

func (r *recorder) took() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// step lets one gated Write through and waits until the player is
// blocked again.
func (r *recorder) step() {
	r.gate <- struct{}{}
	synctest.Wait()
}

// logLines counts what the player logs.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(b)
}

func (l *logLines) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logLines) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Split(strings.TrimSpace(l.buf.String()), "\n")
}

func open(t *testing.T, out speaker.Output, volume float64) (*speaker.Player, *logLines) {
	t.Helper()
	var logs logLines
	p := speaker.Open(speaker.Options{
		Clips: clips(t), Volume: volume,
		Open: func(rate int) (speaker.Output, error) {
			if rate != speaker.Rate {
				t.Errorf("output opened at %d", rate)
			}
			return out, nil
		},
		Log: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	return p, &logs
}

// playing opens a player at the volume on a new recorder (gated: each
// Write waits for a step) and plays the clip until the player waits.
func playing(t *testing.T, gated bool, volume float64, clip string) (*speaker.Player, *recorder) {
	t.Helper()
	rec := newRecorder(gated)
	p, _ := open(t, rec, volume)
	p.Play(clip)
	synctest.Wait()
	return p, rec
}

func TestPlayWritesTheClipAtTheVolume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, rec := playing(t, false, 0.8, "a")
		want := slices.Repeat([]string{"write 441 at 8000"}, 5)
		if got := rec.took(); !slices.Equal(got, want) {
			t.Errorf("took %q, want %q", got, want)
		}
		p.Repeat()
		synctest.Wait()
		if got := len(rec.took()); got != 10 {
			t.Errorf("Repeat: %d writes in all, want 10", got)
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestNewerClipInterrupts: Play while a clip is playing drops the rest of
// it and plays the newer one whole.
func TestNewerClipInterrupts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, rec := playing(t, true, 1, "a") // blocked in the first Write of "a"
		defer p.Close()
		for range 100 {
			p.Play("b") // never blocks, however often
		}
		rec.step() // the first chunk of "a" goes through
		rec.step() // "a" is dropped; the first chunk of "b"
		rec.step()
		want := []string{"write 441 at 10000", "drop", "write 441 at -20000", "write 441 at -20000"}
		if got := rec.took(); !slices.Equal(got, want) {
			t.Errorf("took %q, want %q", got, want)
		}
	})
}

func TestVolumeAndMuteApplyWhilePlaying(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, rec := playing(t, true, 1, "a")
		defer p.Close()
		p.SetVolume(0.25)
		rec.step()
		rec.step()
		p.SetMuted(true)
		synctest.Wait()
		p.SetVolume(7) // clamped to 1
		if !p.Muted() || p.Volume() != 1 {
			t.Errorf("Muted %v, Volume %v", p.Muted(), p.Volume())
		}
		// The chunk already in Write finishes, then the player drops
		// the rest: no more samples while muted.
		rec.step()
		p.Play("b")
		synctest.Wait()
		want := []string{"write 441 at 10000", "write 441 at 2500", "write 441 at 2500", "drop"}
		if got := rec.took(); !slices.Equal(got, want) {
			t.Errorf("took %q, want %q", got, want)
		}
		// Unmuted, Repeat says the last clip asked for: "b", asked for
		// while muted.
		p.SetMuted(false)
		p.Repeat()
		synctest.Wait()
		rec.step()
		rec.step()
		got := rec.took()[len(want):]
		if want := []string{"write 441 at -20000", "write 441 at -20000"}; !slices.Equal(got, want) {
			t.Errorf("after unmute and Repeat took %q, want %q", got, want)
		}
	})
}

func TestVolumeZeroWritesSilence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, rec := playing(t, false, 0, "b")
		p.Close()
		if got := rec.samples(); len(got) != 2*chunkLen || slices.ContainsFunc(got, func(s int16) bool { return s != 0 }) {
			t.Errorf("volume 0 wrote %d samples, not all zero", len(got))
		}
	})
}

// TestNoDeviceRunsSilently: a machine without a sound device logs one
// line, however many clips are asked for, and nothing fails.
func TestNoDeviceRunsSilently(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs logLines
		p := speaker.Open(speaker.Options{
			Clips:  clips(t),
			Volume: 1,
			Open:   func(int) (speaker.Output, error) { return nil, errors.New("no ALSA device") },
			Log:    slog.New(slog.NewTextHandler(&logs, nil)),
		})
		for range 5 {
			p.Play("a")
			synctest.Wait()
		}
		p.Repeat()
		synctest.Wait()
		if got := logs.lines(); len(got) != 1 || !strings.Contains(got[0], "no sound device") || !strings.Contains(got[0], "no ALSA device") {
			t.Errorf("logged %q, want one line about the missing device", got)
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		p.Play("a") // after Close: nothing, no panic
	})
}

func TestClipsThatCannotBePlayedAreLoggedAndSkipped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(false)
		p, logs := open(t, rec, 1)
		defer p.Close()
		for _, name := range []string{"missing", "bad", "slow"} {
			p.Play(name)
			synctest.Wait()
		}
		p.Play("b")
		synctest.Wait()
		got := logs.lines()
		if len(got) != 3 {
			t.Fatalf("logged %q, want a line for each of missing, bad and slow", got)
		}
		for i, want := range []string{"clip=missing", "clip=bad", "clip=slow"} {
			if !strings.Contains(got[i], want) {
				t.Errorf("line %d = %q, want %s", i, got[i], want)
			}
		}
		if n := len(rec.took()); n != 2 {
			t.Errorf("%d writes after the bad clips, want b's 2", n)
		}
	})
}

// TestCloseWhileTheDeviceIsStuck: Close returns even when the output
// never takes the samples, and the player's goroutine ends (synctest
// fails a test that leaves a goroutine blocked).
func TestCloseWhileTheDeviceIsStuck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(true)
		p, logs := open(t, rec, 1)
		p.Play("a")
		synctest.Wait()
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		if got := logs.text(); got != "" {
			t.Errorf("Close logged %q", got)
		}
	})
}

// TestDeviceFailureGoesSilent: a device that fails mid-clip is logged
// once and the player carries on without it.
func TestDeviceFailureGoesSilent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(false)
		rec.fail = errors.New("snd_pcm_writei: device unplugged")
		p, logs := open(t, rec, 1)
		defer p.Close()
		p.Play("a")
		synctest.Wait()
		p.Play("b")
		synctest.Wait()
		if got := logs.lines(); len(got) != 1 || !strings.Contains(got[0], "unplugged") {
			t.Errorf("logged %q, want one line about the failure", got)
		}
		if got := rec.took(); len(got) != 0 {
			t.Errorf("the failed device recorded %q", got)
		}
	})
}

// TestOpenIsNotWaitedFor: Play before the device is open is played once
// it is, the newest only.
func TestOpenIsNotWaitedFor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder(false)
		ready := make(chan struct{})
		p := speaker.Open(speaker.Options{Clips: clips(t), Volume: 1,
			Open: func(int) (speaker.Output, error) { <-ready; return rec, nil }})
		defer p.Close()
		p.Play("a")
		p.Play("b")
		synctest.Wait()
		close(ready)
		synctest.Wait()
		if got, want := rec.took(), []string{"write 441 at -20000", "write 441 at -20000"}; !slices.Equal(got, want) {
			t.Errorf("took %q, want %q", got, want)
		}
	})
}

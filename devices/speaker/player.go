package speaker

import (
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"sync"
)

// Rate is the sample rate a Player opens its output at when Options.Rate
// is zero: eSpeak NG's, that of the shipped clips.
const Rate = 22050

// Options configure a Player.
type Options struct {
	// Clips holds the clips, each as <name>.wav: assets.Voice() in the
	// kiosk.
	Clips fs.FS
	// Volume is from 0 (silent) to 1 (the clips as recorded).
	Volume float64
	// Muted silences the player; the last prompt is still remembered.
	Muted bool
	// Rate is the clips' sample rate and the output's; 0 means Rate.
	Rate int
	// Open opens the output; nil means Device. When it fails the Player
	// logs one line and plays to Null.
	Open func(rate int) (Output, error)
	// Log gets the lines above and one for each clip that cannot be
	// played; nil discards them.
	Log *slog.Logger
}

// Player speaks clips on its own goroutine: Play never waits for the
// sound, a newer clip cuts off the one playing, and with no sound device
// the kiosk runs silently. Its methods may be called from any goroutine.
type Player struct {
	clips fs.FS
	rate  int
	open  func(int) (Output, error)
	log   *slog.Logger

	mu      sync.Mutex
	volume  float64
	muted   bool
	pending string // the clip to play next; "" for none
	last    string // the last clip asked for, for Repeat
	out     Output // set once the output is open
	closed  bool
	wake    chan struct{} // cap 1: something is pending
	quit    chan struct{}
	done    chan struct{} // the goroutine has ended

	// Owned by the goroutine:
	decoded Clip   // the last clip loaded
	loaded  string // its name
	buf     []int16
}

// Open starts a player. It returns at once: the output is opened on the
// player's goroutine, and clips asked for meanwhile are played when it is
// ready (the newest only).
func Open(o Options) *Player {
	p := &Player{clips: o.Clips, rate: o.Rate, open: o.Open, log: o.Log,
		volume: clampVolume(o.Volume), muted: o.Muted,
		wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	if p.rate == 0 {
		p.rate = Rate
	}
	if p.open == nil {
		p.open = Device
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	go p.run()
	return p
}

// clampVolume keeps a volume in 0 to 1 (NaN is 0).
func clampVolume(v float64) float64 {
	if !(v > 0) {
		return 0
	}
	return math.Min(v, 1)
}

// Play speaks the clip name (in the kiosk "<lang>/<prompt>", the file
// Clips holds as name.wav), cutting off the one playing. It never blocks.
// While muted, it only remembers the clip for Repeat.
func (p *Player) Play(name string) {
	p.mu.Lock()
	p.last = name
	p.ask(name)
	p.mu.Unlock()
}

// Repeat speaks the last clip asked for again (再听一遍), if there was one.
func (p *Player) Repeat() {
	p.mu.Lock()
	p.ask(p.last)
	p.mu.Unlock()
}

// ask queues name for the goroutine; p.mu is held.
func (p *Player) ask(name string) {
	if p.closed || p.muted || name == "" {
		return
	}
	p.pending = name
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// SetVolume sets the volume, from 0 to 1; the clip playing follows within
// a few tens of milliseconds.
func (p *Player) SetVolume(v float64) {
	p.mu.Lock()
	p.volume = clampVolume(v)
	p.mu.Unlock()
}

// SetMuted mutes or unmutes. Muting cuts off the clip playing.
func (p *Player) SetMuted(m bool) {
	p.mu.Lock()
	p.muted = m
	if m {
		p.pending = ""
	}
	p.mu.Unlock()
}

// Volume returns the volume, from 0 to 1.
func (p *Player) Volume() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.volume
}

// Muted reports whether the player is muted.
func (p *Player) Muted() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.muted
}

// Close stops the sound and the player's goroutine and waits for it to
// end. Play and Repeat after Close do nothing.
func (p *Player) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	close(p.quit)
	out := p.out
	p.mu.Unlock()
	if out != nil {
		_ = out.Close() // a Write blocked in the device returns
	}
	<-p.done
	return nil
}

// run is the player's goroutine: it opens the output and plays what is
// asked for, a chunk at a time, checking between chunks for a newer clip,
// mute and Close.
func (p *Player) run() {
	defer close(p.done)
	out := p.openOutput()
	defer out.Close()
	var cur []int16
	for {
		if len(cur) == 0 {
			select {
			case <-p.quit:
				return
			case <-p.wake:
			}
		} else {
			select {
			case <-p.quit:
				return
			case <-p.wake:
			default:
				var err error
				if cur, err = p.write(out, cur); err != nil {
					select {
					case <-p.quit:
						return
					default:
					}
					p.log.Warn("speaker: the sound device failed; the kiosk goes on without sound", "err", err)
					out = Null{}
				}
				continue
			}
		}
		p.mu.Lock()
		name := p.pending
		p.pending = ""
		p.mu.Unlock()
		if len(cur) > 0 {
			out.Drop()
			cur = nil
		}
		if name != "" {
			cur = p.load(name)
		}
	}
}

// write plays the next chunk of cur, 20 ms, at the current volume and
// returns the rest; muted, it drops them all. 20 ms is the longest a newer
// clip, a volume change or mute waits for, besides what the output holds.
func (p *Player) write(out Output, cur []int16) ([]int16, error) {
	p.mu.Lock()
	vol, muted := p.volume, p.muted
	p.mu.Unlock()
	if muted {
		out.Drop()
		return nil, nil
	}
	n := min(max(p.rate/50, 1), len(cur))
	p.buf = p.buf[:0]
	for _, s := range cur[:n] {
		p.buf = append(p.buf, int16(math.Round(float64(s)*vol)))
	}
	return cur[n:], out.Write(p.buf)
}

// openOutput opens the output, or falls back to Null with one log line.
func (p *Player) openOutput() Output {
	out, err := p.open(p.rate)
	if err != nil || out == nil {
		p.log.Info("speaker: no sound device; the kiosk runs without sound", "err", err)
		out = Null{}
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return out // run sees quit next and closes it
	}
	p.out = out
	p.mu.Unlock()
	return out
}

// load reads and decodes a clip, keeping the last one so that Repeat does
// not decode it again; a clip that cannot be played is logged and skipped.
func (p *Player) load(name string) []int16 {
	if name == p.loaded {
		return p.decoded.Samples
	}
	c, err := p.decode(name)
	if err != nil {
		p.log.Warn("speaker: clip not played", "clip", name, "err", err)
		return nil
	}
	p.decoded, p.loaded = c, name
	return c.Samples
}

func (p *Player) decode(name string) (Clip, error) {
	if p.clips == nil {
		return Clip{}, fmt.Errorf("speaker: no clips")
	}
	b, err := fs.ReadFile(p.clips, name+".wav")
	if err != nil {
		return Clip{}, fmt.Errorf("speaker: %w", err)
	}
	c, err := Decode(b)
	if err != nil {
		return Clip{}, err
	}
	if c.Rate != p.rate {
		return Clip{}, fmt.Errorf("speaker: %d samples a second, the output plays %d", c.Rate, p.rate)
	}
	return c, nil
}

package ui

import (
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/theme"
)

// SoundSettings are the spoken prompts' volume, from 0 to 1, and mute.
type SoundSettings struct {
	Volume float64
	Muted  bool
}

// volumeStep is how far one tap of 调大 or 调小 moves the volume.
const volumeStep = 0.1

// SoundControls connect the worker panel to the loudspeaker and the
// configuration, which the program owns. With them a Lock shows the panel
// after the right PIN instead of leaving at once.
type SoundControls struct {
	// Settings are what the panel starts from: the player's now.
	Settings SoundSettings
	// Apply changes the player at once; it runs on the UI goroutine
	// and must not block.
	Apply func(SoundSettings)
	// Try plays a prompt, so that the worker hears the volume.
	Try func()
	// Save writes the settings to the configuration; it runs on a
	// goroutine of its own. Nil (the demo, which has no configuration
	// file) leaves the 保存 button out.
	Save func(SoundSettings) error
}

// WorkerPanel is what a worker sees after the exit PIN in kiosk mode:
// the volume of the spoken prompts (调小, 调大), mute, a sample to hear,
// 保存 to keep the settings in the configuration, then 退出程序 to leave
// kiosk mode or 返回 to go back to the residents' screen. Like the PIN
// dialog, it closes itself when left untouched, so a worker who walks
// away does not leave the way out open.
type WorkerPanel struct {
	lockDialog
	level   *fyne.Container // the volume, as words
	message *fyne.Container
	texts   [2]string // level, message
	sz      theme.Sizes
	mute    *widget.Button
	s       SoundSettings
	saving  bool
}

func newWorkerPanel(l *Lock) *WorkerPanel {
	lang := l.Lang
	sz := dialogSizes(l.win)
	p := &WorkerPanel{lockDialog: lockDialog{lock: l}, s: l.Sound.Settings, sz: sz, level: container.NewStack(), message: container.NewStack()}
	p.s.Volume = clampVolume(p.s.Volume)
	keys := container.NewHBox()
	key := func(label string, f func()) *widget.Button {
		b := widget.NewButton(label, func() {
			p.touched()
			f()
		})
		keys.Add(container.NewGridWrap(sz.PINKey, b))
		return b
	}
	key(i18n.T(lang, i18n.WorkerQuieter), func() { p.change(p.s.Volume-volumeStep, p.s.Muted) })
	key(i18n.T(lang, i18n.WorkerLouder), func() { p.change(p.s.Volume+volumeStep, p.s.Muted) })
	p.mute = key("", func() { p.change(p.s.Volume, !p.s.Muted) })
	key(i18n.T(lang, i18n.WorkerTry), func() {
		if l.Sound.Try != nil {
			l.Sound.Try()
		}
	})
	buttons := container.NewHBox()
	if l.Sound.Save != nil {
		buttons.Add(workerButton(sz, i18n.T(lang, i18n.WorkerSave), true, func() { p.touched(); p.save() }))
	}
	buttons.Add(workerButton(sz, i18n.T(lang, i18n.WorkerExit), false, p.exit))
	buttons.Add(workerButton(sz, i18n.T(lang, i18n.BackButton), false, p.Close))
	content := container.NewVBox(
		text(i18n.T(lang, i18n.WorkerTitle), sz.Heading, theme.Foreground, true),
		p.level,
		container.NewCenter(keys),
		p.message,
		container.NewCenter(buttons),
	)
	p.show()
	p.say(" ")
	p.open(sz, content)
	p.touched()
	return p
}

// set puts words on one of the panel's two lines (0 the level, 1 the
// message), broken for the panel's width.
func (p *WorkerPanel) set(i int, c *fyne.Container, s string) {
	p.texts[i] = s
	w := max(4*p.sz.PINKey.Width, 3*p.sz.Button.Width)
	c.Objects = []fyne.CanvasObject{para(s, p.sz.Worker, theme.Foreground, false, w)}
	c.Refresh()
	p.refresh()
}

func (p *WorkerPanel) say(s string) { p.set(1, p.message, s) }

// clampVolume keeps a volume in 0 to 1, in tenths, so that taps never
// leave 0.30000000000000004 in the configuration.
func clampVolume(v float64) float64 {
	if !(v > 0) {
		return 0
	}
	return math.Min(1, math.Round(v*10)/10)
}

// Settings are the panel's settings now.
func (p *WorkerPanel) Settings() SoundSettings { return p.s }

// Message is the panel's message line.
func (p *WorkerPanel) Message() string { return p.texts[1] }

// Level is the panel's volume line.
func (p *WorkerPanel) Level() string { return p.texts[0] }

func (p *WorkerPanel) change(volume float64, muted bool) {
	p.s = SoundSettings{Volume: clampVolume(volume), Muted: muted}
	p.show()
	p.say(" ")
	if p.lock.Sound.Apply != nil {
		p.lock.Sound.Apply(p.s)
	}
}

func (p *WorkerPanel) show() {
	lang := p.lock.Lang
	p.set(0, p.level, i18n.VolumeText(lang, int(math.Round(p.s.Volume*100)), p.s.Muted))
	if p.s.Muted {
		p.mute.SetText(i18n.T(lang, i18n.WorkerUnmute))
	} else {
		p.mute.SetText(i18n.T(lang, i18n.WorkerMute))
	}
}

// save writes the settings off the UI goroutine and says how it went.
func (p *WorkerPanel) save() {
	l := p.lock
	if p.saving {
		return
	}
	p.saving = true
	s := p.s
	go func() {
		err := l.Sound.Save(s)
		l.do(func() {
			p.saving = false
			if err != nil {
				l.log().Error("Sound settings not saved", "err", err)
				p.say(i18n.T(l.Lang, i18n.WorkerSaveFailed))
				return
			}
			l.log().Info("Sound settings saved", "volume", s.Volume, "muted", s.Muted)
			if !p.closed {
				p.say(i18n.T(l.Lang, i18n.WorkerSaved))
			}
		})
	}()
}

// exit leaves kiosk mode.
func (p *WorkerPanel) exit() {
	p.Close()
	p.lock.exit()
}

// Close closes the panel and stays in kiosk mode.
func (p *WorkerPanel) Close() {
	if !p.shut() {
		return
	}
	if p.lock.panel == p {
		p.lock.panel = nil
	}
}

// touched starts the idle wait again; a save under way keeps the panel
// open past it.
func (p *WorkerPanel) touched() { p.touch(func() bool { return p.saving }, p.Close) }

package ui

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/theme"
	"github.com/shcommunity/kiosk/internal/kioskmode"
)

// DefaultDialogIdle is how long the exit dialog stays open untouched: a
// resident who pressed Alt+F4 by accident gets their screen back.
const DefaultDialogIdle = 30 * time.Second

// KeySize is the size of a key of the exit keypad at 1080 p, well above
// the 60 × 60 dp minimum and wide enough for "Delete" at body size
// (theme.Sizes.PINKey; smaller on a smaller screen, never under 120 × 72).
var KeySize = fyne.NewSize(160, theme.MinTarget)

// dialogSizes are the sizes for a dialog over the window's canvas now.
func dialogSizes(win fyne.Window) theme.Sizes {
	return theme.For(win.Canvas().Size(), userScale())
}

// dialog is a dialog's content at the staff's text size.
func dialog(sz theme.Sizes, content fyne.CanvasObject) fyne.CanvasObject {
	return container.NewThemeOverride(container.NewPadded(content), &theme.Theme{Scale: theme.ThemeScale(sz.Worker)})
}

// ErrShortcut matches a key combination ParseShortcut cannot read.
var ErrShortcut = errors.New("not a key combination")

// ParseShortcut reads a combination written like kioskmode.ExitShortcut
// ("Ctrl+Alt+Shift+Q": modifiers Ctrl, Alt, Shift, Super in any order,
// then one letter or digit) as the shortcut a desktop canvas reports.
func ParseShortcut(s string) (*desktop.CustomShortcut, error) {
	parts := strings.Split(s, "+")
	key := strings.ToUpper(parts[len(parts)-1])
	if len(key) != 1 || !(key[0] >= 'A' && key[0] <= 'Z' || key[0] >= '0' && key[0] <= '9') {
		return nil, fmt.Errorf("%w: %q needs a letter or digit last", ErrShortcut, s)
	}
	var mod fyne.KeyModifier
	for _, p := range parts[:len(parts)-1] {
		var m fyne.KeyModifier
		switch strings.ToLower(p) {
		case "ctrl", "control":
			m = fyne.KeyModifierControl
		case "alt":
			m = fyne.KeyModifierAlt
		case "shift":
			m = fyne.KeyModifierShift
		case "super", "win", "cmd":
			m = fyne.KeyModifierSuper
		default:
			return nil, fmt.Errorf("%w: %q has an unknown modifier", ErrShortcut, s)
		}
		if mod&m != 0 {
			return nil, fmt.Errorf("%w: %q repeats a modifier", ErrShortcut, s)
		}
		mod |= m
	}
	// A desktop driver reports Shift+letter as typing, not a shortcut.
	if mod&^fyne.KeyModifierShift == 0 {
		return nil, fmt.Errorf("%w: %q needs Ctrl, Alt or Super", ErrShortcut, s)
	}
	return &desktop.CustomShortcut{KeyName: fyne.KeyName(key), Modifier: mod}, nil
}

// Lock keeps a kiosk-mode window on screen: the window's close request
// (Alt+F4, the taskbar) and kioskmode.ExitShortcut open the exit PIN
// dialog instead of closing it, and only the right PIN leaves. Nothing
// on the screens says how; the dialog is a touch keypad.
//
// The PIN is checked by Guard on a goroutine of its own (argon2id takes
// about 150 ms on a kiosk) and the answer comes back through Do. All
// methods run on the UI goroutine.
type Lock struct {
	// Guard checks PINs and counts failures; a Guard with no Hash
	// means no PIN is set and the dialog says so.
	Guard *kioskmode.Guard
	Lang  i18n.Lang
	// OnExit runs on the UI goroutine when the worker leaves kiosk
	// mode. It drops the resident's data (Shell.Drop) and quits.
	OnExit func()
	// Sound, when set, shows the worker panel (WorkerPanel) after the
	// right PIN: the spoken prompts' volume and mute, then leave or go
	// back. Without it the right PIN leaves at once.
	Sound *SoundControls
	// Do runs a function on the UI goroutine; nil means fyne.Do.
	Do func(func())
	// DialogIdle closes an untouched dialog; 0 means DefaultDialogIdle,
	// negative never.
	DialogIdle time.Duration
	// Log gets the outcome of each attempt (never the PIN); nil
	// discards.
	Log *slog.Logger

	win   fyne.Window
	pad   *PINPad
	panel *WorkerPanel
}

// Install intercepts win's close request and registers the exit
// shortcut on its canvas.
func (l *Lock) Install(win fyne.Window) error {
	sc, err := ParseShortcut(kioskmode.ExitShortcut)
	if err != nil {
		return err
	}
	l.win = win
	win.SetCloseIntercept(l.Open)
	win.Canvas().AddShortcut(sc, func(fyne.Shortcut) { l.Open() })
	return nil
}

// Open shows the exit dialog (or keeps the open one, or the worker
// panel).
func (l *Lock) Open() {
	if l.panel != nil {
		l.panel.touched()
		return
	}
	if l.pad != nil {
		l.pad.touched()
		return
	}
	l.pad = newPINPad(l)
	l.log().Info("Exit dialog opened")
}

// Dialog is the exit dialog on screen, or nil.
func (l *Lock) Dialog() *PINPad { return l.pad }

// Panel is the worker panel on screen, or nil.
func (l *Lock) Panel() *WorkerPanel { return l.panel }

// exit leaves kiosk mode.
func (l *Lock) exit() {
	l.log().Info("Kiosk mode left with the exit PIN")
	if l.OnExit != nil {
		l.OnExit()
	}
}

func (l *Lock) do(f func()) {
	if l.Do != nil {
		l.Do(f)
		return
	}
	fyne.Do(f)
}

func (l *Lock) log() *slog.Logger {
	if l.Log != nil {
		return l.Log
	}
	return slog.New(slog.DiscardHandler)
}

// PINPad is the exit dialog: a title, one dot per digit typed, a message
// line and a keypad (0–9, delete, OK) with a cancel button. It shows
// dots, never digits.
type PINPad struct {
	lockDialog
	dots     *canvas.Text
	message  *fyne.Container // the message, broken for the keypad's width
	msg      string
	sz       theme.Sizes
	width    float32
	keys     []*widget.Button
	pin      []byte
	checking bool
}

func newPINPad(l *Lock) *PINPad {
	lang := l.Lang
	sz := dialogSizes(l.win)
	p := &PINPad{lockDialog: lockDialog{lock: l}, sz: sz, message: container.NewStack()}
	p.dots = text(" ", sz.Heading, theme.Foreground, true)
	grid := container.NewGridWithColumns(3)
	key := func(label string, f func()) {
		b := widget.NewButton(label, func() {
			p.touched()
			f()
		})
		p.keys = append(p.keys, b)
		grid.Add(b)
	}
	for _, d := range "123456789" {
		key(string(d), func() { p.digit(byte(d)) })
	}
	key(i18n.T(lang, i18n.ExitDelete), p.backspace)
	key("0", func() { p.digit('0') })
	ok := widget.NewButton(i18n.T(lang, i18n.ExitOK), func() {
		p.touched()
		p.submit()
	})
	ok.Importance = widget.HighImportance
	p.keys = append(p.keys, ok)
	grid.Add(ok)
	cancel := workerButton(sz, i18n.T(lang, i18n.ExitCancel), false, p.Close)
	sp := padding(sz.Worker)
	pad := container.NewGridWrap(fyne.NewSize(3*sz.PINKey.Width+2*sp, 4*sz.PINKey.Height+3*sp), grid)
	// The title and the message are broken for the keypad's width.
	p.width = pad.MinSize().Width
	p.say(i18n.T(lang, i18n.ExitPrompt))
	words := container.NewVBox(para(i18n.T(lang, i18n.ExitTitle), sz.Heading, theme.Foreground, true, p.width),
		p.dots, p.message)
	// Beside the keypad on a landscape screen, whose height is short;
	// above it on a portrait one.
	content := container.NewHBox(centred(words, container.NewCenter(cancel)), gap(2*sp), pad)
	if sz.Portrait {
		content = container.NewVBox(words, container.NewCenter(pad), container.NewCenter(cancel))
	}
	if l.Guard == nil || l.Guard.Hash == "" {
		p.say(i18n.T(lang, i18n.ExitNoPIN))
		p.enable(false)
	}
	p.open(sz, content)
	p.touched()
	return p
}

// Message is the dialog's message line.
func (p *PINPad) Message() string { return p.msg }

// Dots is what the dialog shows of the PIN typed so far.
func (p *PINPad) Dots() string { return p.dots.Text }

// Close closes the dialog without leaving kiosk mode; a check under way
// is ignored when it returns.
func (p *PINPad) Close() {
	if !p.shut() {
		return
	}
	p.clear()
	if p.lock.pad == p {
		p.lock.pad = nil
	}
}

// touched starts the idle wait again; a check under way keeps the
// dialog open past it.
func (p *PINPad) touched() { p.touch(func() bool { return p.checking }, p.Close) }

func (p *PINPad) digit(d byte) {
	if p.checking || len(p.pin) >= kioskmode.MaxPINLength {
		return
	}
	p.pin = append(p.pin, d)
	p.showDots()
}

func (p *PINPad) backspace() {
	if p.checking || len(p.pin) == 0 {
		return
	}
	p.pin[len(p.pin)-1] = 0
	p.pin = p.pin[:len(p.pin)-1]
	p.showDots()
}

func (p *PINPad) showDots() {
	p.dots.Text = strings.Repeat("●", len(p.pin))
	if p.dots.Text == "" {
		p.dots.Text = " "
	}
	p.dots.Refresh()
}

// clear zeroes the PIN typed so far.
func (p *PINPad) clear() {
	for i := range p.pin {
		p.pin[i] = 0
	}
	p.pin = p.pin[:0]
	p.showDots()
}

func (p *PINPad) say(s string) {
	p.msg = s
	p.message.Objects = []fyne.CanvasObject{para(s, p.sz.Worker, theme.Foreground, false, p.width)}
	p.message.Refresh()
	p.refresh()
}

func (p *PINPad) enable(on bool) {
	for _, k := range p.keys {
		if on {
			k.Enable()
		} else {
			k.Disable()
		}
	}
}

// submit checks the PIN off the UI goroutine.
func (p *PINPad) submit() {
	l, lang := p.lock, p.lock.Lang
	if p.checking {
		return
	}
	pin := string(p.pin)
	p.clear()
	if err := kioskmode.ValidPIN(pin); err != nil {
		// Not even a candidate: it cannot be the PIN, so it does not
		// count towards the lockout.
		p.say(i18n.T(lang, i18n.ExitShort))
		return
	}
	p.checking = true
	p.enable(false)
	p.say(i18n.T(lang, i18n.ExitChecking))
	g := l.Guard
	go func() {
		err := g.Check(pin)
		l.do(func() { p.result(err) })
	}()
}

func (p *PINPad) result(err error) {
	l, lang := p.lock, p.lock.Lang
	p.checking = false
	if p.closed {
		return
	}
	var locked *kioskmode.LockedError
	switch {
	case err == nil:
		p.Close()
		if l.Sound != nil {
			l.log().Info("Worker panel opened with the exit PIN")
			l.panel = newWorkerPanel(l)
			return
		}
		l.exit()
		return
	case errors.As(err, &locked):
		l.log().Warn("Exit dialog locked after wrong PINs", "until", locked.Until)
		p.say(i18n.ExitLockedText(lang, locked.Until))
	case errors.Is(err, kioskmode.ErrWrongPIN):
		l.log().Warn("Wrong exit PIN")
		p.say(i18n.ExitWrongText(lang, l.Guard.Remaining()))
	case errors.Is(err, kioskmode.ErrNoPIN):
		p.say(i18n.T(lang, i18n.ExitNoPIN))
		return
	default:
		l.log().Error("Exit PIN not checked", "err", err)
		p.say(i18n.T(lang, i18n.ExitBroken))
		return
	}
	p.enable(true)
}

// lockDialog is what the Lock's two dialogs (the exit keypad and the
// worker panel) share: their popup, closed once and for good, and the
// idle timer that closes them.
type lockDialog struct {
	lock   *Lock
	popup  *widget.PopUp
	closed bool
	idle   idleTimer
}

// open shows content in the dialog's modal popup over the Lock's window.
func (d *lockDialog) open(sz theme.Sizes, content fyne.CanvasObject) {
	d.popup = widget.NewModalPopUp(dialog(sz, content), d.lock.win.Canvas())
	d.popup.Show()
}

// refresh redraws the dialog once it is open.
func (d *lockDialog) refresh() {
	if d.popup != nil {
		d.popup.Refresh()
	}
}

// shut hides the dialog for good and stops its idle timer; it reports
// false when the dialog was already closed.
func (d *lockDialog) shut() bool {
	if d.closed {
		return false
	}
	d.closed = true
	d.idle.stop()
	d.popup.Hide()
	return true
}

// touch starts the idle wait again on an open dialog; when it runs out,
// closeIt runs unless busy says the dialog still waits on an answer.
func (d *lockDialog) touch(busy func() bool, closeIt func()) {
	if d.closed {
		return
	}
	d.idle.reset(d.lock, func() {
		if !busy() {
			closeIt()
		}
	})
}

// idleTimer closes a dialog of the Lock's left untouched for its
// DialogIdle.
type idleTimer struct {
	t *time.Timer
}

// reset starts the wait again; when it runs out, close runs on the UI
// goroutine.
func (i *idleTimer) reset(l *Lock, close func()) {
	d := l.DialogIdle
	if d == 0 {
		d = DefaultDialogIdle
	}
	if d < 0 {
		return
	}
	i.stop()
	i.t = time.AfterFunc(d, func() { l.do(close) })
}

func (i *idleTimer) stop() {
	if i.t != nil {
		i.t.Stop()
	}
}

package ui

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
)

// Parts are what a kiosk window runs on: both readers' events
// (wire.Cards) and the backends of the three modes.
type Parts struct {
	Events  <-chan flow.CardEvent
	Backend flow.Backend
	Printer flow.Printer
	Venue   flow.VenueBackend
	Counter flow.CounterBackend
	Where   string
	Mode    flow.Mode
	Lang    i18n.Lang
	// IdleTimeout of the self-service flow; 0 means its default.
	IdleTimeout time.Duration
	// CounterIdle logs the counter's worker out after this long
	// untouched; 0 means flow.DefaultCounterIdle.
	CounterIdle time.Duration
	// Say speaks a prompt of the self-service screen in the screens'
	// language; it must not block (devices/speaker's Play). Nil is silence.
	// Only the self-service screen speaks, and only while it is shown.
	Say func(l i18n.Lang, p flow.Prompt)
	Log *slog.Logger
	// Do runs a function on the UI goroutine; nil means fyne.Do. Tests
	// on Fyne's test driver, which runs fyne.Do on the caller's
	// goroutine, pass one that serialises with their own reads.
	Do func(func())
}

// Shell is a kiosk window with its three modes; one is on screen and
// receives the reader's events.
type Shell struct {
	Win     fyne.Window
	Self    *Self
	Venue   *Venue
	Counter *Counter
	Flows   struct {
		Self    *flow.SelfService
		Venue   *flow.Venue
		Counter *flow.Counter
	}
	Router *flow.Router

	mu   sync.Mutex
	mode flow.Mode
	lang i18n.Lang // for the speaker, read off the UI goroutine
	wg   sync.WaitGroup
}

// Start builds the screens in win, runs the flows and the router until
// ctx ends, and shows p.Mode. Call it on the UI goroutine; Wait returns
// when everything has stopped.
func Start(ctx context.Context, win fyne.Window, p Parts) *Shell {
	s := &Shell{Win: win, Router: &flow.Router{}}
	sf := &flow.SelfService{Backend: p.Backend, Printer: p.Printer, Where: p.Where, IdleTimeout: p.IdleTimeout, Log: p.Log}
	vf := &flow.Venue{Backend: p.Venue, Log: p.Log}
	cf := &flow.Counter{Backend: p.Counter, Printer: p.Printer, Log: p.Log, IdleLogout: p.CounterIdle}
	s.Flows.Self, s.Flows.Venue, s.Flows.Counter = sf, vf, cf
	s.Self = NewSelf(ControlsFor(sf), p.Lang)
	s.Venue = NewVenue(vf.Scan, p.Lang)
	s.Counter = NewCounter(ctx, cf, p.Lang)
	s.Self.OnLang, s.Counter.OnLang = s.SetLang, s.SetLang
	do := p.Do
	if do == nil {
		do = fyne.Do
	}
	sf.OnView = func(v flow.SelfView) { do(func() { s.Self.Show(v) }) }
	s.lang = p.Lang
	if p.Say != nil {
		sf.OnSay = func(pr flow.Prompt) {
			s.mu.Lock()
			m, l := s.mode, s.lang
			s.mu.Unlock()
			if m == flow.ModeSelf {
				p.Say(l, pr)
			}
		}
	}
	vf.OnView = func(v flow.VenueView) {
		do(func() {
			s.Venue.Show(v)
			s.focusVenue()
		})
	}
	cf.OnView = func(v flow.CounterView) { do(func() { s.Counter.Show(v) }) }

	selfCh, venueCh := make(chan flow.CardEvent), make(chan flow.CardEvent)
	s.Router.Handle(flow.ModeSelf, flow.Chan(selfCh))
	s.Router.Handle(flow.ModeVenue, flow.Chan(venueCh))
	s.Router.Handle(flow.ModeCounter, func(_ context.Context, e flow.CardEvent) { cf.Card(e) })
	s.wg.Go(func() { sf.Run(ctx, selfCh) })
	s.wg.Go(func() { vf.Run(ctx, venueCh) })
	if p.Events != nil {
		s.wg.Go(func() { s.Router.Run(ctx, p.Events) })
	}
	s.wg.Go(func() { idleCheck(ctx, cf) })
	s.SetMode(p.Mode)
	return s
}

// Wait waits for the flows to stop (after ctx ends), and for the work
// they started: a slip being printed finishes first (flow.Finishing).
func (s *Shell) Wait() {
	s.wg.Wait()
	s.Flows.Counter.Wait()
}

// Mode returns the mode on screen.
func (s *Shell) Mode() flow.Mode {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mode
}

// idleCheck asks the counter every few seconds whether its worker has
// been idle too long (flow.Counter.CheckIdle), until ctx ends.
func idleCheck(ctx context.Context, cf *flow.Counter) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			cf.CheckIdle()
		}
	}
}

// SetMode puts a mode on screen; on the UI goroutine. Leaving the
// counter logs its worker out: the screen now faces the public.
func (s *Shell) SetMode(m flow.Mode) {
	m = flow.ParseMode(string(m))
	s.mu.Lock()
	was := s.mode
	s.mode = m
	s.mu.Unlock()
	if was == flow.ModeCounter && m != flow.ModeCounter {
		s.Flows.Counter.Logout()
	}
	s.Router.SetActive(m)
	switch m {
	case flow.ModeVenue:
		s.Win.SetContent(s.Venue.Content())
		s.focusVenue()
	case flow.ModeCounter:
		s.Win.SetContent(s.Counter.Content())
	default:
		s.Win.SetContent(s.Self.Content())
	}
}

// SetLang switches every screen to l, whichever screen's language button
// was tapped: a worker who switches the counter to English finds the
// self-service and venue screens in English too. On the UI goroutine.
func (s *Shell) SetLang(l i18n.Lang) {
	s.mu.Lock()
	s.lang = l
	s.mu.Unlock()
	s.Self.SetLang(l)
	s.Venue.SetLang(l)
	s.Counter.SetLang(l)
	s.focusVenue()
}

// Lang returns the screens' language; on the UI goroutine.
func (s *Shell) Lang() i18n.Lang { return s.Self.Lang }

// focusVenue keeps the scanner's entry focused: a barcode scanner types
// into whatever has the focus.
func (s *Shell) focusVenue() {
	if s.Mode() == flow.ModeVenue {
		s.Win.Canvas().Focus(s.Venue.Focusable())
	}
}

// Drop forgets every resident the screens and the counter hold: the
// counter logs out and empties its inputs, the self-service and venue
// screens go back to their start views. Call it on the UI goroutine on
// the way out of kiosk mode; cancelling Start's context afterwards stops
// the flows, which wipe the card they hold (flow.SelfService's reset).
func (s *Shell) Drop() {
	s.Flows.Counter.Logout()
	s.Counter.clearInputs()
	s.Counter.Show(flow.CounterView{Step: flow.CounterLogin})
	s.Self.Show(flow.SelfView{Step: flow.StepStart, Bar: s.Self.View().Bar})
	s.Venue.Show(flow.VenueView{Step: flow.VenueReady, Bar: s.Venue.View().Bar})
}

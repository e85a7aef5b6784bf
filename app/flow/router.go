package flow

import (
	"context"
	"sync"

	"github.com/shcommunity/kiosk/devices/idcard"
)

// Mode is one of the kiosk's three modes.
type Mode string

// The modes.
const (
	ModeSelf    Mode = "self"
	ModeCounter Mode = "counter"
	ModeVenue   Mode = "venue"
)

// ParseMode reads a mode name; anything unknown is self-service, the
// mode a kiosk left alone must be in.
func ParseMode(s string) Mode {
	switch Mode(s) {
	case ModeCounter, ModeVenue:
		return Mode(s)
	}
	return ModeSelf
}

// Router hands both readers' events to the mode on screen. Reader
// connection events go to every mode (each has a status bar). When the
// mode changes with a card on a reader, the mode left behind is told the
// card went, so that it wipes the resident and goes back to its start.
type Router struct {
	mu      sync.Mutex
	active  Mode
	cardOn  map[CardSource]bool // the readers with a card in
	sinks   map[Mode]func(context.Context, CardEvent)
	pending []func(context.Context)
}

// Handle sets the sink of a mode. Call it before Run.
func (r *Router) Handle(m Mode, sink func(context.Context, CardEvent)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sinks == nil {
		r.sinks = make(map[Mode]func(context.Context, CardEvent))
	}
	r.sinks[m] = sink
}

// Chan returns a sink that sends into ch.
func Chan(ch chan<- CardEvent) func(context.Context, CardEvent) {
	return func(ctx context.Context, e CardEvent) {
		select {
		case ch <- e:
		case <-ctx.Done():
		}
	}
}

// Active returns the mode on screen.
func (r *Router) Active() Mode {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.active == "" {
		return ModeSelf
	}
	return r.active
}

// SetActive changes the mode; the events that follow go to it.
func (r *Router) SetActive(m Mode) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.active
	if old == "" {
		old = ModeSelf
	}
	r.active = m
	sink := r.sinks[old]
	if old == m || sink == nil {
		return
	}
	for _, src := range []CardSource{SourceIDCard, SourceSSC} {
		if r.cardOn[src] {
			r.pending = append(r.pending, func(ctx context.Context) { sink(ctx, CardEvent{Source: src, Kind: idcard.CardRemoved}) })
		}
	}
}

// Run forwards events until ctx ends or in is closed.
func (r *Router) Run(ctx context.Context, in <-chan CardEvent) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e, ok := <-in:
			if !ok {
				return nil
			}
			r.flush(ctx)
			r.route(ctx, e)
		}
	}
}

func (r *Router) flush(ctx context.Context) {
	r.mu.Lock()
	p := r.pending
	r.pending = nil
	r.mu.Unlock()
	for _, f := range p {
		f(ctx)
	}
}

func (r *Router) route(ctx context.Context, e CardEvent) {
	r.mu.Lock()
	switch e.Kind {
	case idcard.CardPlaced:
		if r.cardOn == nil {
			r.cardOn = make(map[CardSource]bool)
		}
		r.cardOn[e.Source] = true
	case idcard.CardRemoved, idcard.ReaderDisconnected:
		delete(r.cardOn, e.Source)
	}
	var sinks []func(context.Context, CardEvent)
	if e.Kind == idcard.ReaderConnected || e.Kind == idcard.ReaderDisconnected {
		for _, s := range r.sinks {
			sinks = append(sinks, s)
		}
	} else if s := r.sinks[r.activeLocked()]; s != nil {
		sinks = append(sinks, s)
	}
	r.mu.Unlock()
	for _, s := range sinks {
		s(ctx, e)
	}
}

func (r *Router) activeLocked() Mode {
	if r.active == "" {
		return ModeSelf
	}
	return r.active
}

package flow_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/devices/idcard"
)

func TestRouter(t *testing.T) {
	var mu sync.Mutex
	got := map[flow.Mode][]idcard.EventKind{}
	seen := make(chan struct{}, 8)
	r := &flow.Router{}
	for _, m := range []flow.Mode{flow.ModeSelf, flow.ModeVenue, flow.ModeCounter} {
		r.Handle(m, func(_ context.Context, e flow.CardEvent) {
			mu.Lock()
			defer mu.Unlock()
			got[m] = append(got[m], e.Kind)
			seen <- struct{}{}
		})
	}
	in := make(chan flow.CardEvent)
	done := make(chan error)
	go func() { done <- r.Run(context.Background(), in) }()
	send := func(k idcard.EventKind, deliveries int) {
		in <- flow.CardEvent{Source: flow.SourceIDCard, Kind: k}
		for range deliveries {
			<-seen
		}
	}
	send(idcard.ReaderConnected, 3)
	send(idcard.CardPlaced, 1)
	r.SetActive(flow.ModeVenue)
	send(idcard.CardRemoved, 2) // the synthetic removal for self, then venue
	send(idcard.CardPlaced, 1)
	close(in)
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil when the events end", err)
	}
	want := map[flow.Mode][]idcard.EventKind{
		flow.ModeSelf:    {idcard.ReaderConnected, idcard.CardPlaced, idcard.CardRemoved},
		flow.ModeVenue:   {idcard.ReaderConnected, idcard.CardRemoved, idcard.CardPlaced},
		flow.ModeCounter: {idcard.ReaderConnected},
	}
	for m, w := range want {
		if !slices.Equal(got[m], w) {
			t.Errorf("%s got %v, want %v", m, got[m], w)
		}
	}
	if r.Active() != flow.ModeVenue {
		t.Errorf("active = %q, want venue", r.Active())
	}
	for s, want := range map[string]flow.Mode{"counter": flow.ModeCounter, "venue": flow.ModeVenue, "": flow.ModeSelf, "x": flow.ModeSelf} {
		if got := flow.ParseMode(s); got != want {
			t.Errorf("ParseMode(%q) = %q, want %q", s, got, want)
		}
	}
}

package flow_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/healthcode"
)

type fakeVenue struct {
	mu    sync.Mutex
	check flow.CodeCheck
	err   error
	texts []string
	// answer, when set, answers both checks in place of check.
	answer func() flow.CodeCheck
	cards  int // CardStatus calls
}

func (f *fakeVenue) now() flow.CodeCheck {
	if f.answer != nil {
		return f.answer()
	}
	return f.check
}

func (f *fakeVenue) CardStatus(ctx context.Context, r flow.Resident) (flow.CodeCheck, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cards++
	c := f.now()
	c.MaskedName = r.Name.Masked()
	return c, f.err
}

func (f *fakeVenue) CheckCode(ctx context.Context, text string) (flow.CodeCheck, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.texts = append(f.texts, text)
	return f.now(), f.err
}

// runVenue runs v on a channel of card events until stop, which returns
// what Run returned.
func runVenue(v *flow.Venue) (events chan flow.CardEvent, stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	events = make(chan flow.CardEvent)
	done := make(chan error)
	go func() { done <- v.Run(ctx, events) }()
	return events, func() error { cancel(); return <-done }
}

func TestVenue(t *testing.T) {
	live := flow.CodeCheck{Status: healthcode.Status{Source: healthcode.SourceLive, Colour: healthcode.Yellow, AsOf: asOf}, MaskedName: "李*英"}
	cannot := flow.CodeCheck{Status: healthcode.Status{Source: healthcode.SourceUnknown}, Explanation: "无法确认当前颜色"}
	refused := fmt.Errorf("verify: %w", flow.ErrTokenRefused)
	for _, tc := range []struct {
		name       string
		scan       bool
		cardErr    error
		check      flow.CodeCheck
		err        error
		want       flow.VenueStep
		wantColour healthcode.Colour
		problem    flow.Problem
	}{
		{name: "card live", check: live, want: flow.VenueResult, wantColour: healthcode.Yellow},
		{name: "scan live", scan: true, check: live, want: flow.VenueResult, wantColour: healthcode.Yellow},
		{name: "scan offline stale", scan: true, check: cannot, want: flow.VenueResult},
		{name: "scan revoked", scan: true, err: refused, want: flow.VenueRefused},
		{name: "card expired", cardErr: &idcard.CardError{Field: "validity", Err: idcard.ErrCardExpired}, want: flow.VenueRefused, problem: flow.ProblemCardExpired},
		{name: "service down", err: flow.ErrServiceUnavailable, want: flow.VenueRefused, problem: flow.ProblemServiceDown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := &fakeVenue{check: tc.check, err: tc.err}
				v := &flow.Venue{Backend: b, Hold: 5 * time.Second}
				events, stop := runVenue(v)
				defer stop()
				c := card("李秀英", yellowID)
				if tc.scan {
					v.Scan(" HC1:TEXT\n")
				} else {
					events <- flow.IDCardEvent(idcard.Event{Kind: idcard.CardPlaced, Card: c, Err: tc.cardErr})
				}
				synctest.Wait()
				got := v.View()
				if got.Step != tc.want || got.Check.Status.HasColour() != (tc.wantColour != "") ||
					got.Check.Status.Colour != tc.wantColour && tc.wantColour != "" || got.Problem != tc.problem {
					t.Errorf("view = %+v, want step %q colour %q problem %q", got, tc.want, tc.wantColour, tc.problem)
				}
				if tc.scan && (len(b.texts) != 1 || b.texts[0] != "HC1:TEXT") {
					t.Errorf("scanned %q, want [HC1:TEXT]", b.texts)
				}
				if !tc.scan && c.Number != "" {
					t.Error("card not wiped after the look-up")
				}
				if !tc.scan {
					events <- flow.IDCardEvent(idcard.Event{Kind: idcard.CardRemoved})
				}
				time.Sleep(6 * time.Second)
				synctest.Wait()
				if got := v.View(); got.Step != flow.VenueReady || got.Check != (flow.CodeCheck{}) {
					t.Errorf("after hold: %+v, want ready and empty", got)
				}
			})
		})
	}
}

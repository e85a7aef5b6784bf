package flow_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/ssc"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/pii"
)

// sscCard returns a social-security card of the sample resident: its
// social-security number is her citizen number.
func sscCard(name, number string) *ssc.Card {
	id := pii.IDNumber(number)
	birth, _ := id.BirthDate()
	return &ssc.Card{CardNumber: "D00000002", Number: id, Name: pii.Name(name), Gender: idcard.GenderFemale,
		Nation: "01", Birth: birth, ValidTo: time.Date(2028, 5, 15, 0, 0, 0, 0, time.UTC)}
}

func (h *harness) insertSSC(c *ssc.Card, err error) {
	h.sendCard(flow.SSCEvent(ssc.Event{Kind: ssc.CardPlaced, Card: c, Err: err}))
}

// TestSelfServiceSSC: a resident who carries only her social-security
// card gets her paper code as with her ID card: the same look-up by her
// number, the card named on screen, told to take that card back, and
// nothing about her left once she has gone.
func TestSelfServiceSSC(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startHarness(t)
		h.sendCard(flow.SSCEvent(ssc.Event{Kind: ssc.ReaderConnected}))
		if v := h.s.View(); v.Bar.Contact != flow.ContactReady || !v.Bar.ReaderConnected {
			t.Fatalf("status bar = %+v, want both readers connected", v.Bar)
		}
		c := sscCard("李秀英", yellowID)
		h.insertSSC(c, nil)
		v := h.s.View()
		if v.Step != flow.StepDone || v.Source != flow.SourceSSC {
			t.Fatalf("step %q source %q problem %q, want done from the social-security card", v.Step, v.Source, v.Problem)
		}
		if v.Ticket.Status.Colour != healthcode.Yellow || v.MaskedName != "李*英" || v.MaskedID != "3*************002X" {
			t.Errorf("shown %s %s %q", v.MaskedName, v.MaskedID, v.Ticket.Status.Colour)
		}
		said := h.saidSoFar()
		if !slices.Contains(said, flow.PromptPlaceEither) || !slices.Contains(said, flow.PromptTakeSlipSSC) ||
			slices.Contains(said, flow.PromptTakeSlip) {
			t.Errorf("said %v, want place_either and take_slip_ssc (not take_slip)", said)
		}

		// The ID card reader's card going does not end her visit: hers is
		// in the other reader.
		h.remove()
		if v := h.s.View(); !v.CardOn {
			t.Error("an ID card removal took the social-security card off the screen")
		}
		h.sendCard(flow.SSCEvent(ssc.Event{Kind: ssc.CardRemoved}))
		if v := h.after(h.s.IdleTimeout + time.Second); v.Step != flow.StepStart || v.HasResident() || v.Source != "" {
			t.Errorf("after she left: %+v", v)
		}
		if c.Number != "" || c.Name != "" {
			t.Error("the card was not wiped")
		}
	})
}

// TestSelfServiceSSCProblems: each failure particular to the
// social-security card has its own words and remedy (i18n.ProblemText).
func TestSelfServiceSSCProblems(t *testing.T) {
	expired := sscCard("陈志明", "310105194702110019")
	for _, tc := range []struct {
		name string
		card *ssc.Card
		err  error
		want flow.Problem
	}{
		{"locked", nil, &ssc.StatusError{Cmd: "READ RECORD", SW: ssc.SWBlocked}, flow.ProblemSSCLocked},
		{"bank card", nil, fmt.Errorf("select: %w", ssc.ErrNotSSC), flow.ProblemNotSSC},
		{"expired", expired, &ssc.CardError{Card: expired, Field: "validity", Err: ssc.ErrCardExpired}, flow.ProblemSSCExpired},
		{"inconsistent", nil, &ssc.CardError{Field: "birth", Err: ssc.ErrInvalidCard}, flow.ProblemCardInvalid},
		{"pulled out", nil, fmt.Errorf("read: %w", ssc.ErrCardRemoved), flow.ProblemSSCUnreadable},
		{"record missing", nil, &ssc.StatusError{Cmd: "READ RECORD", SW: ssc.SWRecordNotFound}, flow.ProblemSSCUnreadable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := startHarness(t)
				h.insertSSC(tc.card, tc.err)
				h.wantProblem(t, tc.want)
				if !slices.Contains(h.saidSoFar(), flow.ProblemPrompt(tc.want)) {
					t.Errorf("said %v, want %q", h.saidSoFar(), flow.ProblemPrompt(tc.want))
				}
			})
		})
	}
}

// TestContactReaderStates: the status bar follows the contact reader
// apart from the ID card reader, and names a PC/SC service that is not
// running.
func TestContactReaderStates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startHarness(t)
		if v := h.s.View(); v.Bar.Contact != flow.ContactNone {
			t.Errorf("before any contact reader event: %q, want none", v.Bar.Contact)
		}
		for _, tc := range []struct {
			e    ssc.Event
			want flow.ContactState
		}{
			{ssc.Event{Kind: ssc.ReaderDisconnected, Err: fmt.Errorf("list readers: %w", ssc.ErrNoService)}, flow.ContactNoService},
			{ssc.Event{Kind: ssc.ReaderConnected}, flow.ContactReady},
			{ssc.Event{Kind: ssc.ReaderDisconnected, Err: ssc.ErrReaderGone}, flow.ContactNoReader},
		} {
			h.sendCard(flow.SSCEvent(tc.e))
			if v := h.s.View(); v.Bar.Contact != tc.want || !v.Bar.ReaderConnected {
				t.Errorf("after %v: contact %q, ID reader connected %v; want %q and true", tc.e.Kind, v.Bar.Contact, v.Bar.ReaderConnected, tc.want)
			}
		}
	})
}

// TestVenueSSC: at the venue a social-security card is looked up by the
// number on it; a locked one is refused with its own problem.
func TestVenueSSC(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := &recordingVenue{fakeVenue: fakeVenue{check: flow.CodeCheck{Status: healthcode.Status{
			Source: healthcode.SourceLive, Colour: healthcode.Yellow, AsOf: asOf}}}}
		v := &flow.Venue{Backend: b, Hold: time.Second, Poll: time.Minute}
		events, stop := runVenue(v)
		c := sscCard("李秀英", yellowID)
		events <- flow.SSCEvent(ssc.Event{Kind: ssc.CardPlaced, Card: c})
		synctest.Wait()
		got := v.View()
		if got.Step != flow.VenueResult || got.Source != flow.SourceSSC || got.Check.Status.Colour != healthcode.Yellow {
			t.Errorf("view %+v, want a yellow result from the social-security card", got)
		}
		if !slices.Equal(b.numbers, []string{yellowID}) {
			t.Errorf("looked up %d residents, want her number once", len(b.numbers))
		}
		if c.Number != "" {
			t.Error("the venue kept the card")
		}
		events <- flow.SSCEvent(ssc.Event{Kind: ssc.CardRemoved})
		events <- flow.SSCEvent(ssc.Event{Kind: ssc.CardPlaced, Err: &ssc.StatusError{Cmd: "READ RECORD", SW: ssc.SWBlocked}})
		synctest.Wait()
		if got := v.View(); got.Step != flow.VenueRefused || got.Problem != flow.ProblemSSCLocked {
			t.Errorf("locked card: step %q problem %q", got.Step, got.Problem)
		}
		if err := stop(); !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v", err)
		}
	})
}

type recordingVenue struct {
	fakeVenue
	numbers []string
}

func (r *recordingVenue) CardStatus(ctx context.Context, res flow.Resident) (flow.CodeCheck, error) {
	r.numbers = append(r.numbers, res.Number.Reveal())
	return r.fakeVenue.CardStatus(ctx, res)
}

// TestCounterSSC: a worker reads a resident's social-security card; she
// becomes the resident, her card named on the counter screen.
func TestCounterSSC(t *testing.T) {
	c := &flow.Counter{Backend: &fakeCounter{}, Printer: &fakePrinter{}, Now: func() time.Time { return asOf }}
	c.Login(context.Background(), "demo", "demo1234")
	waitCounter(t, c, func(v flow.CounterView) bool { return v.Step == flow.CounterReady })
	c.Card(flow.SSCEvent(ssc.Event{Kind: ssc.CardPlaced, Card: sscCard("李秀英", yellowID)}))
	v := c.View()
	if v.Step != flow.CounterResident || v.Source != flow.SourceSSC || v.MaskedID != "3*************002X" {
		t.Errorf("view step %q source %q id %q", v.Step, v.Source, v.MaskedID)
	}
	c.Card(flow.SSCEvent(ssc.Event{Kind: ssc.CardPlaced, Err: fmt.Errorf("select: %w", ssc.ErrNotSSC)}))
	if v := c.View(); v.Problem != flow.ProblemNotSSC || v.MaskedID != "3*************002X" {
		t.Errorf("a bank card: problem %q, resident %q", v.Problem, v.MaskedID)
	}
}

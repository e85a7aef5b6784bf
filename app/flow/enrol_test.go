package flow_test

import (
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/healthcode"
)

// newcomerID is a resident the fake service does not know.
const newcomerID = "310101195002140026"

func newcomer() *idcard.Card { return card("王淑芬", newcomerID) }

// typePhone types the digits of s on the keypad.
func (h *harness) typePhone(s string) {
	for i := 0; i < len(s); i++ {
		h.do(func() { h.s.Key(s[i]) })
	}
}

func TestSelfEnrolmentOnline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startHarness(t)
		start := time.Now()
		h.place(newcomer(), nil)
		v := h.s.View()
		if v.Step != flow.StepConsent || v.Offline {
			t.Fatalf("step = %q (offline %v), want the consent screen online", v.Step, v.Offline)
		}
		if v.MaskedName != "王*芬" {
			t.Errorf("masked name on the consent screen = %q", v.MaskedName)
		}
		if v := h.do(h.s.Agree); v.Step != flow.StepPhone {
			t.Fatalf("after 同意: step = %q, want the phone keypad", v.Step)
		}
		h.typePhone("1381234567")
		if v := h.do(h.s.ConfirmPhone); v.Step != flow.StepPhone || !v.PhoneRefused || v.Phone != "1381234567" {
			t.Fatalf("10 digits: step %q refused %v phone %q; want refused, digits kept", v.Step, v.PhoneRefused, v.Phone)
		}
		h.typePhone("8")
		if v := h.s.View(); v.PhoneRefused {
			t.Error("the refusal stays after a new digit")
		}
		v = h.do(h.s.ConfirmPhone)
		if v.Step != flow.StepDone || v.Ticket.Kind != flow.TicketCode || !v.Enrolled {
			t.Fatalf("step %q ticket %q enrolled %v; want done with a new code", v.Step, v.Ticket.Kind, v.Enrolled)
		}
		if v.Phone != "" {
			t.Errorf("the phone number stays on screen after enrolment: %q", v.Phone)
		}
		if d := time.Since(start); d > 0 {
			t.Logf("fake time passed: %v", d)
		}
		en := h.b.enrolments()
		if len(en) != 1 || en[0].Phone != "13812345678" || en[0].ConsentVersion != flow.ConsentVersion ||
			en[0].Resident.Number.Reveal() != newcomerID {
			t.Fatalf("enrolments = %+v, want one with the phone and the consent version", en)
		}
		if printed, _ := h.b.counts(); printed != 1 {
			t.Errorf("prints recorded = %d, want 1", printed)
		}
		want := []flow.Step{flow.StepStart, flow.StepChecking, flow.StepConsent, flow.StepPhone,
			flow.StepEnrolling, flow.StepPrinting, flow.StepDone}
		if got := h.stepsSeen(); !slices.Equal(got, want) {
			t.Errorf("steps = %v, want %v", got, want)
		}
		wantSaid := []flow.Prompt{flow.PromptPlaceCard, flow.PromptChecking, flow.PromptConsent, flow.PromptPhone,
			flow.PromptPhoneInvalid, flow.PromptChecking, flow.PromptReadyToPrint, flow.PromptTakeSlip}
		if got := h.saidSoFar(); !slices.Equal(got, wantSaid) {
			t.Errorf("said %v, want %v", got, wantSaid)
		}
	})
}

func TestSelfEnrolmentOffline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.b.link = flow.Link{Online: false}
		h.b.set(newcomerID, flow.Ticket{}, flow.ErrNotKnownHere)
		pending := flow.Ticket{Kind: flow.TicketPending, Receipt: "K3QF-7XBA", Status: healthcode.Status{Source: healthcode.SourcePending}}
		h.b.enrolTicket = &pending
		h.start()
		defer h.stop()
		h.place(newcomer(), nil)
		if v := h.s.View(); v.Step != flow.StepConsent || !v.Offline {
			t.Fatalf("step %q offline %v, want the offline consent screen", v.Step, v.Offline)
		}
		h.do(h.s.Agree)
		v := h.do(h.s.SkipPhone)
		if v.Step != flow.StepDone || v.Ticket.Kind != flow.TicketPending || v.Ticket.Receipt != "K3QF-7XBA" {
			t.Fatalf("step %q ticket %+v, want a pending receipt", v.Step, v.Ticket)
		}
		if en := h.b.enrolments(); len(en) != 1 || en[0].Phone != "" {
			t.Fatalf("enrolments = %+v, want one without a phone", en)
		}
		if said := h.saidSoFar(); said[len(said)-1] != flow.PromptEnrolledOffline {
			t.Errorf("last said %q, want %q", said[len(said)-1], flow.PromptEnrolledOffline)
		}
	})
}

func TestSelfEnrolmentDeclined(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startHarness(t)
		h.place(newcomer(), nil)
		v := h.do(h.s.Decline)
		if v.Step != flow.StepDeclined || v.HasResident() {
			t.Fatalf("step %q, resident on screen %v (%q); want declined with nothing about her", v.Step, v.HasResident(), v.MaskedName)
		}
		h.do(h.s.Agree) // too late: nothing to agree to
		h.do(h.s.SkipPhone)
		if n := len(h.b.enrolments()); n != 0 {
			t.Fatalf("%d enrolments after 不同意, want none", n)
		}
		if said := h.saidSoFar(); said[len(said)-1] != flow.PromptDeclined {
			t.Errorf("last said %q, want %q", said[len(said)-1], flow.PromptDeclined)
		}
		h.remove()
		if v := h.after(25 * time.Second); v.Step != flow.StepStart {
			t.Errorf("after the idle timeout: step %q, want start", v.Step)
		}
	})
}

// TestConsentTouchedTwice: a double touch on each button makes one
// enrolment and one slip.
func TestConsentTouchedTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startHarness(t)
		h.place(newcomer(), nil)
		h.s.Agree()
		h.s.Agree()
		synctest.Wait()
		h.typePhone("13912345678")
		h.s.ConfirmPhone()
		h.s.ConfirmPhone()
		h.s.SkipPhone()
		synctest.Wait()
		if n := len(h.b.enrolments()); n != 1 {
			t.Fatalf("%d enrolments, want 1", n)
		}
		if printed, _ := h.b.counts(); printed != 1 {
			t.Errorf("%d slips recorded, want 1", printed)
		}
		if v := h.s.View(); v.Step != flow.StepDone {
			t.Errorf("step %q, want done", v.Step)
		}
	})
}

// TestCardLiftedDuringEnrolment: the enrolment is abandoned and nothing
// about the resident stays on screen or in the view.
func TestCardLiftedDuringEnrolment(t *testing.T) {
	for _, at := range []flow.Step{flow.StepConsent, flow.StepPhone} {
		t.Run(string(at), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := startHarness(t)
				h.place(newcomer(), nil)
				if at == flow.StepPhone {
					h.do(h.s.Agree)
					h.typePhone("139")
				}
				h.remove()
				v := h.s.View()
				if v.Step != flow.StepStart || v.Notice != flow.NoticeCancelled || v.HasResident() || v.Phone != "" {
					t.Fatalf("view after the card was lifted = %+v; want the start screen, cancelled, nothing about her", v)
				}
				h.do(h.s.Agree)
				h.do(h.s.SkipPhone)
				if n := len(h.b.enrolments()); n != 0 {
					t.Fatalf("%d enrolments after the card was lifted, want none", n)
				}
				if said := h.saidSoFar(); said[len(said)-1] != flow.PromptCancelled {
					t.Errorf("last said %q, want %q", said[len(said)-1], flow.PromptCancelled)
				}
			})
		})
	}
}

func TestKeypadRefusesWhatIsNotAMobile(t *testing.T) {
	for _, tc := range []struct {
		name, typed string
		refused     bool
	}{
		{"10 digits", "1381234567", true},
		{"landline", "02112345678", true},
		{"second digit 2", "12812345678", true},
		{"letters are not keys", "138a1234b5678", false},
		{"mobile", "15912345678", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := startHarness(t)
				h.place(newcomer(), nil)
				h.do(h.s.Agree)
				h.typePhone(tc.typed)
				v := h.do(h.s.ConfirmPhone)
				if tc.refused {
					if v.Step != flow.StepPhone || !v.PhoneRefused || len(h.b.enrolments()) != 0 {
						t.Fatalf("typed %q: step %q refused %v enrolments %d; want refused, nothing sent",
							tc.typed, v.Step, v.PhoneRefused, len(h.b.enrolments()))
					}
					return
				}
				en := h.b.enrolments()
				if len(en) != 1 || strings.ContainsAny(en[0].Phone, "ab") || !flow.ValidMobile(en[0].Phone) {
					t.Fatalf("typed %q: enrolments %+v, want one with a valid mobile", tc.typed, en)
				}
			})
		})
	}
}

func TestValidMobile(t *testing.T) {
	for s, want := range map[string]bool{
		"13812345678": true, "19912345678": true, "15000000000": true,
		"12812345678": false, "1381234567": false, "138123456789": false, "02112345678": false,
		"+8613812345678": false, "138 1234 5678": false, "1381234567x": false, "": false,
	} {
		if got := flow.ValidMobile(s); got != want {
			t.Errorf("ValidMobile(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestPaperOutAfterEnrolment: the code is issued once; the slip prints by
// itself when the paper is back, and nothing is enrolled twice.
func TestPaperOutAfterEnrolment(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.p.err = escpos.ErrPaperOut
		h.start()
		defer h.stop()
		h.place(newcomer(), nil)
		h.do(h.s.Agree)
		if v := h.do(h.s.SkipPhone); v.Step != flow.StepError || v.Problem != flow.ProblemPaperOut {
			t.Fatalf("step %q problem %q, want paper out", v.Step, v.Problem)
		}
		h.p.fail(nil) // staff load paper; the status bar's next poll sees the printer ready
		v := h.after(time.Minute)
		if v.Step != flow.StepDone || v.Ticket.Kind != flow.TicketCode {
			t.Fatalf("after the paper is back: step %q ticket %q, want done with the code", v.Step, v.Ticket.Kind)
		}
		if n := len(h.b.enrolments()); n != 1 {
			t.Errorf("%d enrolments, want 1", n)
		}
		if printed, _ := h.b.counts(); printed != 1 || len(h.p.printed) != 1 {
			t.Errorf("recorded %d prints, printer printed %d, want 1 and 1", printed, len(h.p.printed))
		}
	})
}

// TestColourSpokenOnlyOnRequest: no screen says a colour by itself; 读给我听
// says it, 再听一遍 repeats it.
func TestColourSpokenOnlyOnRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startHarness(t)
		h.do(h.s.ReadAloud) // nothing on screen to read
		h.place(card("李秀英", yellowID), nil)
		for _, p := range h.saidSoFar() {
			if p.Private() {
				t.Fatalf("%q was said without being asked", p)
			}
		}
		h.do(h.s.ReadAloud)
		h.do(h.s.Repeat)
		said := h.saidSoFar()
		if got := said[len(said)-2:]; !slices.Equal(got, []flow.Prompt{flow.PromptColourYellow, flow.PromptColourYellow}) {
			t.Errorf("after 读给我听 and 再听一遍: said %v", got)
		}
	})
}

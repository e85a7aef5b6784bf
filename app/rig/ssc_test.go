package rig_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/rig"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
	"github.com/shcommunity/kiosk/devices/ssc"
	"github.com/shcommunity/kiosk/devices/ssc/pcsclab"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/pii"
)

// The social-security card tests read the virtual card through the real
// PC/SC stack (ssc → scard → a private pcscd → vpcd → sscsim), started
// once for this test binary. KIOSK_SKIP_PCSC=1 skips them on a machine
// that cannot run pcscd.
var (
	lab    *pcsclab.Lab
	labErr error
)

func TestMain(m *testing.M) { os.Exit(pcsclab.RunTests(m, &lab, &labErr)) }

// twoModes is a rig with the self-service and venue flows behind a
// Router, as the kiosk's shell runs them, on both readers.
type twoModes struct {
	*rig.Rig
	router flow.Router
	self   *flow.SelfService
	venue  *flow.Venue
	selfV  chan flow.SelfView
	venueV chan flow.VenueView
	slips  chan escpossim.Slip
}

// startTwoModes starts the rig with its contact reader and the two
// flows, and returns once the self-service screen shows both readers up.
func startTwoModes(t *testing.T) *twoModes {
	t.Helper()
	l := pcsclab.Need(t, lab, labErr)
	k := &twoModes{selfV: make(chan flow.SelfView, 256), venueV: make(chan flow.VenueView, 256), slips: make(chan escpossim.Slip, 16)}
	ctx, cancel := context.WithCancel(context.Background())
	r, err := rig.Start(ctx, rig.Options{SSC: true, Lab: l, PollInterval: 30 * time.Millisecond, Patience: 30 * time.Second,
		OnSlip: func(s escpossim.Slip) { offer(k.slips, s) }})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	k.Rig = r
	if r.SSCWatcher == nil {
		cancel()
		r.Close()
		t.Fatalf("the rig has no contact reader: %v", r.SSCErr)
	}
	k.self = &flow.SelfService{Backend: r.Backend, Printer: r.Slips, Where: "ssc", IdleTimeout: 30 * time.Millisecond,
		Poll: time.Second, OnView: func(v flow.SelfView) { offer(k.selfV, v) }}
	k.venue = &flow.Venue{Backend: r.Backend, Hold: 30 * time.Millisecond, Poll: time.Second,
		OnView: func(v flow.VenueView) { offer(k.venueV, v) }}
	selfCh, venueCh := make(chan flow.CardEvent), make(chan flow.CardEvent)
	k.router.Handle(flow.ModeSelf, flow.Chan(selfCh))
	k.router.Handle(flow.ModeVenue, flow.Chan(venueCh))
	var done sync.WaitGroup
	cards := r.Cards(ctx)
	done.Go(func() { k.router.Run(ctx, cards) })
	done.Go(func() { k.self.Run(ctx, selfCh) })
	done.Go(func() { k.venue.Run(ctx, venueCh) })
	t.Cleanup(func() {
		cancel()
		done.Wait()
		if err := r.Close(); err != nil {
			t.Errorf("close rig: %v", err)
		}
	})
	k.selfUntil(t, func(v flow.SelfView) bool { return v.Bar.Contact == flow.ContactReady && v.Bar.ReaderConnected })
	return k
}

func offer[V any](ch chan V, v V) {
	select {
	case ch <- v:
	default:
	}
}

func (k *twoModes) selfUntil(t *testing.T, ok func(flow.SelfView) bool) flow.SelfView {
	t.Helper()
	return waitView(t, k.self.View, k.selfV, ok)
}

func (k *twoModes) venueUntil(t *testing.T, ok func(flow.VenueView) bool) flow.VenueView {
	t.Helper()
	return waitView(t, k.venue.View, k.venueV, ok)
}

func (k *twoModes) insert(t *testing.T, label string) {
	t.Helper()
	if err := k.SSC.Insert(label); err != nil {
		t.Fatal(err)
	}
}

// remove takes the card out and waits for the self-service start screen.
func (k *twoModes) removeAtSelf(t *testing.T) {
	t.Helper()
	k.SSC.Remove()
	k.selfUntil(t, func(v flow.SelfView) bool { return v.Step == flow.StepStart && !v.CardOn })
}

// nextSlip waits for the simulated printer's next slip: the flow may
// show its last screen before the printer has received the cut.
func (k *twoModes) nextSlip(t *testing.T) escpossim.Slip {
	t.Helper()
	select {
	case s := <-k.slips:
		return s
	case <-time.After(30 * time.Second):
		t.Fatal("nothing printed")
	}
	return escpossim.Slip{}
}

// TestSSCResident: 李秀英 carries only her social-security card. At the
// self-service kiosk it gets her paper code, the same resident and
// colour the service holds under her ID number, and the slip says which
// card she used; at the venue the card and the printed code both check.
// A locked card, a bank card and a newcomer's card go as the screens say.
func TestSSCResident(t *testing.T) {
	k := startTwoModes(t)
	ctx := context.Background()

	k.insert(t, "ssc-yellow")
	v := k.selfUntil(t, settled)
	if v.Step != flow.StepDone || v.Source != flow.SourceSSC || v.Ticket.Kind != flow.TicketCode || v.Ticket.Source != flow.SourceSSC {
		t.Fatalf("step %q problem %q source %q ticket %q, want a new code from the social-security card", v.Step, v.Problem, v.Source, v.Ticket.Kind)
	}
	want, err := k.Service.StatusFor(ctx, pii.IDNumber("31010419550922002X"))
	if err != nil {
		t.Fatal(err)
	}
	if !want.Known || v.Ticket.Status.Colour != want.Status.Colour || v.Ticket.Status.Colour != healthcode.Yellow {
		t.Errorf("colour %q, the service holds %q for her ID number (known %v)", v.Ticket.Status.Colour, want.Status.Colour, want.Known)
	}
	s := k.nextSlip(t)
	qr := decodeQR(t, s.Image)
	if qr != v.Ticket.QR {
		t.Errorf("QR on paper %q, want the issued token", qr)
	}
	text, err := simplifiedchinese.GBK.NewDecoder().String(string(s.Raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"读卡：社保卡", "李*英", "3*************002X"} {
		if !strings.Contains(text, w) {
			t.Errorf("%q not on the slip", w)
		}
	}
	k.removeAtSelf(t)

	k.router.SetActive(flow.ModeVenue)
	k.insert(t, "ssc-yellow")
	vv := k.venueUntil(t, func(v flow.VenueView) bool { return v.Step == flow.VenueResult || v.Step == flow.VenueRefused })
	if vv.Step != flow.VenueResult || vv.Source != flow.SourceSSC || vv.Check.Status.Colour != healthcode.Yellow ||
		vv.Check.Status.Source != healthcode.SourceLive {
		t.Errorf("venue on her card: %+v, want a live yellow from the social-security card", vv)
	}
	k.SSC.Remove()
	k.venueUntil(t, func(v flow.VenueView) bool { return v.Step == flow.VenueReady })
	k.venue.Scan(qr)
	vv = k.venueUntil(t, func(v flow.VenueView) bool { return v.Step == flow.VenueResult || v.Step == flow.VenueRefused })
	if vv.Step != flow.VenueResult || vv.Check.Status.Colour != healthcode.Yellow {
		t.Errorf("venue on her paper code: %+v", vv)
	}
	k.venueUntil(t, func(v flow.VenueView) bool { return v.Step == flow.VenueReady })
	k.insert(t, "ssc-locked")
	vv = k.venueUntil(t, func(v flow.VenueView) bool { return v.Step == flow.VenueRefused })
	if vv.Problem != flow.ProblemSSCLocked {
		t.Errorf("locked card at the venue: problem %q", vv.Problem)
	}
	k.SSC.Remove()

	k.router.SetActive(flow.ModeSelf)
	k.insert(t, "bank-card")
	if v := k.selfUntil(t, settled); v.Step != flow.StepError || v.Problem != flow.ProblemNotSSC {
		t.Errorf("bank card: step %q problem %q", v.Step, v.Problem)
	}
	k.removeAtSelf(t)

	// 王芳 has no ID card in the deck and is unknown to the service: her
	// social-security card enrols her, under her ID number.
	k.insert(t, "ssc-only")
	k.selfUntil(t, func(v flow.SelfView) bool { return v.Step == flow.StepConsent })
	k.self.Agree()
	k.selfUntil(t, func(v flow.SelfView) bool { return v.Step == flow.StepPhone })
	k.self.SkipPhone()
	if v := k.selfUntil(t, settled); v.Step != flow.StepDone || v.Ticket.Kind != flow.TicketCode || v.Source != flow.SourceSSC {
		t.Errorf("newcomer: step %q problem %q ticket %q", v.Step, v.Problem, v.Ticket.Kind)
	}
	if st, err := k.Service.StatusFor(ctx, pii.IDNumber("310104195208060042")); err != nil || !st.Known {
		t.Errorf("the service does not know her by her ID number after she enrolled: %v", err)
	}
	k.removeAtSelf(t)
}

// TestSSCUnavailable: when the rig cannot start its pcscd (here, because
// this test binary already runs one, and libpcsclite keeps one per
// process), the kiosk runs without a contact reader and its status bar
// says the card service is not running.
func TestSSCUnavailable(t *testing.T) {
	pcsclab.Need(t, lab, labErr)
	k := startKiosk(t, rig.Options{SSC: true})
	if k.SSC != nil || !errors.Is(k.SSCErr, ssc.ErrNoService) {
		t.Fatalf("a second lab in one process: SSC %v, err %v; want none, and the service not running", k.SSC != nil, k.SSCErr)
	}
	k.waitFor(t, func(v flow.SelfView) bool { return v.Bar.Contact == flow.ContactNoService })
	if v := k.serve(t, "resident-green"); v.Step != flow.StepDone {
		t.Errorf("the ID card without the contact reader: step %q problem %q", v.Step, v.Problem)
	}
}

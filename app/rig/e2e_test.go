package rig_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/rig"
	"github.com/shcommunity/kiosk/app/wire"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/devseed"
	"github.com/shcommunity/kiosk/codesvc/verify"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
	"github.com/shcommunity/kiosk/devices/escpos/qrtest"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/internal/clocktest"
	"github.com/shcommunity/kiosk/pii"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// kiosk is a rig with the self-service flow running on its reader.
type kiosk struct {
	*rig.Rig
	flow   *flow.SelfService
	views  chan flow.SelfView
	mu     sync.Mutex
	slips  []escpossim.Slip
	count  int           // slips printed
	more   chan struct{} // a slip has come out since the last look
	drop   bool          // count slips without keeping them (long runs)
	cancel context.CancelFunc
	done   sync.WaitGroup
}

func startKiosk(t testing.TB, opts rig.Options) *kiosk { return startKioskDrop(t, opts, false) }

// startKioskDrop starts a kiosk; with drop, printed slips are counted
// and not kept, so that a long run measures the kiosk and not the test.
func startKioskDrop(t testing.TB, opts rig.Options, drop bool) *kiosk {
	t.Helper()
	k := &kiosk{views: make(chan flow.SelfView, 256), more: make(chan struct{}, 1), drop: drop}
	opts.OnSlip = func(s escpossim.Slip) {
		k.mu.Lock()
		k.count++
		if !k.drop {
			k.slips = append(k.slips, s)
		}
		k.mu.Unlock()
		select {
		case k.more <- struct{}{}:
		default:
		}
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = 30 * time.Millisecond
	}
	if opts.Patience == 0 {
		opts.Patience = 30 * time.Second // only a cut network makes a call fail here
	}
	ctx, cancel := context.WithCancel(context.Background())
	r, err := rig.Start(ctx, opts)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	k.Rig, k.cancel = r, cancel
	k.flow = &flow.SelfService{Backend: r.Backend, Printer: r.Slips, Where: "e2e", IdleTimeout: 30 * time.Millisecond,
		Poll: time.Second, OnView: func(v flow.SelfView) {
			select {
			case k.views <- v:
			default:
			}
		}}
	cards := r.Cards(ctx)
	k.done.Go(func() { k.flow.Run(ctx, cards) })
	t.Cleanup(func() {
		cancel()
		k.done.Wait()
		if err := r.Close(); err != nil {
			t.Errorf("close rig: %v", err)
		}
	})
	k.waitFor(t, func(v flow.SelfView) bool { return v.Bar.ReaderConnected })
	return k
}

// waitFor waits until the flow shows a view that satisfies ok.
func (k *kiosk) waitFor(t testing.TB, ok func(flow.SelfView) bool) flow.SelfView {
	t.Helper()
	return waitView(t, k.flow.View, k.views, ok)
}

// waitView waits until a flow shows a view that satisfies ok: now is the
// flow's View, views the views as they come.
func waitView[V any](t testing.TB, now func() V, views <-chan V, ok func(V) bool) V {
	t.Helper()
	if v := now(); ok(v) {
		return v
	}
	timeout := time.After(30 * time.Second)
	for {
		select {
		case v := <-views:
			if ok(v) {
				return v
			}
		case <-timeout:
			t.Fatalf("timed out; the screen shows %+v", now())
		}
	}
}

func settled(v flow.SelfView) bool { return v.Step == flow.StepDone || v.Step == flow.StepError }

// serve puts a card on the reader and waits for the flow to finish with
// it, then takes it away and waits for the start screen.
func (k *kiosk) serve(t testing.TB, label string) flow.SelfView {
	t.Helper()
	before := k.slipCount()
	if err := k.Reader.Place(label); err != nil {
		t.Fatal(err)
	}
	v := k.waitFor(t, settled)
	k.slipOut(t, v, before)
	k.Reader.Remove()
	k.waitFor(t, func(v flow.SelfView) bool { return v.Step == flow.StepStart && !v.CardOn })
	return v
}

// enrolSelf puts the card of a resident the kiosk cannot find on the
// reader, agrees on the consent screen, types phone (or skips it when
// ""), waits for the slip and takes the card away.
func (k *kiosk) enrolSelf(t testing.TB, label, phone string) flow.SelfView {
	t.Helper()
	before := k.slipCount()
	if err := k.Reader.Place(label); err != nil {
		t.Fatal(err)
	}
	v := k.waitFor(t, func(v flow.SelfView) bool { return v.Step == flow.StepConsent || settled(v) })
	if v.Step != flow.StepConsent {
		t.Fatalf("%s: step %q problem %q, want the consent screen", label, v.Step, v.Problem)
	}
	k.flow.Agree()
	k.waitFor(t, func(v flow.SelfView) bool { return v.Step == flow.StepPhone })
	if phone == "" {
		k.flow.SkipPhone()
	} else {
		for i := 0; i < len(phone); i++ {
			k.flow.Key(phone[i])
		}
		k.waitFor(t, func(v flow.SelfView) bool { return v.Phone == phone })
		k.flow.ConfirmPhone()
	}
	v = k.waitFor(t, settled)
	k.slipOut(t, v, before)
	k.Reader.Remove()
	k.waitFor(t, func(v flow.SelfView) bool { return v.Step == flow.StepStart && !v.CardOn })
	return v
}

// newcomer adds to the deck the card of a resident the service has never
// seen: a valid, distinct ID number for each n.
func (k *kiosk) newcomer(t testing.TB, n int) string { return newcomerCard(t, k.Rig, n) }

func newcomerCard(t testing.TB, r *rig.Rig, n int) string {
	t.Helper()
	birth := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)
	seq := 100 + n%800
	first := fmt.Sprintf("310115%s%03d", birth.Format("20060102"), seq)
	cd, err := pii.CheckDigit(first)
	if err != nil {
		t.Fatal(err)
	}
	dc, _ := r.Deck.Find("resident-green")
	dc.Label = fmt.Sprintf("newcomer-%03d", n)
	dc.Name = []string{"王淑芬", "陈国强", "刘桂兰", "周建国"}[n%4]
	dc.Birth = birth.Format("20060102")
	dc.Gender = []string{"2", "1"}[seq%2] // the sequence's parity is the sex (GB 11643)
	dc.IDNumber = first + string(cd)
	dc.PhotoSeed = dc.Label
	r.Deck.Cards = append(r.Deck.Cards, dc)
	return dc.Label
}

func (k *kiosk) slipCount() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.count
}

// waitSlips waits until n slips have come out: the flow may show its
// last screen before the simulated printer has taken the cut.
func (k *kiosk) waitSlips(t testing.TB, n int) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for k.slipCount() < n {
		select {
		case <-k.more:
		case <-timeout:
			t.Fatalf("slips printed = %d, want %d", k.slipCount(), n)
		}
	}
}

// slipOut waits, when the flow says its slip was printed (the done
// screen comes only after a print), for that slip to have come out.
func (k *kiosk) slipOut(t testing.TB, v flow.SelfView, before int) {
	t.Helper()
	if v.Step == flow.StepDone {
		k.waitSlips(t, before+1)
	}
}

func decodeQR(t testing.TB, img image.Image) string {
	t.Helper()
	text, err := qrtest.Decode(img)
	if err != nil {
		t.Fatalf("decode the slip's QR: %v", err)
	}
	return text
}

// TestTwentyResidents runs twenty residents (the deck, cycled) through the
// self-service flow against the reference service and the simulators;
// every slip's QR is decoded from the printed image and verified.
func TestTwentyResidents(t *testing.T) {
	k := startKiosk(t, rig.Options{})
	ctx := context.Background()
	tl, err := k.Engine.TrustList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ver := &verify.Verifier{Trust: tl, Live: k.Backend.Client}
	labels := k.Labels()
	printed := 0
	enrolled := map[string]bool{}
	for i := range 20 {
		dc := k.Deck.Cards[i%len(labels)]
		t.Run(dc.Label, func(t *testing.T) {
			c, err := dc.Card()
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			_, idErr := pii.ParseIDNumber(dc.IDNumber, now)
			before := k.slipCount()
			var v flow.SelfView
			if devseed.NotEnrolled[dc.Label] && !enrolled[dc.Label] {
				v = k.enrolSelf(t, dc.Label, "") // her first visit: she enrols herself
				enrolled[dc.Label] = true
			} else {
				v = k.serve(t, dc.Label)
			}
			switch {
			case c.Validate(now) != nil:
				if want := flow.CardProblem(c.Validate(now)); v.Step != flow.StepError || v.Problem != want {
					t.Fatalf("card that fails validation: step %q problem %q, want %q", v.Step, v.Problem, want)
				}
				return
			case idErr != nil:
				if v.Step != flow.StepError || v.Problem != flow.ProblemNotEnrolled {
					t.Fatalf("resident the service cannot key: step %q problem %q, want not_enrolled", v.Step, v.Problem)
				}
				return
			}
			if v.Step != flow.StepDone || v.Ticket.Kind != flow.TicketCode {
				t.Fatalf("step %q problem %q ticket %q, want done with a new code", v.Step, v.Problem, v.Ticket.Kind)
			}
			k.waitSlips(t, before+1)
			if n := k.slipCount(); n != before+1 {
				t.Fatalf("slips printed = %d, want %d", n, before+1)
			}
			k.mu.Lock()
			s := k.slips[len(k.slips)-1]
			k.mu.Unlock()
			text := decodeQR(t, s.Image)
			if text != v.Ticket.QR {
				t.Fatalf("QR on paper %q, want the issued token %q", text, v.Ticket.QR)
			}
			res, err := ver.Verify(client.WithPurpose(ctx, api.PurposeVenueEntry), text) // as a venue checks it
			if err != nil {
				t.Fatalf("verify the printed code: %v", err)
			}
			want, err := k.Service.StatusFor(ctx, c.Number)
			if err != nil {
				t.Fatal(err)
			}
			if res.Source != verify.SourceLive || res.Colour != want.Status.Colour || v.Ticket.Status.Colour != res.Colour {
				t.Errorf("verified %q (%s), screen %q, want the service's %q", res.Colour, res.Source, v.Ticket.Status.Colour, want.Status.Colour)
			}
			if n := res.Claims.MaskedName; n == "" || n == c.Name.Reveal() || !strings.Contains(n, "*") {
				t.Errorf("token name %q, want a masked name", n)
			}
			printed++
		})
	}
	if printed < 12 {
		t.Errorf("%d slips verified, want at least 12 of 20", printed)
	}
	// Every print reached the store's outbox and, after a sync, the
	// service.
	if err := k.Engine.SyncOnce(ctx); err != nil {
		t.Fatalf("sync: %v", err)
	}
	sum, err := k.Engine.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Pending != 0 || len(sum.Quarantined) != 0 {
		t.Errorf("after sync: %d pending, %d quarantined, want none", sum.Pending, len(sum.Quarantined))
	}
}

// TestReplacedCodeStopsVerifying prints twice for one resident: the first
// paper is superseded by the second.
func TestReplacedCodeStopsVerifying(t *testing.T) {
	k := startKiosk(t, rig.Options{})
	ctx := context.Background()
	first := k.serve(t, "resident-green")
	second := k.serve(t, "resident-green")
	if first.Ticket.QR == "" || second.Ticket.QR == "" || first.Ticket.QR == second.Ticket.QR {
		t.Fatalf("two prints gave %q and %q, want two different codes", first.Ticket.QR, second.Ticket.QR)
	}
	old, err := k.Backend.CheckCode(ctx, first.Ticket.QR)
	if !errors.Is(err, flow.ErrTokenRefused) || !errors.Is(err, verify.ErrSuperseded) || old.Status.HasColour() {
		t.Errorf("old code: %+v, %v; want refused as superseded, no colour", old, err)
	}
	cur, err := k.Backend.CheckCode(ctx, second.Ticket.QR)
	if err != nil || cur.Status.Source != healthcode.SourceLive || !cur.Status.HasColour() {
		t.Errorf("new code: %+v, %v; want a live colour", cur, err)
	}
}

// TestPrinterOutOfPaper runs the real driver against the simulator with
// no paper: the resident is told, nothing is recorded as printed.
func TestPrinterOutOfPaper(t *testing.T) {
	k := startKiosk(t, rig.Options{})
	k.Printer.SetPaperOut(true)
	v := k.serve(t, "resident-yellow")
	if v.Step != flow.StepError || v.Problem != flow.ProblemPaperOut || v.Bar.Printer != flow.PrinterPaperOut {
		t.Fatalf("step %q problem %q printer %q, want the paper-out problem", v.Step, v.Problem, v.Bar.Printer)
	}
	if n := k.slipCount(); n != 0 {
		t.Errorf("%d slips came out, want 0", n)
	}
	k.Printer.SetPaperOut(false)
	if v := k.serve(t, "resident-yellow"); v.Step != flow.StepDone {
		t.Errorf("after new paper: step %q problem %q, want done", v.Step, v.Problem)
	}
}

// TestOffline cuts the service off after one print: the same resident
// gets a re-print of the still-valid code with its cached status; a
// resident never printed here gets a pending receipt with no colour.
func TestOffline(t *testing.T) {
	k := startKiosk(t, rig.Options{})
	online := k.serve(t, "resident-red")
	if online.Step != flow.StepDone {
		t.Fatalf("online print: step %q problem %q", online.Step, online.Problem)
	}
	k.SetOnline(false)
	v := k.serve(t, "resident-red")
	if v.Step != flow.StepDone || v.Ticket.Kind != flow.TicketReprint || v.Ticket.QR != online.Ticket.QR {
		t.Fatalf("offline: step %q ticket %q, want a re-print of %q", v.Step, v.Ticket.Kind, online.Ticket.QR)
	}
	if v.Ticket.Status.Source != healthcode.SourceCached || v.Ticket.Status.Colour != online.Ticket.Status.Colour || v.Ticket.Status.AsOf.IsZero() {
		t.Errorf("offline status %+v, want the cached %q with its as-of", v.Ticket.Status, online.Ticket.Status.Colour)
	}
	// The status bar says so before the engine's next sync does.
	k.waitFor(t, func(v flow.SelfView) bool { return !v.Bar.Link.Online })
	// Never seen here and offline: she may enrol (the service merges it
	// with her record) and takes a receipt, never a colour.
	p := k.enrolSelf(t, "resident-green", "")
	if p.Step != flow.StepDone || p.Ticket.Kind != flow.TicketPending || p.Ticket.Receipt == "" || p.Ticket.Status.HasColour() {
		t.Errorf("never printed here, offline: %+v, want a pending receipt without colour", p.Ticket)
	}
	if got := decodeQRAbsent(k); got {
		t.Error("the pending slip carries a QR code")
	}
}

// decodeQRAbsent reports whether the last slip has a QR code.
func decodeQRAbsent(k *kiosk) bool {
	k.mu.Lock()
	s := k.slips[len(k.slips)-1]
	k.mu.Unlock()
	_, err := qrtest.Decode(s.Image)
	return err == nil
}

// TestOfflineUnchecked: offline, a resident this kiosk knows whose cached
// status is past its valid_until (or older than the freshness bound) gets
// a slip that says her status could not be checked and what to do, never
// the offline-enrolment receipt; it is audited under her keyed hash,
// queues nothing, and the counter lists it until she is answered live.
func TestOfflineUnchecked(t *testing.T) {
	clk := clocktest.New(time.Now())
	k := startKiosk(t, rig.Options{Now: clk.Now})
	ctx := context.Background()
	for _, label := range []string{"resident-yellow", "resident-green"} {
		if v := k.serve(t, label); v.Step != flow.StepDone || v.Ticket.Kind != flow.TicketCode {
			t.Fatalf("%s online: step %q ticket %q problem %q", label, v.Step, v.Ticket.Kind, v.Problem)
		}
	}
	k.SetOnline(false)
	before, err := k.Store.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Past the yellow resident's yellow→green instant (14 days after her
	// arrival) and past the freshness bound of the green one's answer.
	clk.Add(15 * 24 * time.Hour)
	for _, label := range []string{"resident-yellow", "resident-green"} {
		v := k.serve(t, label)
		if v.Step != flow.StepDone || v.Ticket.Kind != flow.TicketUnchecked || v.Ticket.Status.HasColour() || v.Ticket.QR != "" {
			t.Fatalf("%s offline and expired: step %q ticket %+v, want an unchecked slip without colour or QR", label, v.Step, v.Ticket)
		}
		text := k.lastSlipText(t)
		for _, want := range []string{"状态未核验", "离线时无法核验您的状态", "再放一次身份证", "柜台", v.Ticket.Serial} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: %q not on the slip", label, want)
			}
		}
		for _, not := range []string{"待同步", "登记时间", "回执号", healthcode.Yellow.Word(), healthcode.Green.Word()} {
			if strings.Contains(text, not) {
				t.Errorf("%s: the slip says %q", label, not)
			}
		}
	}
	after, err := k.Store.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("outbox %+v after the unchecked slips, was %+v: nothing may be queued", after, before)
	}
	log, err := k.Store.AuditLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	audited := 0
	for _, a := range log {
		if a.Action == "unchecked_status_slip" {
			audited++
			if a.Resident.IsZero() {
				t.Errorf("unchecked slip audited without the resident's keyed hash: %+v", a)
			}
		}
	}
	if audited != 2 {
		t.Errorf("%d unchecked slips audited, want 2", audited)
	}
	dash, err := (&wire.Counter{Backend: k.Backend}).Dashboard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(dash.Unchecked) != 2 || dash.Unchecked[0].MaskedName == "" || dash.Unchecked[0].Serial == "" {
		t.Fatalf("dashboard lists %+v, want the two unchecked slips with name and serial", dash.Unchecked)
	}
	// Back online, her next visit answers her live and prints her code:
	// the counter's list empties.
	k.SetOnline(true)
	for _, label := range []string{"resident-yellow", "resident-green"} {
		if v := k.serve(t, label); v.Ticket.Kind != flow.TicketCode || v.Ticket.Status.Source != healthcode.SourceLive {
			t.Fatalf("%s back online: ticket %+v, want a code with the live status", label, v.Ticket)
		}
	}
	if l, err := k.Store.UncheckedSlips(ctx); err != nil || len(l) != 0 {
		t.Errorf("unchecked slips %+v, %v after live answers; want none", l, err)
	}
}

// lastSlipText is the text of the last slip printed, decoded from GBK.
func (k *kiosk) lastSlipText(t testing.TB) string {
	t.Helper()
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.slips) == 0 {
		t.Fatal("no slip printed")
	}
	text, err := simplifiedchinese.GBK.NewDecoder().String(string(k.slips[len(k.slips)-1].Raw))
	if err != nil {
		t.Fatal(err)
	}
	return text
}

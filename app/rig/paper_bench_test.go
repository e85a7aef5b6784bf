package rig_test

import (
	"context"
	"image"
	"sync"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/rig"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/internal/pace"
)

// stopwatch times the stages of one resident at the kiosk: the flow's
// calls to the backend and the printer, through wrappers, and the
// reader's events and the printed slip, through taps.
type stopwatch struct {
	mu                          sync.Mutex
	placed, found, read         time.Time
	served, rendered            time.Duration
	printStart, enrolAt, slipAt time.Time
	slips                       int
}

func (w *stopwatch) mark(f func(w *stopwatch)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f(w)
}

type timedBackend struct {
	flow.Backend
	w *stopwatch
}

func (b timedBackend) PaperCode(ctx context.Context, r flow.Resident) (flow.Ticket, error) {
	start := time.Now()
	t, err := b.Backend.PaperCode(ctx, r)
	b.w.mark(func(w *stopwatch) { w.served = time.Since(start) })
	return t, err
}

func (b timedBackend) EnrolSelf(ctx context.Context, e flow.SelfEnrolment) (flow.Ticket, error) {
	start := time.Now()
	t, err := b.Backend.EnrolSelf(ctx, e)
	b.w.mark(func(w *stopwatch) { w.served = time.Since(start) })
	return t, err
}

type timedPrinter struct {
	flow.Printer
	w *stopwatch
}

func (p timedPrinter) Preview(t flow.Ticket) (image.Image, error) {
	start := time.Now()
	img, err := p.Printer.Preview(t)
	p.w.mark(func(w *stopwatch) { w.rendered = time.Since(start) })
	return img, err
}

func (p timedPrinter) Print(ctx context.Context, t flow.Ticket) error {
	p.w.mark(func(w *stopwatch) { w.printStart = time.Now() })
	return p.Printer.Print(ctx, t)
}

// timedKiosk is a rig whose self-service flow runs behind the stopwatch.
type timedKiosk struct {
	*rig.Rig
	flow  *flow.SelfService
	w     *stopwatch
	views chan flow.SelfView
}

func startTimedKiosk(b *testing.B) *timedKiosk {
	b.Helper()
	w := &stopwatch{}
	ctx, cancel := context.WithCancel(context.Background())
	r, err := rig.Start(ctx, rig.Options{Patience: 30 * time.Second, OnSlip: func(s escpossim.Slip) {
		// The slip is out when the printer has its cut, not when the
		// simulator has finished drawing it: a printer draws as it prints.
		w.mark(func(w *stopwatch) { w.slipAt, w.slips = s.CutAt, w.slips+1 })
	}})
	if err != nil {
		cancel()
		b.Fatal(err)
	}
	k := &timedKiosk{Rig: r, w: w, views: make(chan flow.SelfView, 256)}
	events := make(chan flow.CardEvent)
	k.flow = &flow.SelfService{Backend: timedBackend{r.Backend, w}, Printer: timedPrinter{r.Slips, w}, Where: "bench",
		IdleTimeout: 10 * time.Millisecond, Poll: time.Minute, OnView: func(v flow.SelfView) {
			select {
			case k.views <- v:
			default:
			}
		}}
	var done sync.WaitGroup
	done.Go(func() { r.Watcher.Run(ctx) })
	done.Go(func() {
		defer close(events)
		for e := range r.Watcher.Events() {
			if e.Kind == idcard.CardPlaced {
				w.mark(func(w *stopwatch) { w.found, w.read = e.FoundAt, e.At })
			}
			events <- flow.IDCardEvent(e)
		}
	})
	done.Go(func() { k.flow.Run(ctx, events) })
	b.Cleanup(func() {
		cancel()
		done.Wait()
		r.Close()
	})
	k.until(b, func(v flow.SelfView) bool { return v.Bar.ReaderConnected })
	return k
}

func (k *timedKiosk) until(b *testing.B, ok func(flow.SelfView) bool) flow.SelfView {
	b.Helper()
	return waitView(b, k.flow.View, k.views, ok)
}

// waitSlip waits until the simulated printer has received the slip's cut.
func (k *timedKiosk) waitSlip(b *testing.B, before int) {
	b.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		k.w.mu.Lock()
		n := k.w.slips
		k.w.mu.Unlock()
		if n > before {
			return
		}
		if time.Now().After(deadline) {
			b.Fatal("no slip")
		}
		time.Sleep(time.Millisecond)
	}
}

// BenchmarkCardToPaper is the time from a card laid on the reader to the
// slip fully printed (the simulated printer has its cut), through both
// simulators at 115200 baud and the reference service on loopback, with
// the watcher's own poll: against the physical floor, the reader's and
// the printer's bytes at the line rate for the same slip. The stages:
// detect (laid down → the find that saw it), read (select and read),
// service (status and token), render (the preview), print (the print
// call → the cut received).
func BenchmarkCardToPaper(b *testing.B) {
	k := startTimedKiosk(b)
	labels := []string{"resident-green", "resident-yellow", "resident-red"}
	var total, floor, detect, read, service, render, print time.Duration
	n := 0
	for b.Loop() {
		label := labels[n%len(labels)]
		n++
		k.w.mu.Lock()
		before := k.w.slips
		k.w.mu.Unlock()
		start := time.Now()
		if err := k.Reader.Place(label); err != nil {
			b.Fatal(err)
		}
		k.waitSlip(b, before)
		k.w.mu.Lock()
		end := k.w.slipAt
		k.w.mu.Unlock()
		v := k.until(b, func(v flow.SelfView) bool { return v.Step == flow.StepDone || v.Step == flow.StepError })
		if v.Step != flow.StepDone {
			b.Fatalf("step %q problem %q", v.Step, v.Problem)
		}
		total += end.Sub(start)
		k.w.mark(func(w *stopwatch) {
			detect += w.found.Sub(start)
			read += w.read.Sub(w.found)
			service += w.served
			render += w.rendered
			print += w.slipAt.Sub(w.printStart)
		})
		floor += pace.Duration(readerFloorBytes(), 115200) + pace.Duration(printerFloorBytes(b, v.Ticket, k.Driver.Profile()), 115200)
		k.Reader.Remove()
		k.until(b, func(v flow.SelfView) bool { return v.Step == flow.StepStart && !v.CardOn })
	}
	ms := reportPaper(b, n, total, floor)
	b.ReportMetric(ms(detect), "detect-ms")
	b.ReportMetric(ms(read), "read-ms")
	b.ReportMetric(ms(service), "service-ms")
	b.ReportMetric(ms(render), "render-ms")
	b.ReportMetric(ms(print), "print-ms")
}

// reportPaper reports the time per resident against its floor and
// returns the conversion to milliseconds per resident for the stages.
func reportPaper(b *testing.B, n int, total, floor time.Duration) func(time.Duration) float64 {
	d := time.Duration(n)
	ms := func(x time.Duration) float64 { return float64(x/d) / float64(time.Millisecond) }
	b.ReportMetric(ms(total), "ms/resident")
	b.ReportMetric(ms(floor), "floor-ms")
	b.ReportMetric(float64(total)/float64(floor), "x-floor")
	return ms
}

// BenchmarkAgreeToPaper is the time from 同意并领取 (with 跳过 for the
// phone) to the first code fully printed, for a resident the service has
// never seen: the enrolment pushed and accepted, the code issued, the
// slip printed; against the floor of the printer's bytes, the only device
// bytes after the touch.
func BenchmarkAgreeToPaper(b *testing.B) {
	k := startTimedKiosk(b)
	var total, floor, service time.Duration
	n := 0
	for b.Loop() {
		label := newcomerCard(b, k.Rig, n)
		n++
		if err := k.Reader.Place(label); err != nil {
			b.Fatal(err)
		}
		k.until(b, func(v flow.SelfView) bool { return v.Step == flow.StepConsent })
		k.w.mu.Lock()
		before := k.w.slips
		k.w.mu.Unlock()
		start := time.Now()
		k.flow.Agree()
		k.until(b, func(v flow.SelfView) bool { return v.Step == flow.StepPhone })
		k.flow.SkipPhone()
		k.waitSlip(b, before)
		k.w.mu.Lock()
		total += k.w.slipAt.Sub(start)
		k.w.mu.Unlock()
		v := k.until(b, func(v flow.SelfView) bool { return v.Step == flow.StepDone || v.Step == flow.StepError })
		if v.Step != flow.StepDone || v.Ticket.Kind != flow.TicketCode {
			b.Fatalf("step %q problem %q ticket %q", v.Step, v.Problem, v.Ticket.Kind)
		}
		k.w.mark(func(w *stopwatch) { service += w.served })
		floor += pace.Duration(printerFloorBytes(b, v.Ticket, k.Driver.Profile()), 115200)
		k.Reader.Remove()
		k.until(b, func(v flow.SelfView) bool { return v.Step == flow.StepStart && !v.CardOn })
	}
	ms := reportPaper(b, n, total, floor)
	b.ReportMetric(ms(service), "enrol-and-issue-ms")
}

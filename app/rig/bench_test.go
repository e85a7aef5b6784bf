package rig_test

import (
	"context"
	"image"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/rig"
	"github.com/shcommunity/kiosk/app/wire"
	"github.com/shcommunity/kiosk/codesvc/devseed"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/slip"
	"github.com/shcommunity/kiosk/internal/pace"
)

// readerFloorBytes is what one card read puts on the line: find, select
// and read requests and their replies (docs/idcard-protocol.md,
// "Commands").
func readerFloorBytes() int {
	n := len(idcard.CmdFind.Frame()) + len(idcard.CmdSelect.Frame()) + len(idcard.CmdRead.Frame())
	n += len(idcard.Encode(idcard.Reply(0x9F, make([]byte, 4))))
	n += len(idcard.Encode(idcard.Reply(0x90, make([]byte, 8))))
	raw := idcard.RawCard{Text: make([]byte, idcard.TextLen), Photo: make([]byte, idcard.PhotoLen)}
	n += len(idcard.Encode(idcard.Reply(0x90, idcard.AppendRead(nil, raw, false))))
	return n
}

// printerFloorBytes is one slip's job plus the eight DLE EOT requests
// (before and after) and their one-byte replies.
func printerFloorBytes(b *testing.B, t flow.Ticket, p escpos.Profile) int {
	job, err := slip.Encode(wire.SlipOf(t, "演示社区服务中心"), p)
	if err != nil {
		b.Fatal(err)
	}
	return len(job) + 8*3 + 8
}

// BenchmarkThousandResidents serves 1,000 residents (the deck, cycled)
// with unpaced devices and reports the heap in use and the process's
// resident set afterwards. The code service runs in the same process, so
// both figures include it.
func BenchmarkThousandResidents(b *testing.B) {
	const residents = 1000
	for b.Loop() {
		k := startKioskDrop(b, rig.Options{Unpaced: true, PollInterval: 5 * time.Millisecond}, true)
		ctx := context.Background()
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		base := ms.HeapInuse
		var labels []string
		for _, c := range k.Deck.Cards {
			if !devseed.NotEnrolled[c.Label] {
				labels = append(labels, c.Label)
			}
		}
		for i := range residents {
			k.serve(b, labels[i%len(labels)])
			if i == 99 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-after-100-MiB")
			}
		}
		if err := k.Engine.SyncOnce(ctx); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
		b.ReportMetric(float64(int64(ms.HeapInuse)-int64(base))/(1<<20), "heap-growth-MiB")
		b.ReportMetric(rssMiB(), "rss-MiB")
		b.ReportMetric(float64(k.slipCount()), "slips")
	}
}

// rssMiB reads VmRSS from /proc (Linux); 0 elsewhere.
func rssMiB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

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

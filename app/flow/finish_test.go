package flow_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
)

// TestShutdownFinishesThePrint: the kiosk told to stop in the middle of a
// slip lets it finish and records it, and Run returns only then, so that
// the program closes its store after the record is written.
func TestShutdownFinishesThePrint(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.p.delay = 3 * time.Second
		h.start()
		h.place(card("张三丰", greenID), nil)
		if v := h.s.View(); v.Step != flow.StepPrinting {
			t.Fatalf("step %q, want printing", v.Step)
		}
		began := time.Now()
		h.stop()
		if took := time.Since(began); took != 3*time.Second {
			t.Errorf("Run returned after %v, want when the slip was done (3s)", took)
		}
		if printed, _ := h.b.counts(); printed != 1 || len(h.p.printed) != 1 {
			t.Errorf("%d prints recorded, %d printed; want the slip finished and recorded", printed, len(h.p.printed))
		}
		if v := h.s.View(); v.HasResident() {
			t.Errorf("after the stop the view holds a resident: %+v", v)
		}
	})
}

// TestShutdownGivesUpOnALongPrint: a print that outlasts flow.PrintGrace
// is cut and not recorded as printed.
func TestShutdownGivesUpOnALongPrint(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.p.delay = time.Hour
		h.start()
		h.place(card("张三丰", greenID), nil)
		began := time.Now()
		h.stop()
		if took := time.Since(began); took != flow.PrintGrace {
			t.Errorf("Run returned after %v, want the grace of %v", took, flow.PrintGrace)
		}
		if printed, _ := h.b.counts(); printed != 0 {
			t.Errorf("a print cut off was recorded as printed")
		}
	})
}

func TestFinishing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent, stop := context.WithCancel(context.Background())
		ctx, cancel := flow.Finishing(parent)
		stop()
		synctest.Wait()
		if ctx.Err() != nil {
			t.Fatal("the finishing context ended with its parent")
		}
		time.Sleep(flow.PrintGrace - time.Nanosecond)
		synctest.Wait()
		if ctx.Err() != nil {
			t.Fatal("the finishing context ended before its grace")
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		if !errors.Is(context.Cause(ctx), flow.ErrStopping) {
			t.Errorf("after the grace: cause %v, want ErrStopping", context.Cause(ctx))
		}
		cancel()

		// Cancelled by its owner before the parent ends: no timer left.
		ctx, cancel = flow.Finishing(context.Background())
		cancel()
		if !errors.Is(ctx.Err(), context.Canceled) {
			t.Errorf("cancel: %v", ctx.Err())
		}
	})
}

// TestCounterWaitsForItsPrint: Counter.Wait returns after a slip under
// way when the context ended has been printed and recorded.
func TestCounterWaitsForItsPrint(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := &fakeCounter{}
		p := &fakePrinter{delay: 2 * time.Second}
		c := &flow.Counter{Backend: b, Printer: p}
		ctx, cancel := context.WithCancel(context.Background())
		reissueFor(ctx, c, card("张三丰", greenID)) // the re-issue is printing
		began := time.Now()
		cancel()
		c.Wait()
		if took := time.Since(began); took != 2*time.Second {
			t.Errorf("Wait returned after %v, want when the slip was done (2s)", took)
		}
		if len(p.printed) != 1 || b.printed != 1 {
			t.Errorf("%d slips printed, %d recorded; want the one under way, printed and recorded", len(p.printed), b.printed)
		}
	})
}

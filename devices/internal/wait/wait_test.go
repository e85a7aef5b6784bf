package wait_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shcommunity/kiosk/devices/internal/wait"
)

// TestSleep: Sleep takes its whole time, and no longer than the context.
func TestSleep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		wait.Sleep(context.Background(), time.Second)
		if got := time.Since(start); got != time.Second {
			t.Errorf("slept %v, want 1s", got)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start = time.Now()
		wait.Sleep(ctx, time.Hour)
		if got := time.Since(start); got != 100*time.Millisecond {
			t.Errorf("slept %v past its context, want 100ms", got)
		}
	})
}

// TestSend: Send hands the value over, and gives up when the context
// ends before anyone takes it.
func TestSend(t *testing.T) {
	ch := make(chan int, 1)
	wait.Send(context.Background(), ch, 7)
	if got := <-ch; got != 7 {
		t.Errorf("received %d, want 7", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	wait.Send(ctx, make(chan int), 8) // nobody receives: it must return
}

package clocktest_test

import (
	"sync"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/internal/clocktest"
)

func TestClock(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	c := clocktest.New(t0)
	if got := c.Now(); !got.Equal(t0) {
		t.Fatalf("Now = %v, want %v", got, t0)
	}
	c.Add(time.Minute)
	if got := c.Now(); !got.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after Add: Now = %v, want %v", got, t0.Add(time.Minute))
	}
	c.Set(t0)
	if got := c.Now(); !got.Equal(t0) {
		t.Fatalf("after Set: Now = %v, want %v", got, t0)
	}
}

// TestClockConcurrent: readers and a writer on other goroutines see a
// consistent time (run with -race).
func TestClockConcurrent(t *testing.T) {
	t0 := time.Unix(0, 0)
	c := clocktest.New(t0)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				if c.Now().Before(t0) {
					t.Error("the clock went back")
				}
			}
		})
	}
	for range 100 {
		c.Add(time.Second)
	}
	wg.Wait()
	if got := c.Now(); !got.Equal(t0.Add(100 * time.Second)) {
		t.Fatalf("Now = %v, want %v", got, t0.Add(100*time.Second))
	}
}

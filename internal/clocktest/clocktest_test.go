package clocktest

import (
	"sync"
	"testing"
	"time"
)

// TestClock: the clock reads what it was given, set to or moved on by,
// and readers on other goroutines see the writer's moves (run with -race).
func TestClock(t *testing.T) {
	c := New(time.Unix(0, 0))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				if c.Now().Before(time.Unix(0, 0)) {
					t.Error("the clock went back")
				}
			}
		})
	}
	for range 100 {
		c.Add(time.Second)
	}
	wg.Wait()
	if got := c.Now(); !got.Equal(time.Unix(100, 0)) {
		t.Fatalf("after Add: Now = %v, want %v", got, time.Unix(100, 0))
	}
	c.Set(time.Unix(7, 0))
	if got := c.Now(); !got.Equal(time.Unix(7, 0)) {
		t.Fatalf("after Set: Now = %v, want %v", got, time.Unix(7, 0))
	}
}

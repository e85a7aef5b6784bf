package wait

import (
	"context"
	"time"
)

// Sleep pauses for d, or until ctx ends if that comes first.
func Sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// Send puts v on ch, or drops it if ctx ends first.
func Send[T any](ctx context.Context, ch chan<- T, v T) {
	select {
	case ch <- v:
	case <-ctx.Done():
	}
}

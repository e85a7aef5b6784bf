package flow

import (
	"context"
	"errors"
	"sync"
	"time"
)

// PrintGrace is how long a slip already on its way to the paper may take
// to finish once the kiosk is told to stop (the window closed, SIGTERM at
// logout). At the usual 115200 baud a slip takes well under a second; a
// raster slip at 9600 baud about 12 s, and is the one that may be cut.
const PrintGrace = 10 * time.Second

// ErrStopping is the cause of a Finishing context that outlived its
// grace.
var ErrStopping = errors.New("the kiosk is stopping")

// Finishing returns a context for work that must not be cut off in the
// middle when ctx ends (a slip half printed is a QR code no venue can
// read, and a print not recorded is a code the kiosk forgets it gave):
// it ends PrintGrace after ctx does, or when cancel is called.
func Finishing(ctx context.Context) (context.Context, context.CancelFunc) {
	fctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	var mu sync.Mutex
	var grace *time.Timer
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		grace = time.AfterFunc(PrintGrace, func() { cancel(ErrStopping) })
	})
	return fctx, func() {
		stop()
		mu.Lock()
		if grace != nil {
			grace.Stop()
		}
		mu.Unlock()
		cancel(context.Canceled)
	}
}

package syncer

import (
	"sync/atomic"
	"time"

	"github.com/shcommunity/kiosk/codesvc/client"
)

// Clock is the kiosk's estimate of the service's clock: the kiosk's own
// clock plus the skew measured from the service's answers. The service's
// clock wins for everything about status, so every freshness decision
// uses Clock.Now, never the kiosk's clock alone.
type Clock struct {
	kiosk func() time.Time
	skew  atomic.Int64 // nanoseconds to add to the kiosk clock
	known atomic.Bool
}

// NewClock returns a clock over the kiosk's clock (time.Now when nil)
// with the given starting skew.
func NewClock(kiosk func() time.Time, skew time.Duration) *Clock {
	if kiosk == nil {
		kiosk = time.Now
	}
	c := &Clock{kiosk: kiosk}
	c.skew.Store(int64(skew))
	return c
}

// Now is the service-corrected time.
func (c *Clock) Now() time.Time { return c.kiosk().Add(time.Duration(c.skew.Load())) }

// Kiosk is the kiosk's own clock reading.
func (c *Clock) Kiosk() time.Time { return c.kiosk() }

// Skew is how far the service's clock is ahead of the kiosk's.
func (c *Clock) Skew() time.Duration { return time.Duration(c.skew.Load()) }

// Known reports whether the skew was measured (rather than restored or
// assumed zero) since the clock was made.
func (c *Clock) Known() bool { return c.known.Load() }

// Observe records a server time seen in a response received at the kiosk
// time received. Server times carry whole seconds, so a difference under
// a second is noise and ignored; otherwise the skew is replaced. A skew
// beyond client.MaxSkew is not taken: no answer may move the kiosk's
// idea of the service's time by days (a cached status would look fresh).
func (c *Clock) Observe(server, received time.Time) {
	if server.IsZero() {
		return
	}
	if d := server.Sub(received); d > client.MaxSkew || d < -client.MaxSkew {
		return
	}
	c.known.Store(true)
	d := server.Sub(received)
	if old := time.Duration(c.skew.Load()); (d - old).Abs() < time.Second {
		return
	}
	c.skew.Store(int64(d))
}

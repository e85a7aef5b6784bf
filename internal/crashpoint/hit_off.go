//go:build !crashpoints

package crashpoint

// Enabled reports whether this binary was built with the tag crashpoints.
const Enabled = false

// Hit marks a pass through p. Without the tag it is empty, and inlined
// away.
func Hit(Point) {}

// Armed reports whether a crash was asked for (KIOSK_CRASH_AT): code that
// must set something up to reach a point (an HTTP trace for
// RequestWritten) does so only then. Without the tag it is false.
func Armed() bool { return false }

// Passes returns how many times each point was passed; without the tag,
// nil.
func Passes() map[Point]int { return nil }

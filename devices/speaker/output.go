package speaker

import "errors"

// Output is where a Player's samples go: the sound device, nothing (Null),
// or a recorder in tests. The Player calls Write and Drop from its own
// goroutine only; Close may come from another while Write is blocked.
type Output interface {
	// Write plays mono signed 16-bit samples at the Player's rate and
	// returns once the output has taken them, at the pace it plays them,
	// so that a newer prompt can interrupt between two writes. It must
	// not keep samples after it returns.
	Write(samples []int16) error
	// Drop discards what was written but not yet heard: a newer prompt,
	// or mute, cuts the current one off.
	Drop()
	// Close releases the output. A blocked Write returns ErrClosed.
	Close() error
}

// ErrClosed: the output was closed.
var ErrClosed = errors.New("speaker: output closed")

// Null is an output with no sound: it takes every sample at once. A
// Player falls back to it when there is no sound device.
type Null struct{}

// Write discards the samples.
func (Null) Write([]int16) error { return nil }

// Drop does nothing.
func (Null) Drop() {}

// Close does nothing.
func (Null) Close() error { return nil }

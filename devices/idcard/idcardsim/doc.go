// Package idcardsim is a byte-exact simulator of a GA 467 SAM card reader,
// for tests, the demo (cmd/devsim) and development without hardware.
//
// It follows docs/idcard-protocol.md ("The simulator"): it scans the
// host's bytes for the preamble, answers each command with the frames of
// "Commands" (no card → 80, card → 9F, select → 90, read without
// select → 41, read → the 1295-byte frame, appended address → 91 when
// none), rejects a bad checksum with SW3 10 (or silence) and a bad length
// with 11, and on "set baud" replies at the old rate before changing. It
// paces its output at the simulated line rate (internal/pace), because a
// pseudo-terminal has none: a read at 115200 takes its real ~112 ms.
//
// Its cards come from a deck in JSON (assets.SampleDeck, or a file of the
// same shape; see Deck). Tests and the demo control it from other
// goroutines: place and remove cards, and inject faults into the next
// replies (bad checksum, truncated frame, silence, garbage before the
// frame).
package idcardsim

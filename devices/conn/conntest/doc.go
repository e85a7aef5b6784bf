// Package conntest holds the fakes of package conn that every driver test
// uses: Playback, a device that follows a recorded transcript of
// exchanges, and Record, which captures such a transcript from a real
// connection (a simulator, or hardware on a technician's bench). Hex
// reads a frame written as spaced hex, as the protocol notes write them.
//
// A transcript is a list of Exchange values: what the driver must write,
// then what the device answers. Playback hands the answers out a few
// bytes per Read, as a serial line does, can hold one back as a slow
// device does, blocks a Read that has nothing to give until its
// deadline, fails at a chosen exchange as an unplugged device would, and
// says on Close whether the driver wrote exactly the
// transcript: the first byte that differs, with its offset and a hex dump
// of both sides, or the exchanges it never reached.
//
// Playback blocks only on channels and timers, so a test run inside a
// testing/synctest bubble waits for timeouts on the bubble's clock
// rather than the machine's.
//
// Only tests import this package; it does not import testing, so that a
// tool that records transcripts can use Record too.
package conntest

// Package pace makes bytes move at the speed of a serial line.
//
// A pseudo-terminal or a pipe moves bytes as fast as memory, so the device
// simulators would answer a 1295-byte card read in microseconds where a
// real reader at 115200 baud needs about 112 ms. A Writer holds each chunk
// back until the line would have finished sending it, so timings measured
// through the simulators are those of the real link.
package pace

import (
	"io"
	"sync"
	"time"
)

// BitsPerByte is the cost of one byte on an 8N1 line: a start bit, eight
// data bits and a stop bit.
const BitsPerByte = 10

// BytesPerSecond is the payload rate of an 8N1 line at baud.
func BytesPerSecond(baud int) float64 { return float64(baud) / BitsPerByte }

// Duration is the time n bytes take on an 8N1 line at baud.
func Duration(n, baud int) time.Duration {
	if baud <= 0 {
		return 0
	}
	return time.Duration(int64(n) * BitsPerByte * int64(time.Second) / int64(baud))
}

// Writer paces writes to an underlying writer. A zero or negative baud
// rate disables pacing. It is safe for concurrent use; concurrent writes
// are serialised as they would be on one wire.
type Writer struct {
	mu   sync.Mutex
	w    io.Writer
	baud int
	due  time.Time // when the line is free again

	// Now and Sleep are replaced in tests.
	Now   func() time.Time
	Sleep func(time.Duration)
}

// NewWriter returns a Writer sending to w at baud.
func NewWriter(w io.Writer, baud int) *Writer {
	return &Writer{w: w, baud: baud, Now: time.Now, Sleep: time.Sleep}
}

// SetBaud changes the line rate for the bytes written after it.
func (w *Writer) SetBaud(baud int) {
	w.mu.Lock()
	w.baud = baud
	w.mu.Unlock()
}

// Baud returns the current line rate.
func (w *Writer) Baud() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.baud
}

// chunk is how many bytes go out per step: about two milliseconds of line
// time, so a reader sees a steady trickle rather than one late burst.
func chunk(baud int) int {
	n := baud / BitsPerByte / 500
	if n < 1 {
		n = 1
	}
	return n
}

// Write sends p, each chunk released when the line would have finished
// transmitting it. The line is idle before a Write that comes after the
// previous one's bytes were done (the caller had nothing to send), so the
// schedule restarts then; within one Write it never does: a sleep that
// overshoots (a busy machine wakes the writer late) delays that chunk
// only, and the next ones go out on the line's own schedule, so the
// lateness of many small sleeps does not add up to a slower line.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.baud <= 0 {
		return w.w.Write(p)
	}
	if now := w.Now(); w.due.Before(now) {
		w.due = now
	}
	written := 0
	step := chunk(w.baud)
	for written < len(p) {
		n := min(step, len(p)-written)
		w.due = w.due.Add(Duration(n, w.baud))
		if d := w.due.Sub(w.Now()); d > 0 {
			w.Sleep(d)
		}
		m, err := w.w.Write(p[written : written+n])
		written += m
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

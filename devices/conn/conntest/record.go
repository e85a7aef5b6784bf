package conntest

import (
	"bytes"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/devices/conn"
)

// Record is a connection that passes everything through to Conn and
// keeps the transcript of it: each run of writes and the answer read
// after it make one Exchange. An error for which conn.Gone holds is kept
// as the step's Err; a deadline is not, being the driver's timing rather
// than the device's. Playing the transcript back with New gives a test
// that needs neither the device nor its simulator.
//
// Record forwards SetWriteDeadline and SetBaud to Conn when it has them
// and does nothing otherwise. Its methods are safe for concurrent use.
type Record struct {
	Conn conn.Conn

	mu     sync.Mutex
	ops    []Exchange
	closed bool // by the driver: what fails after is not the device
}

var (
	_ conn.Conn           = (*Record)(nil)
	_ conn.WriteDeadliner = (*Record)(nil)
	_ conn.BaudSetter     = (*Record)(nil)
)

// last returns the step being recorded; a write after an answer starts a
// new one. Call it with mu held.
func (r *Record) last(write bool) *Exchange {
	if n := len(r.ops); n > 0 {
		op := &r.ops[n-1]
		if op.Err == nil && (!write || len(op.R) == 0) {
			return op
		}
	}
	r.ops = append(r.ops, Exchange{})
	return &r.ops[len(r.ops)-1]
}

// note records bytes written or read, and an error that says the
// device has gone.
func (r *Record) note(b []byte, write bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(b) > 0 {
		op := r.last(write)
		if write {
			op.W = append(op.W, b...)
		} else {
			op.R = append(op.R, b...)
		}
	}
	if !r.closed && conn.Gone(err) {
		r.last(false).Err = err
	}
}

// Write writes b to Conn and records the bytes it took.
func (r *Record) Write(b []byte) (int, error) {
	n, err := r.Conn.Write(b)
	r.note(b[:n], true, err)
	return n, err
}

// Read reads from Conn and records what it gave.
func (r *Record) Read(b []byte) (int, error) {
	n, err := r.Conn.Read(b)
	r.note(b[:n], false, err)
	return n, err
}

// SetReadDeadline sets Conn's read deadline.
func (r *Record) SetReadDeadline(t time.Time) error { return r.Conn.SetReadDeadline(t) }

// SetWriteDeadline sets Conn's write deadline if it has one.
func (r *Record) SetWriteDeadline(t time.Time) error {
	if wd, ok := r.Conn.(conn.WriteDeadliner); ok {
		return wd.SetWriteDeadline(t)
	}
	return nil
}

// SetBaud switches Conn's line rate if it can change.
func (r *Record) SetBaud(baud int) error {
	if bs, ok := r.Conn.(conn.BaudSetter); ok {
		return bs.SetBaud(baud)
	}
	return nil
}

// Close closes Conn. A connection closed by the driver is not recorded
// as the device's error.
func (r *Record) Close() error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	return r.Conn.Close()
}

// Transcript returns the exchanges recorded so far.
func (r *Record) Transcript() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Exchange, len(r.ops))
	for i, op := range r.ops {
		out[i] = Exchange{Name: op.Name, W: bytes.Clone(op.W), R: bytes.Clone(op.R), Err: op.Err}
	}
	return out
}

package x11test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// Conn is a connection to an X server, for the few requests this
// package makes. It is not safe for concurrent use.
type Conn struct {
	c    net.Conn
	root uint32
	seq  uint16
}

var le = binary.LittleEndian

// Dial connects to display (":7") over its Unix socket, without
// authorisation (a private Xvfb started by StartXvfb needs none).
func Dial(display string) (*Conn, error) {
	n, ok := strings.CutPrefix(display, ":")
	if !ok {
		return nil, fmt.Errorf("x11: display %q is not :N", display)
	}
	n, _, _ = strings.Cut(n, ".")
	c, err := net.DialTimeout("unix", "/tmp/.X11-unix/X"+n, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("x11: %w", err)
	}
	x := &Conn{c: c}
	if err := x.setup(); err != nil {
		c.Close()
		return nil, err
	}
	return x, nil
}

// Close closes the connection.
func (x *Conn) Close() error { return x.c.Close() }

// setup sends the connection setup (little-endian, protocol 11.0, no
// authorisation) and takes the first screen's root window from the reply.
func (x *Conn) setup() error {
	req := make([]byte, 12)
	req[0] = 'l'
	le.PutUint16(req[2:], 11)
	if _, err := x.c.Write(req); err != nil {
		return fmt.Errorf("x11 setup: %w", err)
	}
	head := make([]byte, 8)
	if _, err := io.ReadFull(x.c, head); err != nil {
		return fmt.Errorf("x11 setup: %w", err)
	}
	more := make([]byte, int(le.Uint16(head[6:]))*4)
	if _, err := io.ReadFull(x.c, more); err != nil {
		return fmt.Errorf("x11 setup: %w", err)
	}
	if head[0] != 1 {
		return fmt.Errorf("x11 setup refused: %q", strings.TrimSpace(string(more)))
	}
	vendor := int(le.Uint16(more[16:]))
	formats := int(more[21])
	at := 32 + pad4(vendor) + 8*formats
	if len(more) < at+4 {
		return errors.New("x11 setup: short reply")
	}
	x.root = le.Uint32(more[at:])
	return nil
}

func pad4(n int) int { return (n + 3) &^ 3 }

// request sends one request and, when reply is set, reads its reply
// (the 32 bytes and whatever follows). An error packet is an error.
func (x *Conn) request(b []byte, reply bool) ([]byte, error) {
	le.PutUint16(b[2:], uint16(len(b)/4))
	x.seq++
	x.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := x.c.Write(b); err != nil {
		return nil, err
	}
	if !reply {
		return nil, nil
	}
	for {
		p := make([]byte, 32)
		if _, err := io.ReadFull(x.c, p); err != nil {
			return nil, err
		}
		switch p[0] {
		case 0:
			return nil, fmt.Errorf("x11 error %d on request %d", p[1], b[0])
		case 1:
			extra := make([]byte, int(le.Uint32(p[4:]))*4)
			if _, err := io.ReadFull(x.c, extra); err != nil {
				return nil, err
			}
			return append(p, extra...), nil
		}
		// An event: not asked for, skipped.
	}
}

// Atom interns name.
func (x *Conn) Atom(name string) (uint32, error) {
	b := make([]byte, 8+pad4(len(name)))
	b[0] = 16 // InternAtom
	le.PutUint16(b[4:], uint16(len(name)))
	copy(b[8:], name)
	r, err := x.request(b, true)
	if err != nil {
		return 0, fmt.Errorf("x11 InternAtom %s: %w", name, err)
	}
	return le.Uint32(r[8:]), nil
}

// children lists the children of window w.
func (x *Conn) children(w uint32) ([]uint32, error) {
	b := make([]byte, 8)
	b[0] = 15 // QueryTree
	le.PutUint32(b[4:], w)
	r, err := x.request(b, true)
	if err != nil {
		return nil, fmt.Errorf("x11 QueryTree: %w", err)
	}
	n := int(le.Uint16(r[16:]))
	out := make([]uint32, n)
	for i := range out {
		out[i] = le.Uint32(r[32+4*i:])
	}
	return out, nil
}

// property returns a window's property as bytes (any type).
func (x *Conn) property(w, prop uint32) ([]byte, error) {
	b := make([]byte, 24)
	b[0] = 20 // GetProperty
	le.PutUint32(b[4:], w)
	le.PutUint32(b[8:], prop)
	le.PutUint32(b[20:], 1024) // long-length: 4 KiB is plenty for a title
	r, err := x.request(b, true)
	if err != nil {
		return nil, fmt.Errorf("x11 GetProperty: %w", err)
	}
	format, n := int(r[1]), int(le.Uint32(r[16:]))
	return r[32 : 32+n*format/8], nil
}

// Titles lists the top-level windows (children of the root) with a
// title (_NET_WM_NAME, else WM_NAME), by window ID.
func (x *Conn) Titles() (map[uint32]string, error) {
	netName, err := x.Atom("_NET_WM_NAME")
	if err != nil {
		return nil, err
	}
	const wmName = 39 // the predefined atom WM_NAME
	ws, err := x.children(x.root)
	if err != nil {
		return nil, err
	}
	out := map[uint32]string{}
	for _, w := range ws {
		for _, p := range []uint32{netName, wmName} {
			v, err := x.property(w, p)
			if err != nil {
				return nil, err
			}
			if len(v) > 0 {
				out[w] = string(v)
				break
			}
		}
	}
	return out, nil
}

// Find returns the top-level window titled title.
func (x *Conn) Find(title string) (uint32, bool, error) {
	ts, err := x.Titles()
	if err != nil {
		return 0, false, err
	}
	for w, t := range ts {
		if t == title {
			return w, true, nil
		}
	}
	return 0, false, nil
}

// CloseWindow asks window w to close as a window manager does when its close
// button is pressed: a WM_PROTOCOLS client message carrying
// WM_DELETE_WINDOW, sent to the client that made the window.
func (x *Conn) CloseWindow(w uint32) error {
	protocols, err := x.Atom("WM_PROTOCOLS")
	if err != nil {
		return err
	}
	del, err := x.Atom("WM_DELETE_WINDOW")
	if err != nil {
		return err
	}
	b := make([]byte, 44)
	b[0] = 25 // SendEvent, propagate false
	le.PutUint32(b[4:], w)
	// event-mask 0: to the client that created the window.
	ev := b[12:]
	ev[0] = 33 // ClientMessage
	ev[1] = 32 // format
	le.PutUint32(ev[4:], w)
	le.PutUint32(ev[8:], protocols)
	le.PutUint32(ev[12:], del)
	// ev[16:20] is the time, CurrentTime (0).
	if _, err := x.request(b, false); err != nil {
		return fmt.Errorf("x11 SendEvent: %w", err)
	}
	// A request that answers makes sure the server has taken the event.
	_, err = x.Atom("WM_DELETE_WINDOW")
	return err
}

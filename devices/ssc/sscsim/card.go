package sscsim

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/shcommunity/kiosk/devices/ssc"
)

// ATR is the answer to reset of the virtual card (ISO/IEC 7816-3): direct
// convention (3B), interface bytes TB1 and TC1 at 00, no TD1 so T=0 only,
// and eight historical bytes "SSCSIM01" that mark it as this simulator.
var ATR = []byte{0x3B, 0x68, 0x00, 0x00, 'S', 'S', 'C', 'S', 'I', 'M', '0', '1'}

// Fault is a spoiled answer the card gives once, on a chosen command.
type Fault int

// The faults. Each hits one command and is used up.
const (
	// FaultPull: the card is pulled out instead of answering; over vpcd
	// the connection closes, in process Transmit fails with
	// ssc.ErrCardRemoved.
	FaultPull Fault = iota + 1
	// FaultTruncate: the answer's data loses its second half; the status
	// word stays 9000.
	FaultTruncate
	// FaultNoStatus: the answer is a single byte, without a status word.
	FaultNoStatus
	// FaultWrongSW: the card answers 6F00 (no precise diagnosis).
	FaultWrongSW
)

func (f Fault) String() string {
	switch f {
	case FaultPull:
		return "pull"
	case FaultTruncate:
		return "truncate"
	case FaultNoStatus:
		return "no-status"
	case FaultWrongSW:
		return "wrong-sw"
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// ParseFault is the inverse of String.
func ParseFault(s string) (Fault, error) {
	for _, f := range []Fault{FaultPull, FaultTruncate, FaultNoStatus, FaultWrongSW} {
		if f.String() == s {
			return f, nil
		}
	}
	return 0, fmt.Errorf("sscsim: unknown fault %q (pull, truncate, no-status, wrong-sw)", s)
}

// pending is a fault waiting for its command.
type pending struct {
	f     Fault
	after int // commands to let through first
}

// Card is one virtual card: the application's files and what has been
// selected, answering command APDUs as docs/ssc-card.md ("The virtual
// card") describes, in the manner of a T=0 card (61xx after a SELECT of
// the application, 6Cxx for a wrong Le). Its methods are safe for
// concurrent use.
type Card struct {
	label  string
	files  *files // nil: no social-security application (a bank card)
	locked bool

	mu       sync.Mutex
	selected bool   // the application is selected
	current  uint16 // the EF selected last, 0 for none
	response []byte // waiting for GET RESPONSE
	faults   []pending
	pulled   bool
	commands int
}

// NewCard builds the card the deck entry describes.
func NewCard(dc DeckCard) (*Card, error) {
	f, err := dc.files()
	if err != nil {
		return nil, fmt.Errorf("sscsim: card %q: %w", dc.Label, err)
	}
	return &Card{label: dc.Label, files: f, locked: dc.Locked}, nil
}

// Label is the deck label the card was built from.
func (c *Card) Label() string { return c.label }

// Inject arms a fault for the command after the next `after` ones (0:
// the very next command).
func (c *Card) Inject(f Fault, after int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults = append(c.faults, pending{f: f, after: after})
}

// Commands returns how many command APDUs the card has answered.
func (c *Card) Commands() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.commands
}

// Reset returns the card to its state after power-on: nothing selected.
func (c *Card) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.selected, c.current, c.response = false, 0, nil
}

// Process answers one command APDU. pulled is true when a FaultPull
// fired: the caller must act as if the card left (no answer).
func (c *Card) Process(apdu []byte) (resp []byte, pulled bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pulled {
		return nil, true
	}
	c.commands++
	fault := c.nextFault()
	if fault == FaultPull {
		c.pulled = true
		return nil, true
	}
	resp = c.answer(apdu)
	switch fault {
	case FaultTruncate:
		data := resp[:len(resp)-2]
		resp = append(data[:len(data)/2:len(data)/2], resp[len(resp)-2:]...)
	case FaultNoStatus:
		resp = resp[:1]
	case FaultWrongSW:
		resp = sw(ssc.SWNoInfo)
	}
	return resp, false
}

// Transmit implements ssc.Transmitter, for a card used in process with no
// PC/SC stack between.
func (c *Card) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	resp, pulled := c.Process(apdu)
	if pulled {
		return nil, ssc.ErrCardRemoved
	}
	return resp, nil
}

func (c *Card) nextFault() Fault {
	var fired Fault
	kept := c.faults[:0]
	for _, p := range c.faults {
		switch {
		case p.after == 0 && fired == 0:
			fired = p.f
		case p.after == 0:
			kept = append(kept, p) // a second fault for this command waits for the next
		default:
			p.after--
			kept = append(kept, p)
		}
	}
	c.faults = kept
	return fired
}

func sw(s ssc.SW) []byte { return []byte{s.SW1(), s.SW2()} }

// fci is what GET RESPONSE gives after the application's SELECT: a file
// control information template (6F) holding the DF name (84).
func fci() []byte {
	return append([]byte{0x6F, byte(2 + len(ssc.AppName)), 0x84, byte(len(ssc.AppName))}, ssc.AppName...)
}

// answer is the card's answer to one command, before faults.
func (c *Card) answer(apdu []byte) []byte {
	waiting := c.response
	c.response = nil
	if len(apdu) < 4 {
		return sw(ssc.SWWrongLength)
	}
	cla, ins, p1, p2 := apdu[0], apdu[1], apdu[2], apdu[3]
	body := apdu[4:]
	if cla != 0x00 {
		return sw(ssc.SWClaNotSupp)
	}
	switch ins {
	case ssc.InsSelect:
		if len(body) < 1 || len(body) < 1+int(body[0]) {
			return sw(ssc.SWWrongLength)
		}
		return c.selectFile(p1, body[1:1+int(body[0])])
	case ssc.InsReadRecord:
		if len(body) != 1 {
			return sw(ssc.SWWrongLength)
		}
		return c.readRecord(p1, p2, int(body[0]))
	case ssc.InsGetResponse:
		if waiting == nil {
			return sw(0x6985) // conditions of use not satisfied
		}
		return withLe(waiting, len(body), body)
	}
	return sw(ssc.SWInsNotSupp)
}

func (c *Card) selectFile(p1 byte, name []byte) []byte {
	switch p1 {
	case 0x04:
		if c.files == nil || !bytes.Equal(name, ssc.AppName) {
			return sw(ssc.SWFileNotFound)
		}
		c.selected, c.current = true, 0
		c.response = fci()
		return []byte{0x61, byte(len(c.response))}
	case 0x02:
		if !c.selected || len(name) != 2 {
			return sw(ssc.SWFileNotFound)
		}
		switch fid := uint16(name[0])<<8 | uint16(name[1]); fid {
		case 0xEF05, 0xEF06:
			c.current = fid
			return sw(ssc.SWOK)
		}
		return sw(ssc.SWFileNotFound)
	}
	return sw(0x6A86)
}

func (c *Card) readRecord(p1, p2 byte, le int) []byte {
	if !c.selected {
		return sw(ssc.SWNotAllowed)
	}
	if c.locked {
		return sw(ssc.SWBlocked)
	}
	var file uint16
	switch sfi := p2 >> 3; {
	case p2&0x07 != 0x04 && p2 != 0x00:
		return sw(0x6A86)
	case sfi == 5:
		file = 0xEF05
	case sfi == 6:
		file = 0xEF06
	case sfi == 0 && c.current != 0:
		file = c.current
	case sfi == 0:
		return sw(ssc.SWNotAllowed)
	default:
		return sw(ssc.SWFileNotFound)
	}
	recs := c.files.ef05
	if file == 0xEF06 {
		recs = c.files.ef06
	}
	rec, ok := recs[p1]
	if !ok {
		return sw(ssc.SWRecordNotFound)
	}
	return withLe(rec, 1, []byte{byte(le)})
}

// withLe answers data as a T=0 card does for the Le in body: all of it
// when Le matches, 6Cxx with the right length when it does not.
func withLe(data []byte, n int, body []byte) []byte {
	if n != 1 {
		return sw(ssc.SWWrongLength)
	}
	le := int(body[0])
	if le == 0 {
		le = 256
	}
	if le != len(data) {
		return []byte{0x6C, byte(len(data))}
	}
	return append(append([]byte{}, data...), 0x90, 0x00)
}

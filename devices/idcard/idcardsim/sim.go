package idcardsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/devices/conn"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/internal/pace"
)

// Fault is a misbehaviour injected into the simulator's next replies.
type Fault int

// The faults.
const (
	// FaultBadChecksum sends the reply with its checksum byte flipped.
	FaultBadChecksum Fault = iota + 1
	// FaultTruncate sends the first half of the reply and nothing more.
	FaultTruncate
	// FaultSilence sends no reply at all.
	FaultSilence
	// FaultGarbage sends noise (including a false preamble start) before
	// the reply.
	FaultGarbage
)

func (f Fault) String() string {
	switch f {
	case FaultBadChecksum:
		return "bad checksum"
	case FaultTruncate:
		return "truncated frame"
	case FaultSilence:
		return "silence"
	case FaultGarbage:
		return "garbage"
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// Garbage is what FaultGarbage sends before the reply: line noise with a
// partial preamble and a preamble followed by an impossible length.
var Garbage = []byte{0x00, 0xFF, 0xAA, 0xAA, 0x13, 0xAA, 0xAA, 0xAA, 0x96, 0x00, 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0xFF, 0xFF, 0x55}

// SAMIDBytes is the SAM management information the simulator reports:
// the example of docs/idcard-protocol.md, "Replies",
// 05.01-20100720-0001036050-0288634305.
var SAMIDBytes = []byte{0x05, 0x00, 0x01, 0x00, 0x70, 0xB6, 0x32, 0x01, 0x12, 0xCF, 0x0F, 0x00, 0xC1, 0x35, 0x34, 0x11}

// Options configure a Sim. The zero value is a reader at 115200 baud that
// answers a bad checksum with SW3 10.
type Options struct {
	// Baud is the starting line rate; 0 means 115200.
	Baud int
	// Unpaced sends replies as fast as the stream takes them, for tests
	// that do not care about timing.
	Unpaced bool
	// SilentOnBadChecksum makes the simulator ignore a request with a bad
	// checksum instead of answering 10; real SAMs may do either.
	SilentOnBadChecksum bool
	// FlakyAfterRead makes the first find after a successful read answer
	// "no card" although the card is still there, as some readers do
	// (docs/idcard-protocol.md, "Field traps").
	FlakyAfterRead bool
	// Logger receives one debug line per command; nil discards.
	Logger *slog.Logger
}

// Sim is a simulated reader. Its control methods are safe to call from
// any goroutine while Serve runs.
type Sim struct {
	deck *Deck
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	baud     int
	card     *DeckCard
	text     []byte // the placed card's text block
	selected bool
	flaky    bool // the next find answers 80 (FlakyAfterRead)
	faults   []Fault
	failRead int  // reads still to answer 41
	unplug   bool // cut the next read's reply half-way and end Serve
	counts   map[string]int
}

// New returns a simulator serving the cards of deck.
func New(deck *Deck, opts *Options) *Sim {
	s := &Sim{deck: deck, counts: make(map[string]int)}
	if opts != nil {
		s.opts = *opts
	}
	s.baud = s.opts.Baud
	if s.baud == 0 {
		s.baud = 115200
	}
	s.log = s.opts.Logger
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Deck returns the simulator's deck.
func (s *Sim) Deck() *Deck { return s.deck }

// Labels lists the labels of the deck's cards.
func (s *Sim) Labels() []string {
	out := make([]string, len(s.deck.Cards))
	for i, c := range s.deck.Cards {
		out[i] = c.Label
	}
	return out
}

// Place puts the card with label on the reader, replacing any card there.
func (s *Sim) Place(label string) error {
	c, ok := s.deck.Find(label)
	if !ok {
		return fmt.Errorf("idcardsim: no card %q in the deck", label)
	}
	card, err := c.Card()
	if err != nil {
		return fmt.Errorf("idcardsim: card %q: %w", label, err)
	}
	text, err := idcard.EncodeText(card)
	if err != nil {
		return fmt.Errorf("idcardsim: card %q: %w", label, err)
	}
	if _, err := idcard.AppendAddress(nil, card.AppendedAddress); err != nil {
		return fmt.Errorf("idcardsim: card %q: %w", label, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.card, s.text, s.selected, s.flaky = &c, text, false, false
	return nil
}

// Remove takes the card off the reader.
func (s *Sim) Remove() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.card, s.text, s.selected, s.flaky = nil, nil, false, false
}

// Placed returns the label of the card on the reader, "" if none.
func (s *Sim) Placed() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.card == nil {
		return ""
	}
	return s.card.Label
}

// Inject makes the next n replies misbehave with f. Faults queue up in
// the order injected.
func (s *Sim) Inject(f Fault, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, f)
	}
}

// FailReads makes the next n read commands (30 01, 30 10) answer 41
// "read failed", as a reader does when the card is moved mid-read or its
// chip is damaged.
func (s *Sim) FailReads(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRead = n
}

// ErrUnplugged is what Serve returns after UnplugMidRead cut a reply
// short. The caller then closes the line under the host (a pty's master,
// a pipe's end), as pulling the reader's USB cable does; a new Serve on a
// new line is the reader plugged in again.
var ErrUnplugged = errors.New("idcardsim: unplugged in the middle of a reply")

// UnplugMidRead makes the reader vanish during the next card read: the
// read's reply (30 01 or 30 10) goes out half-way, then Serve returns
// ErrUnplugged. The cut falls on the same byte on any machine.
func (s *Sim) UnplugMidRead() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unplug = true
}

// PendingFaults returns how many injected faults have not been used yet.
func (s *Sim) PendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.faults)
}

// Baud returns the simulated line rate.
func (s *Sim) Baud() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baud
}

// Count returns how many requests of a kind the simulator has received:
// the names of idcard.Command.String without the codes ("find", "read").
func (s *Sim) Count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[name]
}

// Serve answers requests read from rw until ctx ends (it returns ctx's
// error) or the host is gone, as conn.Gone decides: the stream ended or
// was closed (it returns nil). To end
// promptly on ctx, rw should support SetReadDeadline (a pty master, a
// net.Conn); otherwise Serve returns at the next byte or when the caller
// closes rw. Serve one stream at a time.
func (s *Sim) Serve(ctx context.Context, rw io.ReadWriter) error {
	// The write deadline too: a host that stopped reading must not keep
	// Serve from ending. An error here is a closed stream, which the
	// first read reports.
	release, _ := conn.Bind(ctx, rw, time.Time{})
	defer release()
	var out io.Writer = rw
	var pacer *pace.Writer
	if !s.opts.Unpaced {
		pacer = pace.NewWriter(rw, s.Baud())
		out = pacer
	}
	dec := idcard.NewDecoder(rw)
	for {
		body, err := dec.Next()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var reply []byte
		newBaud := 0
		switch {
		case err == nil:
			reply, newBaud = s.handle(body)
		case errors.Is(err, idcard.ErrChecksum):
			s.log.Debug("idcardsim: bad checksum from host")
			if s.opts.SilentOnBadChecksum {
				continue
			}
			reply = idcard.Reply(idcard.StatusChecksum)
		case errors.Is(err, idcard.ErrFrameLength):
			reply = idcard.Reply(idcard.StatusLength)
		case conn.Gone(err):
			return nil
		default:
			return fmt.Errorf("idcardsim: %w", err)
		}
		if s.unplugging(body, err) {
			frame := idcard.Encode(reply)
			if _, err := out.Write(frame[:len(frame)/2]); err != nil && !conn.Gone(err) {
				return fmt.Errorf("idcardsim: %w", err)
			}
			return ErrUnplugged
		}
		if err := s.send(out, idcard.Encode(reply)); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if conn.Gone(err) {
				return nil
			}
			return fmt.Errorf("idcardsim: %w", err)
		}
		if newBaud != 0 {
			// The reply went out at the old rate; now switch.
			s.mu.Lock()
			s.baud = newBaud
			s.mu.Unlock()
			if pacer != nil {
				pacer.SetBaud(newBaud)
			}
		}
	}
}

// unplugging reports whether the request just answered is a card read
// that UnplugMidRead asked to cut, and clears the request.
func (s *Sim) unplugging(body []byte, err error) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.unplug || err != nil || len(body) < 2 || body[0] != 0x30 || (body[1] != 0x01 && body[1] != 0x10) {
		return false
	}
	s.unplug = false
	return true
}

// send writes a reply frame, applying the next fault if one is queued.
func (s *Sim) send(w io.Writer, frame []byte) error {
	s.mu.Lock()
	var f Fault
	if len(s.faults) > 0 {
		f, s.faults = s.faults[0], s.faults[1:]
	}
	s.mu.Unlock()
	switch f {
	case FaultSilence:
		return nil
	case FaultBadChecksum:
		frame[len(frame)-1] ^= 0xFF
	case FaultTruncate:
		frame = frame[:len(frame)/2]
	case FaultGarbage:
		frame = append(append([]byte(nil), Garbage...), frame...)
	}
	_, err := w.Write(frame)
	return err
}

// handle runs one command and returns the reply body, and the new baud
// rate when the command changes it.
func (s *Sim) handle(body []byte) (reply []byte, newBaud int) {
	cmd := idcard.Command{Cmd: body[0], Para: body[1], Data: body[2:]}
	s.mu.Lock()
	defer s.mu.Unlock()
	name := cmd.String()
	if i := len(name) - len(" (00 00)"); i > 0 {
		name = name[:i]
	}
	s.counts[name]++
	s.log.Debug("idcardsim: command", "cmd", cmd.String(), "card", s.card != nil)

	noData := len(cmd.Data) == 0
	switch {
	case cmd.Cmd == 0x10 && cmd.Para == 0xFF && noData:
		s.selected = false
		return idcard.Reply(idcard.StatusOK), 0
	case cmd.Cmd == 0x11 && cmd.Para == 0xFF && noData:
		return idcard.Reply(idcard.StatusOK), 0
	case cmd.Cmd == 0x12 && cmd.Para == 0xFF && noData:
		return idcard.Reply(idcard.StatusOK, SAMIDBytes), 0
	case cmd.Cmd == 0x20 && cmd.Para == 0x01 && noData:
		s.selected = false
		if s.card == nil {
			return idcard.Reply(idcard.StatusFindFailed), 0
		}
		if s.flaky {
			s.flaky = false
			return idcard.Reply(idcard.StatusFindFailed), 0
		}
		return idcard.Reply(idcard.StatusFound, make([]byte, 4)), 0
	case cmd.Cmd == 0x20 && cmd.Para == 0x02 && noData:
		if s.card == nil {
			return idcard.Reply(idcard.StatusSelectFailed), 0
		}
		s.selected = true
		return idcard.Reply(idcard.StatusOK, make([]byte, 8)), 0
	case cmd.Cmd == 0x30 && (cmd.Para == 0x01 || cmd.Para == 0x10) && noData:
		if s.card == nil || !s.selected || s.failRead > 0 {
			s.failRead = max(0, s.failRead-1)
			return idcard.Reply(idcard.StatusReadFailed), 0
		}
		c, err := s.card.Card()
		if err != nil { // checked by Place
			return idcard.Reply(idcard.StatusReadFailed), 0
		}
		raw := idcard.RawCard{Text: s.text, Photo: c.Photo, Fingerprint: c.Fingerprint}
		s.flaky = s.opts.FlakyAfterRead
		return idcard.AppendRead(idcard.Reply(idcard.StatusOK), raw, cmd.Para == 0x10), 0
	case cmd.Cmd == 0x30 && cmd.Para == 0x03 && noData:
		if s.card == nil || !s.selected {
			return idcard.Reply(idcard.StatusReadFailed), 0
		}
		if s.card.AppendedAddress == "" {
			return idcard.Reply(idcard.StatusNoContent), 0
		}
		reply, err := idcard.AppendAddress(idcard.Reply(idcard.StatusOK), idcard.Address(s.card.AppendedAddress))
		if err != nil { // checked by Place
			return idcard.Reply(idcard.StatusReadFailed), 0
		}
		return reply, 0
	case cmd.Cmd == 0x60 && noData:
		baud, err := idcard.BaudFromCode(cmd.Para)
		if err != nil {
			return idcard.Reply(idcard.StatusCommand), 0
		}
		return idcard.Reply(idcard.StatusOK), baud
	case cmd.Cmd == 0x61 && cmd.Para == 0xFF && len(cmd.Data) == 1:
		return idcard.Reply(idcard.StatusOK), 0
	case known(cmd):
		// A known command with the wrong amount of data.
		return idcard.Reply(idcard.StatusLength), 0
	}
	return idcard.Reply(idcard.StatusCommand), 0
}

func known(c idcard.Command) bool {
	switch c.Cmd {
	case 0x10, 0x11, 0x12, 0x61:
		return c.Para == 0xFF
	case 0x20:
		return c.Para == 0x01 || c.Para == 0x02
	case 0x30:
		return c.Para == 0x01 || c.Para == 0x03 || c.Para == 0x10
	case 0x60:
		return true
	}
	return false
}

package sscsim

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"
)

// The control bytes vpcd sends to the card as one-byte messages
// (docs/ssc-card.md, "The vpcd link").
const (
	ctrlPowerOff byte = 0
	ctrlPowerOn  byte = 1
	ctrlReset    byte = 2
	ctrlATR      byte = 4
)

// Options configure a Sim. The zero value is the default.
type Options struct {
	// Addr is vpcd's address, host:port; "" means 127.0.0.1:35963, the
	// port of Debian's reader.conf for vpcd.
	Addr string
	// DialTimeout bounds the connection to vpcd; 0 means 2 s.
	DialTimeout time.Duration
	// Logger receives the simulator's own messages (never card data); nil
	// means none.
	Logger *slog.Logger
}

// DefaultAddr is where vpcd waits for a card in Debian's configuration:
// port 0x8C7B.
const DefaultAddr = "127.0.0.1:35963"

// Sim is a virtual card slot: Insert connects a card of the deck to vpcd,
// as if it were pushed into the reader, and Remove pulls it out. The demo
// window and the tests call these from any goroutine.
type Sim struct {
	deck *Deck
	opts Options

	mu    sync.Mutex
	card  *Card
	conn  net.Conn
	done  chan struct{} // closed when the current card's link ends
	stats Stats
}

// Stats counts what the virtual card has been asked over vpcd.
type Stats struct {
	Links    int // connections made (cards inserted)
	ATRs     int // ATR requests
	Commands int // command APDUs answered
}

// New returns a Sim holding no card.
func New(deck *Deck, opts *Options) *Sim {
	s := &Sim{deck: deck}
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.Addr == "" {
		s.opts.Addr = DefaultAddr
	}
	if s.opts.DialTimeout <= 0 {
		s.opts.DialTimeout = 2 * time.Second
	}
	if s.opts.Logger == nil {
		s.opts.Logger = slog.New(slog.DiscardHandler)
	}
	return s
}

// Deck returns the deck.
func (s *Sim) Deck() *Deck { return s.deck }

// Addr returns vpcd's address.
func (s *Sim) Addr() string { return s.opts.Addr }

// Insert puts the card with the label in the reader: the card it holds,
// if any, is removed first, then a connection to vpcd is made. It fails
// when the label is not in the deck or vpcd does not answer (pcscd not
// running with the vpcd driver, or another card already connected).
func (s *Sim) Insert(label string) error {
	dc, ok := s.deck.Find(label)
	if !ok {
		return fmt.Errorf("sscsim: no card %q in the deck", label)
	}
	card, err := NewCard(dc)
	if err != nil {
		return err
	}
	return s.InsertCard(card)
}

// InsertCard puts a card built by the caller in the reader (to arm faults
// on it first).
func (s *Sim) InsertCard(card *Card) error {
	s.Remove()
	conn, err := net.DialTimeout("tcp", s.opts.Addr, s.opts.DialTimeout)
	if err != nil {
		return fmt.Errorf("sscsim: vpcd at %s: %w (is pcscd running with the vpcd driver?)", s.opts.Addr, err)
	}
	done := make(chan struct{})
	s.mu.Lock()
	s.card, s.conn, s.done = card, conn, done
	s.stats.Links++
	s.mu.Unlock()
	go func() {
		defer close(done)
		err := s.serve(conn, card)
		if err != nil && !errors.Is(err, net.ErrClosed) && !errors.Is(err, io.EOF) {
			s.opts.Logger.Warn("vpcd link ended", "err", err)
		}
		s.mu.Lock()
		if s.conn == conn {
			s.card, s.conn = nil, nil
		}
		s.mu.Unlock()
		conn.Close()
	}()
	return nil
}

// Remove takes the card out: the connection to vpcd closes, which vpcd
// and pcscd see as the card leaving. It waits until the link has ended.
func (s *Sim) Remove() {
	s.mu.Lock()
	conn, done := s.conn, s.done
	s.card, s.conn = nil, nil
	s.mu.Unlock()
	if conn != nil {
		conn.Close()
		<-done
	}
}

// Inserted returns the label of the card in the reader, "" for none. A
// card pulled by FaultPull counts as gone.
func (s *Sim) Inserted() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.card == nil {
		return ""
	}
	return s.card.Label()
}

// Inject arms a fault on the card in the reader (see Card.Inject).
func (s *Sim) Inject(f Fault, after int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.card == nil {
		return errors.New("sscsim: no card in the reader")
	}
	s.card.Inject(f, after)
	return nil
}

// Stats returns the counts so far.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Close removes the card.
func (s *Sim) Close() error {
	s.Remove()
	return nil
}

// serve answers vpcd on one connection until it closes or the card is
// pulled. Every message either way is a two-byte big-endian length and
// that many bytes; from vpcd, one byte is a control code and more is a
// command APDU.
func (s *Sim) serve(conn net.Conn, card *Card) error {
	r := ackReader{conn}
	for {
		msg, err := readMsg(r)
		if err != nil {
			return err
		}
		var answer []byte
		switch {
		case len(msg) == 1 && msg[0] == ctrlATR:
			s.count(func(st *Stats) { st.ATRs++ })
			answer = ATR
		case len(msg) == 1 && (msg[0] == ctrlReset || msg[0] == ctrlPowerOn || msg[0] == ctrlPowerOff):
			card.Reset()
			continue // no answer
		case len(msg) == 1:
			return fmt.Errorf("sscsim: unknown vpcd control byte 0x%02X", msg[0])
		default:
			resp, pulled := card.Process(msg)
			if pulled {
				return nil // the deferred Close is the card leaving
			}
			s.count(func(st *Stats) { st.Commands++ })
			answer = resp
		}
		if err := writeMsg(conn, answer); err != nil {
			return err
		}
	}
}

func (s *Sim) count(f func(*Stats)) {
	s.mu.Lock()
	f(&s.stats)
	s.mu.Unlock()
}

// ackReader sets TCP_QUICKACK before every read (see quickAck).
type ackReader struct{ conn net.Conn }

func (a ackReader) Read(p []byte) (int, error) {
	quickAck(a.conn)
	return a.conn.Read(p)
}

// readMsg reads one length-prefixed message.
func readMsg(r io.Reader) ([]byte, error) {
	var n [2]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, err
	}
	msg := make([]byte, binary.BigEndian.Uint16(n[:]))
	if _, err := io.ReadFull(r, msg); err != nil {
		return nil, fmt.Errorf("sscsim: vpcd message cut short: %w", err)
	}
	return msg, nil
}

// writeMsg writes one length-prefixed message.
func writeMsg(w io.Writer, msg []byte) error {
	if len(msg) > 0xFFFF {
		return fmt.Errorf("sscsim: message of %d bytes is too long for vpcd", len(msg))
	}
	buf := binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(msg)), uint16(len(msg)))
	_, err := w.Write(append(buf, msg...))
	return err
}

// Run holds the simulator until ctx ends, then removes the card. It is
// for programs (devsim) that have nothing else to wait on.
func (s *Sim) Run(ctx context.Context) error {
	<-ctx.Done()
	s.Remove()
	return ctx.Err()
}

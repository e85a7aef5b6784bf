package idcard

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/devices/conn"
)

// Timeouts bound the wait for each reply, from the values in shipped
// code (docs/idcard-protocol.md, "Timing"). They include the transfer
// time: the read reply takes
// 112 ms at 115200 baud and 1.35 s at 9600.
type Timeouts struct {
	Find            time.Duration
	Select          time.Duration
	Read            time.Duration
	ReadFingerprint time.Duration
	ReadAddress     time.Duration
	SAM             time.Duration // status, SAM ID, set baud, max RF frame
	Reset           time.Duration
}

// DefaultTimeouts are used for every zero field of Options.Timeouts.
var DefaultTimeouts = Timeouts{
	Find:            500 * time.Millisecond,
	Select:          300 * time.Millisecond,
	Read:            2 * time.Second,
	ReadFingerprint: 3 * time.Second,
	ReadAddress:     1500 * time.Millisecond,
	SAM:             300 * time.Millisecond,
	Reset:           time.Second,
}

func (t Timeouts) withDefaults() Timeouts {
	d := DefaultTimeouts
	set := func(dst *time.Duration, v time.Duration) {
		if v > 0 {
			*dst = v
		}
	}
	set(&d.Find, t.Find)
	set(&d.Select, t.Select)
	set(&d.Read, t.Read)
	set(&d.ReadFingerprint, t.ReadFingerprint)
	set(&d.ReadAddress, t.ReadAddress)
	set(&d.SAM, t.SAM)
	set(&d.Reset, t.Reset)
	return d
}

// Options configure a Reader. The zero value is the default.
type Options struct {
	// Timeouts per command; zero fields take DefaultTimeouts.
	Timeouts Timeouts
	// Retries is how many times a command is sent again after a damaged
	// or missing reply (a frame checksum error, a timeout, the reader
	// reporting our frame damaged). 0 means 2; negative means none.
	Retries int
	// Fingerprint makes ReadCard use 30 10 and keep the fingerprint.
	Fingerprint bool
	// AppendedAddress makes ReadCard also send 30 03.
	AppendedAddress bool
	// Now is the clock for validation; nil means time.Now.
	Now func() time.Time
}

// ErrTimeout: the reader did not answer within the command's timeout
// (after retries). It is reported together with os.ErrDeadlineExceeded.
var ErrTimeout = errors.New("idcard: no reply from the reader")

// ErrDisconnected: the connection to the reader is gone (the port was
// unplugged or closed). The Reader is of no further use; open a new one.
var ErrDisconnected = errors.New("idcard: reader disconnected")

// Reader drives one card reader over a conn.Conn. Its methods are safe
// for concurrent use; commands are sent one at a time.
type Reader struct {
	conn conn.Conn
	dec  *Decoder
	opts Options
	to   Timeouts

	mu    sync.Mutex // one command at a time
	dirty bool       // stale bytes may be in flight: drain before sending
}

// NewReader returns a Reader speaking over c. It sends nothing.
func NewReader(c conn.Conn, opts *Options) *Reader {
	r := &Reader{conn: c, dec: NewDecoder(c)}
	if opts != nil {
		r.opts = *opts
	}
	if r.opts.Retries == 0 {
		r.opts.Retries = 2
	}
	if r.opts.Now == nil {
		r.opts.Now = time.Now
	}
	r.to = r.opts.Timeouts.withDefaults()
	return r
}

// Close closes the connection.
func (r *Reader) Close() error { return r.conn.Close() }

// Exec sends cmd and returns the reply, waiting at most timeout for it
// and retrying as Options.Retries says. A reply whose status is not a
// success is returned with a *StatusError. Every other method is built on
// it; kioskctl uses it to send raw commands.
func (r *Reader) Exec(ctx context.Context, cmd Command, timeout time.Duration) (Response, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var err error
	for attempt := 0; ; attempt++ {
		var resp Response
		resp, err = r.once(ctx, cmd, timeout)
		if err == nil {
			if err = resp.Err(); err == nil || !retryable(err) {
				if err != nil {
					err = fmt.Errorf("%v: %w", cmd, err)
				}
				return resp, err
			}
			r.dirty = true
		}
		if !retryable(err) || attempt >= r.opts.Retries || ctx.Err() != nil {
			break
		}
	}
	return Response{}, fmt.Errorf("%v: %w", cmd, err)
}

// retryable: a damaged or missing reply, or our frame damaged on the way.
func retryable(err error) bool {
	return errors.Is(err, ErrTimeout) || errors.Is(err, ErrChecksum) || errors.Is(err, ErrFrameLength) ||
		errors.Is(err, ErrShortReply) || errors.Is(err, ErrReaderChecksum) || errors.Is(err, ErrReaderLength)
}

func (r *Reader) once(ctx context.Context, cmd Command, timeout time.Duration) (Response, error) {
	if err := ctx.Err(); err != nil {
		return Response{}, err
	}
	if r.dirty {
		r.drain()
		r.dirty = false
	}
	// A connection that can block writes (net.Pipe) gets the same
	// deadline, so a peer that stopped reading cannot hang the driver.
	release, err := conn.Bind(ctx, r.conn, time.Now().Add(timeout))
	if err != nil {
		if conn.Gone(err) {
			return Response{}, fmt.Errorf("%w: %w", ErrDisconnected, err)
		}
		return Response{}, err
	}
	defer release()

	if _, err := r.conn.Write(cmd.Frame()); err != nil {
		switch {
		case ctx.Err() != nil:
			return Response{}, ctx.Err()
		case conn.Gone(err):
			return Response{}, fmt.Errorf("%w: %w", ErrDisconnected, err)
		case errors.Is(err, os.ErrDeadlineExceeded):
			r.dirty = true
			return Response{}, fmt.Errorf("%w: the request could not be sent: %w", ErrTimeout, err)
		}
		return Response{}, err
	}

	for {
		body, err := r.dec.Next()
		switch {
		case err == nil:
			resp, err := ParseResponse(body)
			if err == nil && !fits(cmd, resp) {
				// The late reply to an earlier command that was retried
				// after a timeout: there is no sequence number, so tell
				// it by its shape and keep waiting.
				continue
			}
			return resp, err
		case errors.Is(err, ErrFrameLength):
			// Noise that looked like a preamble: keep looking.
			continue
		case errors.Is(err, os.ErrDeadlineExceeded):
			r.dirty = true
			if ctx.Err() != nil {
				return Response{}, ctx.Err()
			}
			return Response{}, fmt.Errorf("%w after %v: %w", ErrTimeout, timeout, err)
		case conn.Gone(err):
			return Response{}, fmt.Errorf("%w: %w", ErrDisconnected, err)
		default:
			r.dirty = true
			return Response{}, err
		}
	}
}

// fits reports whether a reply has the shape of a reply to cmd. Error
// replies carry no data; success replies differ in code and length:
// find answers 9F, select 90 and 8 bytes, a read 90 and at least the
// 260 bytes of lengths and text, the SAM ID 90 and 16 bytes.
func fits(cmd Command, r Response) bool {
	if !success(r.SW3) {
		return len(r.Data) == 0
	}
	n := len(r.Data)
	switch {
	case cmd.Cmd == CmdFind.Cmd && cmd.Para == CmdFind.Para:
		return r.SW3 == StatusFound
	case r.SW3 != StatusOK:
		return false
	case cmd.Cmd == 0x30 && (cmd.Para == CmdRead.Para || cmd.Para == CmdReadFingerprint.Para):
		return n >= 4+TextLen
	case cmd.Cmd == CmdReadAddress.Cmd && cmd.Para == CmdReadAddress.Para:
		return n > 8 && n < 4+TextLen
	case cmd.Cmd == CmdSAMID.Cmd:
		return n == 16
	case cmd.Cmd == CmdSelect.Cmd && cmd.Para == CmdSelect.Para:
		return n <= 8
	case cmd.Cmd == CmdResetSAM.Cmd, cmd.Cmd == CmdSAMStatus.Cmd, cmd.Cmd == 0x60, cmd.Cmd == 0x61:
		return n == 0
	}
	return true // a command this package does not know: take any reply
}

// drain throws away whatever arrives until the line has been quiet for a
// moment: the late or partial reply of a command that was given up on,
// which would otherwise be taken for the next command's reply.
func (r *Reader) drain() {
	r.dec.Discard()
	const quiet, most = 20 * time.Millisecond, 500 * time.Millisecond
	end := time.Now().Add(most)
	buf := make([]byte, 256)
	for time.Now().Before(end) {
		r.conn.SetReadDeadline(time.Now().Add(quiet))
		if _, err := r.conn.Read(buf); err != nil {
			return
		}
	}
}

// ResetSAM resets the SAM module (10 FF).
func (r *Reader) ResetSAM(ctx context.Context) error {
	_, err := r.Exec(ctx, CmdResetSAM, r.to.Reset)
	return err
}

// SAMStatus checks the SAM module (11 FF): nil when it answers 90.
func (r *Reader) SAMStatus(ctx context.Context) error {
	_, err := r.Exec(ctx, CmdSAMStatus, r.to.SAM)
	return err
}

// SAMID reads the SAM's management information (12 FF).
func (r *Reader) SAMID(ctx context.Context) (SAMID, error) {
	resp, err := r.Exec(ctx, CmdSAMID, r.to.SAM)
	if err != nil {
		return SAMID{}, err
	}
	return ParseSAMID(resp.Data)
}

// Find looks for a card (20 01): true when one is on the reader (9F),
// false when there is none (80).
func (r *Reader) Find(ctx context.Context) (bool, error) {
	_, err := r.Exec(ctx, CmdFind, r.to.Find)
	if errors.Is(err, ErrNoCard) {
		return false, nil
	}
	return err == nil, err
}

// Select selects the card found (20 02). It fails with ErrSelectFailed
// when the card cannot be selected.
func (r *Reader) Select(ctx context.Context) error {
	_, err := r.Exec(ctx, CmdSelect, r.to.Select)
	return err
}

// Read reads the text and photo of the selected card (30 01). Without a
// select first the reader answers ErrReadFailed.
func (r *Reader) Read(ctx context.Context) (RawCard, error) {
	resp, err := r.Exec(ctx, CmdRead, r.to.Read)
	if err != nil {
		return RawCard{}, err
	}
	return ParseRead(resp.Data, false)
}

// ReadWithFingerprint reads text, photo and fingerprint (30 10); the
// fingerprint is empty when the card holds none.
func (r *Reader) ReadWithFingerprint(ctx context.Context) (RawCard, error) {
	resp, err := r.Exec(ctx, CmdReadFingerprint, r.to.ReadFingerprint)
	if err != nil {
		return RawCard{}, err
	}
	return ParseRead(resp.Data, true)
}

// ReadAddress reads the appended address (30 03). A card without one
// gives "" and no error (the reader answers 91).
func (r *Reader) ReadAddress(ctx context.Context) (Address, error) {
	resp, err := r.Exec(ctx, CmdReadAddress, r.to.ReadAddress)
	if errors.Is(err, ErrNoContent) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return Address(ucs2(resp.Data)), nil
}

// SetBaud switches the reader to another rate (60 nn). The reader replies
// at the old rate and then changes; when the connection can change its
// rate (conn.BaudSetter, a real port) it is switched too.
func (r *Reader) SetBaud(ctx context.Context, baud int) error {
	cmd, err := CmdSetBaud(baud)
	if err != nil {
		return err
	}
	if _, err := r.Exec(ctx, cmd, r.to.SAM); err != nil {
		return err
	}
	if bs, ok := r.conn.(conn.BaudSetter); ok {
		if err := bs.SetBaud(baud); err != nil {
			return fmt.Errorf("idcard: the reader now runs at %d baud but the port did not follow: %w", baud, err)
		}
	}
	return nil
}

// SetMaxRFFrame sets the largest RF frame (61 FF nn).
func (r *Reader) SetMaxRFFrame(ctx context.Context, n byte) error {
	_, err := r.Exec(ctx, CmdSetMaxRFFrame(n), r.to.SAM)
	return err
}

// ReadCard finds, selects and reads the card on the reader, decodes it
// and validates it. With no card it fails with ErrNoCard. When the card
// was read but fails validation (expired, not yet valid, inconsistent) it
// returns the card and a *CardError, so a caller can show what is wrong.
func (r *Reader) ReadCard(ctx context.Context) (*Card, error) {
	found, err := r.Find(ctx)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%v: %w", CmdFind, ErrNoCard)
	}
	if err := r.Select(ctx); err != nil {
		return nil, err
	}
	return r.readSelected(ctx)
}

func (r *Reader) readSelected(ctx context.Context) (*Card, error) {
	var raw RawCard
	var err error
	if r.opts.Fingerprint {
		raw, err = r.ReadWithFingerprint(ctx)
	} else {
		raw, err = r.Read(ctx)
	}
	if err != nil {
		return nil, err
	}
	c, err := DecodeText(raw.Text)
	if err != nil {
		return nil, err
	}
	c.Photo = raw.Photo
	c.Fingerprint = raw.Fingerprint
	if r.opts.AppendedAddress {
		if c.AppendedAddress, err = r.ReadAddress(ctx); err != nil {
			return nil, err
		}
	}
	if err := c.Validate(r.opts.Now()); err != nil {
		return c, err
	}
	return c, nil
}

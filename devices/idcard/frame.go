package idcard

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// Preamble starts every frame in both directions.
var Preamble = [5]byte{0xAA, 0xAA, 0xAA, 0x96, 0x69}

// HeaderLen is the preamble and the two length bytes.
const HeaderLen = 7

// MaxBodyLen caps the length field a Decoder accepts: the largest reply
// in the protocol is a read with fingerprint (L = 0x090A = 2314). A longer
// length is garbage or hostile and is not allocated.
const MaxBodyLen = 4096

// minBodyLen is the shortest body: CMD PARA CHK (a request).
const minBodyLen = 3

// Frame errors. A Decoder returns them wrapped in a *FrameError.
var (
	// ErrChecksum: the frame's checksum byte does not match its bytes.
	ErrChecksum = errors.New("idcard: frame checksum mismatch")
	// ErrFrameLength: the length field is below 3 or above MaxBodyLen.
	ErrFrameLength = errors.New("idcard: frame length out of range")
)

// FrameError is a frame the Decoder rejected. The decoder has already
// skipped it: calling Next again continues with the following bytes.
type FrameError struct {
	Err    error // ErrChecksum or ErrFrameLength
	Length int   // the length field
	Got    byte  // the checksum byte received (ErrChecksum)
	Want   byte  // the checksum computed (ErrChecksum)
}

func (e *FrameError) Error() string {
	if errors.Is(e.Err, ErrChecksum) {
		return fmt.Sprintf("%v: got 0x%02X, computed 0x%02X (length %d)", e.Err, e.Got, e.Want, e.Length)
	}
	return fmt.Sprintf("%v: %d", e.Err, e.Length)
}

// Unwrap returns ErrChecksum or ErrFrameLength.
func (e *FrameError) Unwrap() error { return e.Err }

// Checksum is the XOR of b: pass the length bytes and the body, never
// the preamble nor the checksum itself.
func Checksum(b []byte) byte {
	var x byte
	for _, c := range b {
		x ^= c
	}
	return x
}

// Encode builds a whole frame around body (CMD PARA DATA for a request,
// SW1 SW2 SW3 DATA for a reply). It panics if body is longer than
// MaxBodyLen-1, which only a programming error can cause.
func Encode(body []byte) []byte {
	return AppendFrame(make([]byte, 0, HeaderLen+len(body)+1), body)
}

// AppendFrame appends the frame around body to dst.
func AppendFrame(dst, body []byte) []byte {
	n := len(body) + 1
	if n > MaxBodyLen {
		panic(fmt.Sprintf("idcard: frame body of %d bytes exceeds the protocol maximum", len(body)))
	}
	dst = append(dst, Preamble[:]...)
	start := len(dst)
	dst = append(dst, byte(n>>8), byte(n))
	dst = append(dst, body...)
	return append(dst, Checksum(dst[start:]))
}

// Decoder reads frames from a byte stream. It skips anything before a
// preamble (line noise, the tail of a frame it gave up on), so a stream
// that went wrong resynchronises by itself. It reads through a buffer:
// use one Decoder per stream for its whole life.
type Decoder struct {
	r       *bufio.Reader
	skipped int
}

// NewDecoder returns a Decoder reading from r.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{r: bufio.NewReaderSize(r, 512)}
}

// Skipped returns how many bytes the decoder has discarded looking for a
// preamble, over its whole life.
func (d *Decoder) Skipped() int { return d.skipped }

// Discard drops the bytes buffered but not yet decoded and returns how
// many there were.
func (d *Decoder) Discard() int {
	n, _ := d.r.Discard(d.r.Buffered())
	d.skipped += n
	return n
}

// Next returns the body of the next frame: the bytes after the length
// and before the checksum. A frame with a bad checksum or length yields a
// *FrameError; a read error mid-frame drops the partial frame and is
// returned as it is (io.ErrUnexpectedEOF for an end of stream inside a
// frame), so a deadline error still matches os.ErrDeadlineExceeded.
func (d *Decoder) Next() ([]byte, error) {
	if err := d.sync(); err != nil {
		return nil, err
	}
	var lb [2]byte
	if _, err := io.ReadFull(d.r, lb[:]); err != nil {
		return nil, unexpected(err)
	}
	n := int(lb[0])<<8 | int(lb[1])
	if n < minBodyLen || n > MaxBodyLen {
		d.skipped += HeaderLen
		return nil, &FrameError{Err: ErrFrameLength, Length: n}
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(d.r, buf); err != nil {
		return nil, unexpected(err)
	}
	want := Checksum(lb[:]) ^ Checksum(buf[:n-1])
	if got := buf[n-1]; got != want {
		return nil, &FrameError{Err: ErrChecksum, Length: n, Got: got, Want: want}
	}
	return buf[:n-1], nil
}

// sync consumes bytes up to and including the next preamble. It matches
// greedily so that AA AA AA AA 96 69 (noise ending in AA) still syncs.
func (d *Decoder) sync() error {
	matched := 0
	for matched < len(Preamble) {
		c, err := d.r.ReadByte()
		if err != nil {
			if matched > 0 {
				d.skipped += matched
				return unexpected(err)
			}
			return err
		}
		switch {
		case c == Preamble[matched]:
			matched++
		case c == 0xAA && matched == 3:
			// AA AA AA AA: drop the oldest AA, stay at three.
			d.skipped++
		case c == 0xAA:
			d.skipped += matched
			matched = 1
		default:
			d.skipped += matched + 1
			matched = 0
		}
	}
	return nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

package idcard_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/shcommunity/kiosk/devices/conn/conntest"
	"github.com/shcommunity/kiosk/devices/idcard"
)

// h decodes spaced hex, as the reference notes write frames.
var h = conntest.Hex

// Golden reply frames from docs/idcard-protocol.md, "Commands".
const (
	findFound   = "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97"
	findNone    = "AA AA AA 96 69 00 04 00 00 80 84"
	selectOK    = "AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C"
	selectFail  = "AA AA AA 96 69 00 04 00 00 81 85"
	statusOK    = "AA AA AA 96 69 00 04 00 00 90 94"
	samIDReply  = "AA AA AA 96 69 00 14 00 00 90 05 00 01 00 70 B6 32 01 12 CF 0F 00 C1 35 34 11"
	readHeadHex = "AA AA AA 96 69 05 08 00 00 90 01 00 04 00"
)

func TestEncodeGoldenReplies(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"find found", idcard.Reply(0x9F, make([]byte, 4)), findFound},
		{"find none", idcard.Reply(0x80), findNone},
		{"select ok", idcard.Reply(0x90, make([]byte, 8)), selectOK},
		{"select fail", idcard.Reply(0x81), selectFail},
		{"status ok", idcard.Reply(0x90), statusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := idcard.Encode(tt.body), h(t, tt.want); !bytes.Equal(got, want) {
				t.Fatalf("Encode = % X\nwant     % X", got, want)
			}
		})
	}
}

func TestSAMIDReplyChecksum(t *testing.T) {
	// The notes give the SAM ID reply without its checksum byte: compute
	// it and check the frame decodes to the documented ID string.
	body := h(t, samIDReply)[7:]
	frame := idcard.Encode(body)
	got, err := idcard.NewDecoder(bytes.NewReader(frame)).Next()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := idcard.ParseResponse(got)
	if err != nil {
		t.Fatal(err)
	}
	id, err := idcard.ParseSAMID(resp.Data)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := id.String(), "05.01-20100720-0001036050-0288634305"; got != want {
		t.Fatalf("SAM ID = %s, want %s", got, want)
	}
}

func stream(t testing.TB, frames ...string) []byte {
	var b []byte
	for _, f := range frames {
		b = append(b, h(t, f)...)
	}
	return b
}

func TestDecoderReaders(t *testing.T) {
	in := stream(t, findFound, findNone, selectOK)
	wrap := []struct {
		name string
		r    func(io.Reader) io.Reader
	}{
		{"plain", func(r io.Reader) io.Reader { return r }},
		{"one byte", iotest.OneByteReader},
		{"half", iotest.HalfReader},
		{"data err", iotest.DataErrReader},
	}
	for _, w := range wrap {
		t.Run(w.name, func(t *testing.T) {
			d := idcard.NewDecoder(w.r(bytes.NewReader(in)))
			for i, want := range []string{findFound, findNone, selectOK} {
				got, err := d.Next()
				if err != nil {
					t.Fatalf("frame %d: %v", i, err)
				}
				if w := h(t, want); !bytes.Equal(got, w[7:len(w)-1]) {
					t.Fatalf("frame %d body = % X, want % X", i, got, w[7:len(w)-1])
				}
			}
			if _, err := d.Next(); err != io.EOF {
				t.Fatalf("after the last frame Next = %v, want io.EOF", err)
			}
		})
	}
}

func TestDecoderResync(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		errs    []error // expected error of each Next before the frame
		skipped int
	}{
		{"noise", append([]byte{0x00, 0x13, 0x96, 0x69}, h(t, findNone)...), nil, 4},
		{"extra AA", append([]byte{0xAA}, h(t, findNone)...), nil, 1},
		{"partial preamble", append(h(t, "AA AA AA 96 00"), h(t, findNone)...), nil, 5},
		{"AA inside preamble", append(h(t, "AA AA AA 96 AA"), h(t, findNone)[1:]...), nil, 4},
		{"bad checksum first", append(h(t, "AA AA AA 96 69 00 04 00 00 80 00"), h(t, findNone)...),
			[]error{idcard.ErrChecksum}, 0},
		{"hostile length", append(h(t, "AA AA AA 96 69 FF FF 00"), h(t, findNone)...),
			[]error{idcard.ErrFrameLength}, 8},
		{"length too short", append(h(t, "AA AA AA 96 69 00 01 00"), h(t, findNone)...),
			[]error{idcard.ErrFrameLength}, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := idcard.NewDecoder(iotest.OneByteReader(bytes.NewReader(tt.in)))
			for _, want := range tt.errs {
				_, err := d.Next()
				var fe *idcard.FrameError
				if !errors.Is(err, want) || !errors.As(err, &fe) {
					t.Fatalf("Next = %v, want a *FrameError matching %v", err, want)
				}
			}
			got, err := d.Next()
			if err != nil {
				t.Fatalf("Next after the noise = %v", err)
			}
			if want := []byte{0, 0, 0x80}; !bytes.Equal(got, want) {
				t.Fatalf("body = % X, want % X", got, want)
			}
			if d.Skipped() != tt.skipped {
				t.Fatalf("Skipped() = %d, want %d", d.Skipped(), tt.skipped)
			}
		})
	}
}

func TestDecoderTruncated(t *testing.T) {
	full := h(t, selectOK)
	for _, n := range []int{3, 5, 6, 7, 12} {
		d := idcard.NewDecoder(bytes.NewReader(full[:n]))
		if _, err := d.Next(); err != io.ErrUnexpectedEOF {
			t.Errorf("Next on %d of %d bytes = %v, want io.ErrUnexpectedEOF", n, len(full), err)
		}
	}
}

func TestEncodePanicsOnHugeBody(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Encode of a body beyond MaxBodyLen did not panic")
		}
	}()
	idcard.Encode(make([]byte, idcard.MaxBodyLen))
}

func FuzzDecoder(f *testing.F) {
	f.Add(stream(f, findFound, findNone))
	f.Add(h(f, "AA AA AA 96 69 FF FF 00 AA AA AA 96 69 00 03"))
	f.Add(append(h(f, readHeadHex), make([]byte, 1281)...))
	f.Add([]byte{0xAA, 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x22})
	f.Fuzz(func(t *testing.T, in []byte) {
		d := idcard.NewDecoder(bytes.NewReader(in))
		for range len(in) + 1 {
			body, err := d.Next()
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return
			}
			if err != nil {
				var fe *idcard.FrameError
				if !errors.As(err, &fe) {
					t.Fatalf("Next = %v, want a *FrameError or EOF", err)
				}
				continue
			}
			if len(body) < 2 || len(body) >= idcard.MaxBodyLen {
				t.Fatalf("body of %d bytes escaped the length checks", len(body))
			}
			// A decoded body re-encodes to a frame present in the input.
			if !bytes.Contains(in, idcard.Encode(body)) {
				t.Fatalf("decoded body % X is not framed in the input", body)
			}
		}
		t.Fatalf("Next did not reach the end of %d bytes", len(in))
	})
}

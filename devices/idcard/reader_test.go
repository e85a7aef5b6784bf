package idcard_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shcommunity/kiosk/devices/conn"
	"github.com/shcommunity/kiosk/devices/conn/conntest"
	"github.com/shcommunity/kiosk/devices/idcard"
)

// ex is one exchange with the reader: the request the driver must send
// (hex) and the bytes the reader answers; a nil reply is silence.
func ex(t *testing.T, req string, reply []byte) conntest.Exchange {
	t.Helper()
	return conntest.Exchange{W: h(t, req), R: reply}
}

// transcript plays the reader's side of a conversation and returns the
// driver's connection. The test fails if the driver sends anything else,
// or stops before the end of the script.
func transcript(t *testing.T, script ...conntest.Exchange) *conntest.Playback {
	t.Helper()
	c := conntest.New(script...)
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("the driver did not follow the transcript: %v", err)
		}
	})
	return c
}

const (
	reqFind     = "AA AA AA 96 69 00 03 20 01 22"
	reqSelect   = "AA AA AA 96 69 00 03 20 02 21"
	reqRead     = "AA AA AA 96 69 00 03 30 01 32"
	reqStatus   = "AA AA AA 96 69 00 03 11 FF ED"
	reqSAMID    = "AA AA AA 96 69 00 03 12 FF EE"
	reqAddress  = "AA AA AA 96 69 00 03 30 03 30"
	reqBaud3840 = "AA AA AA 96 69 00 03 60 02 61"
)

var fastTimeouts = idcard.Timeouts{Find: 80 * time.Millisecond, Select: 80 * time.Millisecond, Read: 300 * time.Millisecond, SAM: 80 * time.Millisecond, ReadAddress: 80 * time.Millisecond}

func newReader(c conn.Conn, retries int) *idcard.Reader {
	return idcard.NewReader(c, &idcard.Options{
		Timeouts: fastTimeouts,
		Retries:  retries,
		Now:      func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) },
	})
}

func TestFind(t *testing.T) {
	tests := []struct {
		name  string
		reply string
		want  bool
	}{
		{"found", findFound, true},
		{"none", findNone, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReader(transcript(t, ex(t, reqFind, h(t, tt.reply))), 0)
			got, err := r.Find(context.Background())
			if err != nil || got != tt.want {
				t.Fatalf("Find = %v, %v; want %v, nil", got, err, tt.want)
			}
		})
	}
}

func TestSelect(t *testing.T) {
	tests := []struct {
		name  string
		reply string
		want  error
	}{
		{"ok", selectOK, nil},
		{"fail", selectFail, idcard.ErrSelectFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReader(transcript(t, ex(t, reqSelect, h(t, tt.reply))), 0)
			if err := r.Select(context.Background()); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Select = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSAMCommands(t *testing.T) {
	samID := idcard.Encode(h(t, samIDReply)[7:])
	r := newReader(transcript(t, ex(t, reqStatus, h(t, statusOK)), ex(t, reqSAMID, samID)), 0)
	if err := r.SAMStatus(context.Background()); err != nil {
		t.Fatalf("SAMStatus = %v", err)
	}
	id, err := r.SAMID(context.Background())
	if err != nil || id.String() != "05.01-20100720-0001036050-0288634305" {
		t.Fatalf("SAMID = %s, %v", id, err)
	}
}

func TestSetBaud38400(t *testing.T) {
	port := transcript(t, ex(t, reqBaud3840, h(t, statusOK)))
	r := newReader(port, 0)
	if err := r.SetBaud(context.Background(), 38400); err != nil {
		t.Fatalf("SetBaud = %v", err)
	}
	if port.Baud() != 38400 {
		t.Fatalf("port switched to %d, want 38400 after the reply", port.Baud())
	}
	if err := r.SetBaud(context.Background(), 4800); err == nil {
		t.Fatal("SetBaud(4800) = nil, want an error")
	}
}

func readReply(t *testing.T, c *idcard.Card) []byte {
	t.Helper()
	text, err := idcard.EncodeText(c)
	if err != nil {
		t.Fatal(err)
	}
	return idcard.Encode(idcard.AppendRead(idcard.Reply(0x90), idcard.RawCard{Text: text, Photo: c.Photo}, false))
}

func TestReadCard(t *testing.T) {
	want := sampleCards()["resident"]
	want.Photo = bytes.Repeat([]byte{0x5A}, 1024)
	port := transcript(t,
		ex(t, reqFind, h(t, findFound)),
		ex(t, reqSelect, h(t, selectOK)),
		ex(t, reqRead, readReply(t, want)),
	)
	got, err := newReader(port, 0).ReadCard(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ReadCard = %#v, want %#v", *got, *want)
	}
}

func TestReadCardExpired(t *testing.T) {
	card := sampleCards()["resident"]
	card.Permanent, card.ValidTo = false, day("20260105")
	card.Photo = make([]byte, 1024)
	port := transcript(t,
		ex(t, reqFind, h(t, findFound)),
		ex(t, reqSelect, h(t, selectOK)),
		ex(t, reqRead, readReply(t, card)),
	)
	got, err := newReader(port, 0).ReadCard(context.Background())
	if !errors.Is(err, idcard.ErrCardExpired) || got == nil || got.Number != card.Number {
		t.Fatalf("ReadCard = %v, %v; want the card and ErrCardExpired", got, err)
	}
}

// A late reply to an earlier, retried command arrives before the real
// one: the driver tells it by its shape and skips it.
func TestStaleReplySkipped(t *testing.T) {
	card := sampleCards()["hmt"]
	card.Photo = make([]byte, 1024)
	port := transcript(t, ex(t, reqRead, append(h(t, selectOK), readReply(t, card)...)))
	raw, err := newReader(port, 0).Read(context.Background())
	if err != nil {
		t.Fatalf("Read = %v, want the read reply after the stale select reply", err)
	}
	if got, err := idcard.DecodeText(raw.Text); err != nil || got.Number != card.Number {
		t.Fatalf("decoded %v, %v", got, err)
	}
}

func TestReadWithoutSelect(t *testing.T) {
	port := transcript(t, ex(t, reqRead, idcard.Encode(idcard.Reply(0x41))))
	if _, err := newReader(port, 0).Read(context.Background()); !errors.Is(err, idcard.ErrReadFailed) {
		t.Fatalf("Read = %v, want ErrReadFailed", err)
	}
}

func TestReadAddress(t *testing.T) {
	addr := make([]byte, 70)
	for i, r := range []rune("上海市黄浦区中山东一路1号") {
		addr[2*i], addr[2*i+1] = byte(r), byte(r>>8)
	}
	for i := 2 * len([]rune("上海市黄浦区中山东一路1号")); i < 70; i += 2 {
		addr[i] = ' '
	}
	port := transcript(t,
		ex(t, reqAddress, idcard.Encode(idcard.Reply(0x91))),
		ex(t, reqAddress, idcard.Encode(idcard.Reply(0x90, addr))),
	)
	r := newReader(port, 0)
	if got, err := r.ReadAddress(context.Background()); got != "" || err != nil {
		t.Fatalf("ReadAddress with none = %q, %v; want empty, nil", got.Reveal(), err)
	}
	if got, err := r.ReadAddress(context.Background()); got.Reveal() != "上海市黄浦区中山东一路1号" || err != nil {
		t.Fatalf("ReadAddress = %q, %v", got.Reveal(), err)
	}
	// The simulator's encoder gives the same bytes.
	if got, err := idcard.AppendAddress(nil, "上海市黄浦区中山东一路1号"); !bytes.Equal(got, addr) || err != nil {
		t.Errorf("AppendAddress = % X, %v; want % X", got, err, addr)
	}
	for name, bad := range map[string]idcard.Address{
		"36 characters":     idcard.Address(strings.Repeat("路", 36)),
		"one outside UCS-2": "上海市𠀀路",
	} {
		if _, err := idcard.AppendAddress(nil, bad); err == nil {
			t.Errorf("AppendAddress with %s = nil, want an error", name)
		}
	}
}

// TestRetries runs on the bubble's clock: a silent reader costs the find
// timeout of fake time, not of the machine's.
func TestRetries(t *testing.T) {
	bad := h(t, findFound)
	bad[len(bad)-1] ^= 0xFF
	tests := []struct {
		name   string
		script []conntest.Exchange
	}{
		{"damaged reply", []conntest.Exchange{ex(t, reqFind, bad), ex(t, reqFind, h(t, findFound))}},
		{"reader got a damaged request", []conntest.Exchange{ex(t, reqFind, idcard.Encode(idcard.Reply(0x10))), ex(t, reqFind, h(t, findFound))}},
		{"silence", []conntest.Exchange{ex(t, reqFind, nil), ex(t, reqFind, h(t, findFound))}},
		{"garbage first", []conntest.Exchange{ex(t, reqFind, append([]byte{0x13, 0xAA, 0x00}, h(t, findFound)...))}},
		{"two failures", []conntest.Exchange{ex(t, reqFind, nil), ex(t, reqFind, bad), ex(t, reqFind, h(t, findFound))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newReader(transcript(t, tt.script...), 0)
				if found, err := r.Find(context.Background()); !found || err != nil {
					t.Fatalf("Find = %v, %v; want true after retrying", found, err)
				}
			})
		})
	}
}

func TestTimeoutWithoutRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newReader(transcript(t, ex(t, reqFind, nil)), -1)
		start := time.Now()
		_, err := r.Find(context.Background())
		if !errors.Is(err, idcard.ErrTimeout) || !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Find = %v, want ErrTimeout and os.ErrDeadlineExceeded", err)
		}
		if waited := time.Since(start); waited != fastTimeouts.Find {
			t.Errorf("Find gave up after %v, want its timeout %v", waited, fastTimeouts.Find)
		}
	})
}

func TestContextCancelsWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		port := transcript(t, ex(t, reqRead, nil))
		r := idcard.NewReader(port, &idcard.Options{Timeouts: idcard.Timeouts{Read: time.Minute}})
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(20 * time.Millisecond); cancel() }()
		start := time.Now()
		if _, err := r.Read(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("Read = %v, want context.Canceled", err)
		}
		if waited := time.Since(start); waited != 20*time.Millisecond {
			t.Errorf("Read returned %v after it began, want at the cancel (20 ms)", waited)
		}
	})
}

// TestDisconnected: the reader goes away while the driver waits for its
// reply, and again in the middle of a reply frame.
func TestDisconnected(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply []byte
		err   error
	}{
		{"stream ends", nil, io.EOF},
		{"unplugged mid-frame", h(t, findFound)[:9], conn.ErrUnplugged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := transcript(t, conntest.Exchange{W: h(t, reqFind), R: tc.reply, Err: tc.err})
			r := idcard.NewReader(port, nil)
			_, err := r.Find(context.Background())
			if !errors.Is(err, idcard.ErrDisconnected) || !errors.Is(err, tc.err) {
				t.Fatalf("Find = %v, want ErrDisconnected and %v", err, tc.err)
			}
		})
	}
}

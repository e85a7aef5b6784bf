package idcard_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/devices/idcard"
)

// exchange is one request the driver must send and the bytes the reader
// answers; a nil reply is silence.
type exchange struct {
	req   string
	reply []byte
}

// baudConn is a pipe end that records SetBaud, like a *serialport.Port.
type baudConn struct {
	net.Conn
	mu   sync.Mutex
	baud int
}

func (c *baudConn) SetBaud(b int) error {
	c.mu.Lock()
	c.baud = b
	c.mu.Unlock()
	return nil
}

// transcript plays the reader's side of a conversation over net.Pipe and
// returns the driver's end. The test fails if the driver sends anything
// else, and waits for the whole script at cleanup.
func transcript(t *testing.T, script ...exchange) *baudConn {
	t.Helper()
	host, dev := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i, ex := range script {
			want := h(t, ex.req)
			got := make([]byte, len(want))
			if _, err := io.ReadFull(dev, got); err != nil {
				t.Errorf("exchange %d: reading request: %v", i, err)
				return
			}
			if !bytes.Equal(got, want) {
				t.Errorf("exchange %d: request % X, want % X", i, got, want)
				return
			}
			if ex.reply != nil {
				if _, err := dev.Write(ex.reply); err != nil {
					t.Errorf("exchange %d: writing reply: %v", i, err)
					return
				}
			}
		}
	}()
	t.Cleanup(func() {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("the driver did not finish the transcript")
		}
		host.Close()
		dev.Close()
	})
	return &baudConn{Conn: host}
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

func newReader(conn *baudConn, retries int) *idcard.Reader {
	return idcard.NewReader(conn, &idcard.Options{
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
			r := newReader(transcript(t, exchange{reqFind, h(t, tt.reply)}), 0)
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
			r := newReader(transcript(t, exchange{reqSelect, h(t, tt.reply)}), 0)
			if err := r.Select(context.Background()); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Select = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSAMCommands(t *testing.T) {
	samID := idcard.Encode(h(t, samIDReply)[7:])
	conn := transcript(t, exchange{reqStatus, h(t, statusOK)}, exchange{reqSAMID, samID})
	r := newReader(conn, 0)
	if err := r.SAMStatus(context.Background()); err != nil {
		t.Fatalf("SAMStatus = %v", err)
	}
	id, err := r.SAMID(context.Background())
	if err != nil || id.String() != "05.01-20100720-0001036050-0288634305" {
		t.Fatalf("SAMID = %s, %v", id, err)
	}
}

func TestSetBaud38400(t *testing.T) {
	conn := transcript(t, exchange{reqBaud3840, h(t, statusOK)})
	r := newReader(conn, 0)
	if err := r.SetBaud(context.Background(), 38400); err != nil {
		t.Fatalf("SetBaud = %v", err)
	}
	if conn.baud != 38400 {
		t.Fatalf("port switched to %d, want 38400 after the reply", conn.baud)
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
	conn := transcript(t,
		exchange{reqFind, h(t, findFound)},
		exchange{reqSelect, h(t, selectOK)},
		exchange{reqRead, readReply(t, want)},
	)
	got, err := newReader(conn, 0).ReadCard(context.Background())
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
	conn := transcript(t,
		exchange{reqFind, h(t, findFound)},
		exchange{reqSelect, h(t, selectOK)},
		exchange{reqRead, readReply(t, card)},
	)
	got, err := newReader(conn, 0).ReadCard(context.Background())
	if !errors.Is(err, idcard.ErrCardExpired) || got == nil || got.Number != card.Number {
		t.Fatalf("ReadCard = %v, %v; want the card and ErrCardExpired", got, err)
	}
}

// A late reply to an earlier, retried command arrives before the real
// one: the driver tells it by its shape and skips it.
func TestStaleReplySkipped(t *testing.T) {
	card := sampleCards()["hmt"]
	card.Photo = make([]byte, 1024)
	conn := transcript(t, exchange{reqRead, append(h(t, selectOK), readReply(t, card)...)})
	raw, err := newReader(conn, 0).Read(context.Background())
	if err != nil {
		t.Fatalf("Read = %v, want the read reply after the stale select reply", err)
	}
	if got, err := idcard.DecodeText(raw.Text); err != nil || got.Number != card.Number {
		t.Fatalf("decoded %v, %v", got, err)
	}
}

func TestReadWithoutSelect(t *testing.T) {
	conn := transcript(t, exchange{reqRead, idcard.Encode(idcard.Reply(0x41))})
	if _, err := newReader(conn, 0).Read(context.Background()); !errors.Is(err, idcard.ErrReadFailed) {
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
	conn := transcript(t,
		exchange{reqAddress, idcard.Encode(idcard.Reply(0x91))},
		exchange{reqAddress, idcard.Encode(idcard.Reply(0x90, addr))},
	)
	r := newReader(conn, 0)
	if got, err := r.ReadAddress(context.Background()); got != "" || err != nil {
		t.Fatalf("ReadAddress with none = %q, %v; want empty, nil", got.Reveal(), err)
	}
	if got, err := r.ReadAddress(context.Background()); got.Reveal() != "上海市黄浦区中山东一路1号" || err != nil {
		t.Fatalf("ReadAddress = %q, %v", got.Reveal(), err)
	}
}

func TestRetries(t *testing.T) {
	bad := h(t, findFound)
	bad[len(bad)-1] ^= 0xFF
	tests := []struct {
		name   string
		script []exchange
	}{
		{"damaged reply", []exchange{{reqFind, bad}, {reqFind, h(t, findFound)}}},
		{"reader got a damaged request", []exchange{{reqFind, idcard.Encode(idcard.Reply(0x10))}, {reqFind, h(t, findFound)}}},
		{"silence", []exchange{{reqFind, nil}, {reqFind, h(t, findFound)}}},
		{"garbage first", []exchange{{reqFind, append([]byte{0x13, 0xAA, 0x00}, h(t, findFound)...)}}},
		{"two failures", []exchange{{reqFind, nil}, {reqFind, bad}, {reqFind, h(t, findFound)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReader(transcript(t, tt.script...), 0)
			if found, err := r.Find(context.Background()); !found || err != nil {
				t.Fatalf("Find = %v, %v; want true after retrying", found, err)
			}
		})
	}
}

func TestTimeoutWithoutRetries(t *testing.T) {
	r := newReader(transcript(t, exchange{reqFind, nil}), -1)
	_, err := r.Find(context.Background())
	if !errors.Is(err, idcard.ErrTimeout) || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Find = %v, want ErrTimeout and os.ErrDeadlineExceeded", err)
	}
}

func TestContextCancelsWait(t *testing.T) {
	conn := transcript(t, exchange{reqRead, nil})
	r := idcard.NewReader(conn, &idcard.Options{Timeouts: idcard.Timeouts{Read: time.Minute}})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if _, err := r.Read(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Read = %v, want context.Canceled", err)
	}
}

func TestDisconnected(t *testing.T) {
	host, dev := net.Pipe()
	go func() {
		b := make([]byte, 10)
		io.ReadFull(dev, b)
		dev.Close() // unplugged while the driver waits
	}()
	r := idcard.NewReader(host, nil)
	if _, err := r.Find(context.Background()); !errors.Is(err, idcard.ErrDisconnected) {
		t.Fatalf("Find = %v, want ErrDisconnected", err)
	}
}

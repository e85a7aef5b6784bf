package ssc_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/devices/conn/conntest"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/ssc"
	"github.com/shcommunity/kiosk/devices/ssc/sscsim"
)

var now = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// script is a fake card that expects exact command APDUs and gives the
// answers recorded with them: the unit tests' transport, with no pcscd.
type script struct {
	t     *testing.T
	steps []step
	i     int
}

type step struct {
	cmd, resp string // hex
	err       error
}

func (s *script) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	s.t.Helper()
	if s.i >= len(s.steps) {
		s.t.Fatalf("unexpected command %X after the script ended", apdu)
	}
	st := s.steps[s.i]
	s.i++
	if got := strings.ToUpper(hex.EncodeToString(apdu)); got != strings.ReplaceAll(st.cmd, " ", "") {
		s.t.Fatalf("command %d = %s, want %s", s.i, got, st.cmd)
	}
	if st.err != nil {
		return nil, st.err
	}
	return conntest.Hex(s.t, st.resp), nil
}

func (s *script) done() {
	s.t.Helper()
	if s.i != len(s.steps) {
		s.t.Errorf("script stopped at step %d of %d", s.i, len(s.steps))
	}
}

// The commands of docs/ssc-card.md, "Reading a card", byte for byte.
const (
	selApp  = "00A404000F 7378312E73682EC9E7BBE1B1A3D5CF"
	rd07    = "00B2072C0B"
	rd05    = "00B2052C06"
	rd06    = "00B2062C06"
	selEF06 = "00A4020002EF06"
	rd08    = "00B2080014"
	rd09    = "00B2090020"
	rd0A    = "00B20A0003"
	rd0B    = "00B20B0003"
	rd0C    = "00B20C0005"
	rd0D    = "00B20D0006"
)

func ascii(s string) string { return hex.EncodeToString([]byte(s)) }

// greenSteps is the exchange with 张三丰's card, as the simulator's deck
// has it.
func greenSteps() []step {
	name, _ := ssc.EncodeName("张三丰")
	return []step{
		{cmd: selApp, resp: "6113"},
		{cmd: rd07, resp: "0709" + ascii("D00000001") + "9000"},
		{cmd: rd05, resp: "050420190301 9000"},
		{cmd: rd06, resp: "060420290301 9000"},
		{cmd: selEF06, resp: "9000"},
		{cmd: rd08, resp: "0812" + ascii("310101194803140019") + "9000"},
		{cmd: rd09, resp: "091E" + hex.EncodeToString(name) + "9000"},
		{cmd: rd0A, resp: "0A0131 9000"},
		{cmd: rd0B, resp: "0B0101 9000"},
		{cmd: rd0C, resp: "0C03310101 9000"},
		{cmd: rd0D, resp: "0D0419480314 9000"},
	}
}

func TestReadCardScript(t *testing.T) {
	s := &script{t: t, steps: greenSteps()}
	c, err := ssc.ReadCard(context.Background(), s, now)
	if err != nil {
		t.Fatal(err)
	}
	s.done()
	want := ssc.Card{
		CardNumber: "D00000001", Number: "310101194803140019", Name: "张三丰",
		Gender: idcard.GenderMale, Nation: "01", BirthPlace: "310101",
		Birth:    time.Date(1948, 3, 14, 0, 0, 0, 0, time.UTC),
		IssuedOn: time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC),
		ValidTo:  time.Date(2029, 3, 1, 0, 0, 0, 0, time.UTC),
	}
	if fmt.Sprintf("%#v", reveal(*c)) != fmt.Sprintf("%#v", reveal(want)) {
		t.Errorf("card\n%#v\nwant\n%#v", reveal(*c), reveal(want))
	}
	if c.NationName() != "汉" || c.Expiry(now) != ssc.ExpiryValid {
		t.Errorf("nation %q, expiry %v", c.NationName(), c.Expiry(now))
	}
}

// reveal makes a comparable plain copy of a card's fields.
func reveal(c ssc.Card) []string {
	return []string{c.CardNumber.Reveal(), c.Number.Reveal(), c.Name.Reveal(), c.Gender.Code(), c.Nation,
		c.BirthPlace.Reveal(), c.Birth.String(), c.IssuedOn.String(), c.ValidTo.String()}
}

// replace returns the green exchange with step i answered otherwise (and
// cut after it when cut is true).
func replace(i int, resp string, err error, cut bool) []step {
	s := greenSteps()
	s[i].resp, s[i].err = resp, err
	if cut {
		s = s[:i+1]
	}
	return s
}

func TestReadCardPaths(t *testing.T) {
	wrongLe := greenSteps()
	// A card that wants another Le, then hands its answer over in two
	// GET RESPONSE rounds (T=0 conventions).
	wrongLe = append(wrongLe[:1], append([]step{
		{cmd: rd07, resp: "6C0B"},
		{cmd: rd07, resp: "6105"},
		{cmd: "00C0000005", resp: "0709" + ascii("D00") + "6106"},
		{cmd: "00C0000006", resp: ascii("000001") + "9000"},
	}, wrongLe[2:]...)...)
	tests := []struct {
		name   string
		steps  []step
		target error
		check  func(*ssc.Card) string
	}{
		{"T=0 rounds", wrongLe, nil, nil},
		{"not an ssc", replace(0, "6A82", nil, true), ssc.ErrNotSSC, nil},
		{"select refused otherwise", replace(0, "6D00", nil, true), ssc.ErrNotSSC, nil},
		{"locked at select", replace(0, "6983", nil, true), ssc.ErrLocked, nil},
		{"locked at card number", replace(1, "6983", nil, true), ssc.ErrLocked, nil},
		{"locked at expiry", replace(3, "6983", nil, true), ssc.ErrLocked, nil},
		{"card number missing", replace(1, "6A83", nil, true), ssc.ErrRecordMissing, nil},
		{"EF06 missing", replace(4, "6A82", nil, true), ssc.ErrRecordMissing, nil},
		{"birth missing", replace(10, "6A83", nil, true), ssc.ErrRecordMissing, nil},
		{"wrong SW", replace(6, "6F00", nil, true), ssc.ErrStatus, nil},
		{"no status word", replace(5, "08", nil, true), ssc.ErrTruncated, nil},
		{"empty answer", replace(2, "", nil, true), ssc.ErrTruncated, nil},
		{"record cut short", replace(5, "0812"+ascii("3101011948")+"9000", nil, true), ssc.ErrTruncated, nil},
		{"wrong tag", replace(7, "0B0131 9000", nil, true), ssc.ErrBadRecord, nil},
		{"name not GBK", replace(6, "091E D5C5FF20C8FD"+strings.Repeat("20", 24)+"9000", nil, true), ssc.ErrNameEncoding, nil},
		{"name 0x80", replace(6, "0902 8080 9000", nil, true), ssc.ErrNameEncoding, nil},
		{"gender not a code", replace(7, "0A0141 9000", nil, true), ssc.ErrBadRecord, nil},
		{"birth not BCD", replace(10, "0D0419A80314 9000", nil, true), ssc.ErrBadRecord, nil},
		{"expiry not a date", replace(3, "060420291399 9000", nil, false), nil, func(c *ssc.Card) string {
			if c.Expiry(now) != ssc.ExpiryUnknown {
				return "an unparseable expiry gave " + c.Expiry(now).String()
			}
			return ""
		}},
		{"expiry refused", replace(3, "6A83", nil, false), nil, func(c *ssc.Card) string {
			if c.Expiry(now) != ssc.ExpiryUnknown {
				return "a missing expiry gave " + c.Expiry(now).String()
			}
			return ""
		}},
		{"expired", replace(3, "060420250101 9000", nil, false), ssc.ErrCardExpired, nil},
		{"birth differs", replace(10, "0D0419480315 9000", nil, false), ssc.ErrInvalidCard, nil},
		{"gender differs", replace(7, "0A0132 9000", nil, false), ssc.ErrInvalidCard, nil},
		{"bad check digit", replace(5, "0812"+ascii("310101194803140018")+"9000", nil, false), ssc.ErrInvalidCard, nil},
		{"card number short", replace(1, "0709"+ascii("D0000 ")+"202020 9000", nil, false), ssc.ErrInvalidCard, nil},
		{"pulled mid-read", replace(6, "", ssc.ErrCardRemoved, true), ssc.ErrCardRemoved, nil},
		{"reader unplugged", replace(2, "", ssc.ErrReaderGone, true), ssc.ErrReaderGone, nil},
		{"pcscd stopped", replace(8, "", ssc.ErrNoService, true), ssc.ErrNoService, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{t: t, steps: tt.steps}
			c, err := ssc.ReadCard(context.Background(), s, now)
			s.done()
			if tt.target == nil && err != nil || tt.target != nil && !errors.Is(err, tt.target) {
				t.Fatalf("err = %v, want %v", err, tt.target)
			}
			if err != nil && (strings.Contains(err.Error(), "310101194803") || strings.Contains(err.Error(), "张")) {
				t.Errorf("error leaks personal data: %v", err)
			}
			var ce *ssc.CardError
			if errors.As(err, &ce) && (ce.Card == nil || ce.Card != c) {
				t.Errorf("a *CardError must carry the card it returns")
			}
			if tt.check != nil {
				if msg := tt.check(c); msg != "" {
					t.Error(msg)
				}
			}
		})
	}
}

func TestStatusErrorMatching(t *testing.T) {
	s := &script{t: t, steps: replace(6, "6F00", nil, true)}
	_, err := ssc.ReadCard(context.Background(), s, now)
	var se *ssc.StatusError
	if !errors.As(err, &se) || se.SW != ssc.SWNoInfo || !strings.Contains(err.Error(), "6F00") {
		t.Fatalf("err = %v, want a *StatusError naming 6F00", err)
	}
	for _, other := range []error{ssc.ErrNotSSC, ssc.ErrLocked, ssc.ErrRecordMissing} {
		if errors.Is(err, other) {
			t.Errorf("6F00 matches %v", other)
		}
	}
	if !errors.Is(err, &ssc.StatusError{SW: 0x6F00}) {
		t.Error("errors.Is does not match a *StatusError with the same SW")
	}
}

// TestChainBounded: a card that answers 61xx for ever is given up on.
func TestChainBounded(t *testing.T) {
	steps := []step{{cmd: selApp, resp: "9000"}, {cmd: rd07, resp: "6101"}}
	for range 7 {
		steps = append(steps, step{cmd: "00C0000001", resp: "006101"})
	}
	s := &script{t: t, steps: steps}
	if _, err := ssc.ReadCard(context.Background(), s, now); !errors.Is(err, ssc.ErrChain) {
		t.Fatalf("err = %v, want ErrChain", err)
	}
}

// TestSimulatorDeckInProcess reads every card of the simulator's deck in
// process (no PC/SC) and checks what each is meant to show.
func TestSimulatorDeckInProcess(t *testing.T) {
	want := map[string]error{
		"bank-card": ssc.ErrNotSSC, "ssc-locked": ssc.ErrLocked, "ssc-no-birth": ssc.ErrRecordMissing,
		"ssc-bad-name": ssc.ErrNameEncoding, "ssc-expired": ssc.ErrCardExpired, "ssc-inconsistent": ssc.ErrInvalidCard,
	}
	for _, dc := range sscsim.SampleDeck().Cards {
		card, err := sscsim.NewCard(dc)
		if err != nil {
			t.Fatal(err)
		}
		counter := &ssc.Counter{T: card}
		c, err := ssc.ReadCard(context.Background(), counter, now)
		if w := want[dc.Label]; w == nil && err != nil || w != nil && !errors.Is(err, w) {
			t.Errorf("%s: err = %v, want %v", dc.Label, err, w)
			continue
		}
		if err == nil && (c.Name.Reveal() != dc.Name || c.Number.Reveal() != dc.Number || c.CardNumber.Reveal() != dc.CardNumber) {
			t.Errorf("%s: read %v", dc.Label, c)
		}
		if err == nil && counter.APDUs != 11 {
			t.Errorf("%s: %d APDUs, want 11", dc.Label, counter.APDUs)
		}
	}
}

func TestRedaction(t *testing.T) {
	s := &script{t: t, steps: greenSteps()}
	c, err := ssc.ReadCard(context.Background(), s, now)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("read", "card", c, "event", ssc.Event{Kind: ssc.CardPlaced, Card: c}, "place", c.BirthPlace)
	for _, s := range []string{fmt.Sprintf("%v %+v %#v %s", c, c, *c, c.BirthPlace), buf.String()} {
		for _, secret := range []string{"三", "19480314", "D00000001", "310101"} {
			if strings.Contains(s, secret) {
				t.Errorf("%q leaks %q", s, secret)
			}
		}
	}
	if !strings.Contains(buf.String(), `"event":{"kind":"card placed","card":{`) {
		t.Errorf("the event's log form lacks its kind or its card: %s", buf.String())
	}
	buf.Reset()
	log.Info("gone", "event", ssc.Event{Kind: ssc.ReaderDisconnected, Err: ssc.ErrNoService})
	if want := `"event":{"kind":"reader disconnected","err":"ssc: PC/SC service not running"}`; !strings.Contains(buf.String(), want) {
		t.Errorf("logged %s, want %s", buf.String(), want)
	}
	c.Wipe()
	if c.Number != "" || c.Name != "" || !c.Birth.IsZero() {
		t.Error("Wipe left data")
	}
}

package idcard_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/internal/golden"
	"github.com/shcommunity/kiosk/pii"
)

var update = flag.Bool("update", false, "rewrite golden files")

func day(s string) time.Time {
	t, err := time.Parse("20060102", s)
	if err != nil {
		panic(err)
	}
	return t
}

// One card of each layout; the values come from assets/deck.json.
func sampleCards() map[string]*idcard.Card {
	return map[string]*idcard.Card{
		"resident": {
			Type: idcard.CardResident, Name: "张三丰", Gender: idcard.GenderMale, Nation: "01",
			Birth: day("19480314"), Address: "上海市黄浦区南京东路街道福州路318号",
			Number: "310101194803140019", Authority: "上海市公安局黄浦分局",
			ValidFrom: day("20120601"), Permanent: true,
		},
		"hmt": {
			Type: idcard.CardHMT, Name: "陈美玲", Gender: idcard.GenderFemale,
			Birth: day("19580808"), Address: "上海市长宁区华阳路街道愚园路1088号",
			Number: "810000195808080028", Authority: "上海市公安局",
			ValidFrom: day("20220301"), ValidTo: day("20270301"),
			PassNumber: "H12345678", IssueCount: "01",
		},
		"foreign2017": {
			Type: idcard.CardForeign2017, Name: "JOHNSON MARY ANN", OtherName: "玛丽", Gender: idcard.GenderFemale,
			Birth: day("19510430"), Number: "USA310151043000", Nationality: "USA", Authority: "1500",
			CardVersion: "01", ValidFrom: day("20170615"), ValidTo: day("20270615"),
		},
		"foreign2023": {
			Type: idcard.CardForeign2023, Name: "马克", OtherName: "TAYLOR MARK WILLIAM", Gender: idcard.GenderMale,
			Birth: day("19490210"), Number: "931826194902100110", Nationality: "GBR", RenewalCount: "00",
			PreviousNumber: "GBR310149021000", ValidFrom: day("20231101"), ValidTo: day("20331101"),
		},
	}
}

func TestTextRoundTripAndGolden(t *testing.T) {
	for name, card := range sampleCards() {
		t.Run(name, func(t *testing.T) {
			text, err := idcard.EncodeText(card)
			if err != nil {
				t.Fatal(err)
			}
			if len(text) != idcard.TextLen {
				t.Fatalf("text is %d bytes, want 256", len(text))
			}
			path := filepath.Join("testdata", "text_"+name+".golden")
			dump := hex.Dump(text)
			want, err := golden.Want(path, []byte(dump), *update)
			if err != nil {
				t.Fatal(err)
			}
			if dump != string(want) {
				t.Errorf("text block differs from %s:\n%s", path, dump)
			}
			got, err := idcard.DecodeText(text)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, card) {
				t.Fatalf("round trip:\n got %#v\nwant %#v", *got, *card)
			}
		})
	}
}

func TestTypeFlagOffsets(t *testing.T) {
	for name, card := range sampleCards() {
		text, err := idcard.EncodeText(card)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]byte{"resident": ' ', "hmt": 'J', "foreign2017": 'I', "foreign2023": 'Y'}[name]
		if text[248] != want || text[249] != 0 {
			t.Errorf("%s: flag bytes % X, want %02X 00", name, text[248:250], want)
		}
	}
	// The resident layout is fixed (docs/idcard-protocol.md, "Resident
	// card"): check a few offsets by hand.
	text, _ := idcard.EncodeText(sampleCards()["resident"])
	checks := []struct {
		off int
		s   string
	}{{0, "张三丰"}, {30, "1"}, {32, "01"}, {36, "19480314"}, {122, "310101194803140019"}, {188, "20120601"}, {204, "长期"}}
	for _, c := range checks {
		if got := decodeAt(text, c.off, len([]rune(c.s))); got != c.s {
			t.Errorf("resident text at %d = %q, want %q", c.off, got, c.s)
		}
	}
}

func decodeAt(text []byte, off, n int) string {
	var r []rune
	for i := 0; i < n; i++ {
		r = append(r, rune(text[off+2*i])|rune(text[off+2*i+1])<<8)
	}
	return string(r)
}

func TestDecodeTrimsNULPadding(t *testing.T) {
	text, _ := idcard.EncodeText(sampleCards()["resident"])
	// Some readers pad with U+0000 instead of U+0020.
	for i := 6; i < 30; i++ {
		text[i] = 0
	}
	c, err := idcard.DecodeText(text)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name.Reveal() != "张三丰" {
		t.Fatalf("name = %q, want 张三丰", c.Name.Reveal())
	}
}

func TestLongEnglishName2023(t *testing.T) {
	c := sampleCards()["foreign2023"]
	c.OtherName = "ABCDEFGHIJKLMNOPQRSTUVWXYZ ABCDEFGH IJKLMNOPQR" // 46 characters, a space at the seam
	text, err := idcard.EncodeText(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := idcard.DecodeText(text)
	if err != nil {
		t.Fatal(err)
	}
	if got.OtherName != c.OtherName {
		t.Fatalf("English name = %q, want %q", got.OtherName.Reveal(), c.OtherName.Reveal())
	}
	c.OtherName += "X"
	if _, err := idcard.EncodeText(c); !errors.Is(err, idcard.ErrBadText) {
		t.Fatalf("EncodeText of a 47-character name = %v, want ErrBadText", err)
	}
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(c *idcard.Card)
		field string
	}{
		{"name too long", func(c *idcard.Card) { c.Name = pii.Name(strings.Repeat("张", 16)) }, "name"},
		{"outside UCS-2", func(c *idcard.Card) { c.Name = "王𠀀" }, "name"},
		{"address too long", func(c *idcard.Card) { c.Address = idcard.Address(strings.Repeat("路", 36)) }, "address"},
		{"unknown type", func(c *idcard.Card) { c.Type = 'Q' }, "type flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sampleCards()["resident"]
			tt.edit(c)
			_, err := idcard.EncodeText(c)
			var te *idcard.TextError
			if !errors.As(err, &te) || te.Field != tt.field || !errors.Is(err, idcard.ErrBadText) {
				t.Fatalf("EncodeText = %v, want a TextError on %q", err, tt.field)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	good, _ := idcard.EncodeText(sampleCards()["resident"])
	put := func(off int, s string) []byte {
		b := bytes.Clone(good)
		for i, r := range []rune(s) {
			b[off+2*i], b[off+2*i+1] = byte(r), byte(r>>8)
		}
		return b
	}
	tests := []struct {
		name  string
		text  []byte
		field string
	}{
		{"short", good[:200], ""},
		{"unknown flag", put(248, "Z"), "type flag"},
		{"gender", put(30, "5"), "gender"},
		{"birth", put(36, "1948x314"), "birth"},
		{"valid from", put(188, "20121301"), "valid from"},
		{"valid to", put(204, "永久    "), "valid to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := idcard.DecodeText(tt.text)
			var te *idcard.TextError
			if !errors.As(err, &te) || te.Field != tt.field || !errors.Is(err, idcard.ErrBadText) {
				t.Fatalf("DecodeText = %v, want a TextError on %q", err, tt.field)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		card  string
		edit  func(c *idcard.Card)
		want  error
		field string
	}{
		{"resident ok", "resident", nil, nil, ""},
		{"hmt ok", "hmt", nil, nil, ""},
		{"foreign 2017 ok", "foreign2017", nil, nil, ""},
		{"foreign 2023 ok", "foreign2023", nil, nil, ""},
		{"expired", "resident", func(c *idcard.Card) { c.Permanent, c.ValidTo = false, day("20260105") }, idcard.ErrCardExpired, "validity"},
		{"last valid day", "resident", func(c *idcard.Card) { c.Permanent, c.ValidTo = false, day("20261127") }, nil, ""},
		// 2026-11-27 16:30 UTC is already the 28th in Beijing.
		{"expired in Beijing", "resident", func(c *idcard.Card) { c.Permanent, c.ValidTo = false, day("20261127") }, idcard.ErrCardExpired, "validity"},
		{"not yet valid", "hmt", func(c *idcard.Card) { c.ValidFrom = day("20261201") }, idcard.ErrCardNotYetValid, "validity"},
		{"bad check digit", "resident", func(c *idcard.Card) { c.Number = "310101194803140018" }, pii.ErrInvalidID, "number"},
		{"birth mismatch", "resident", func(c *idcard.Card) { c.Birth = day("19480315") }, idcard.ErrInvalidCard, "birth"},
		{"gender mismatch", "resident", func(c *idcard.Card) { c.Gender = idcard.GenderFemale }, idcard.ErrInvalidCard, "gender"},
		{"gender unspecified", "resident", func(c *idcard.Card) { c.Gender = idcard.GenderUnspecified }, nil, ""},
		{"unknown nation", "resident", func(c *idcard.Card) { c.Nation = "57" }, idcard.ErrInvalidCard, "nation"},
		{"nation 98", "resident", func(c *idcard.Card) { c.Nation = "98" }, nil, ""},
		{"2017 number on a Y card", "foreign2023", func(c *idcard.Card) { c.Number = "USA310151043000" }, idcard.ErrInvalidCard, "number"},
		{"2017 birth mismatch", "foreign2017", func(c *idcard.Card) { c.Birth = day("19510501") }, idcard.ErrInvalidCard, "birth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sampleCards()[tt.card]
			if tt.edit != nil {
				tt.edit(c)
			}
			at := now
			if tt.name == "expired in Beijing" {
				at = time.Date(2026, 11, 27, 16, 30, 0, 0, time.UTC)
			}
			err := c.Validate(at)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var ce *idcard.CardError
			if !errors.Is(err, tt.want) || !errors.As(err, &ce) {
				t.Fatalf("Validate = %v, want a *CardError matching %v", err, tt.want)
			}
			if ce.Card != c || ce.Field != tt.field {
				t.Fatalf("CardError{Card: %p, Field: %q}, want the card %p and field %q", ce.Card, ce.Field, c, tt.field)
			}
			if msg := err.Error(); strings.Contains(msg, c.Number.Reveal()) || strings.Contains(msg, c.Name.Reveal()) {
				t.Fatalf("error %q holds personal data", msg)
			}
		})
	}
}

func TestCardRedaction(t *testing.T) {
	c := sampleCards()["resident"]
	c.AppendedAddress = "上海市黄浦区外滩街道中山东一路1号"
	secrets := []string{c.Name.Reveal(), c.Number.Reveal(), c.Address.Reveal(), c.AppendedAddress.Reveal(), "南京东路"}
	var logs bytes.Buffer
	ev := idcard.Event{Kind: idcard.CardPlaced, Card: c, Err: &idcard.CardError{Card: c, Field: "validity", Err: idcard.ErrCardExpired}}
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("card", "card", c, "value", *c, "addr", c.Address, "event", ev)
	outs := map[string]string{
		"%v":     fmt.Sprintf("%v", c),
		"%+v":    fmt.Sprintf("%+v", *c),
		"%#v":    fmt.Sprintf("%#v", *c),
		"%s":     fmt.Sprintf("%s", c.Address),
		"log":    logs.String(),
		"Sprint": fmt.Sprint(c.AppendedAddress),
		"event":  fmt.Sprintf("%+v", ev),
	}
	for verb, out := range outs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s output %q contains personal data", verb, out)
			}
		}
	}
	if got, want := c.String(), "resident 张*丰 3*************0019"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if !strings.Contains(logs.String(), `"validTo":"长期"`) || !strings.Contains(logs.String(), `"kind":"card placed"`) {
		t.Errorf("log %s lacks the validity", logs.String())
	}
}

func TestNations(t *testing.T) {
	if len(idcard.Nations) != 58 {
		t.Fatalf("%d nations, want 58 (56 + 97 + 98)", len(idcard.Nations))
	}
	for code, want := range map[string]string{"01": "汉", "05": "维吾尔", "46": "德昂", "56": "基诺", "97": "其他", "98": "外国血统中国籍人士"} {
		if got := idcard.Nations[code]; got != want {
			t.Errorf("Nations[%s] = %q, want %q", code, got, want)
		}
	}
	c := sampleCards()["resident"]
	if c.NationName() != "汉" {
		t.Errorf("NationName() = %q, want 汉", c.NationName())
	}
}

func TestGender(t *testing.T) {
	for _, tt := range []struct {
		code string
		g    idcard.Gender
		word string
	}{{"0", idcard.GenderUnknown, "未知"}, {"1", idcard.GenderMale, "男"}, {"2", idcard.GenderFemale, "女"}, {"9", idcard.GenderUnspecified, "未说明"}} {
		g, ok := idcard.ParseGender(tt.code)
		if !ok || g != tt.g || g.String() != tt.word || g.Code() != tt.code {
			t.Errorf("ParseGender(%q) = %v (%s), %v; want %s", tt.code, g, g.Code(), ok, tt.word)
		}
	}
	if _, ok := idcard.ParseGender("3"); ok {
		t.Error(`ParseGender("3") ok, want not`)
	}
}

func FuzzDecodeText(f *testing.F) {
	for _, c := range sampleCards() {
		text, err := idcard.EncodeText(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(text)
	}
	f.Add(make([]byte, 256))
	f.Fuzz(func(t *testing.T, text []byte) {
		c, err := idcard.DecodeText(text)
		if err != nil {
			if !errors.Is(err, idcard.ErrBadText) {
				t.Fatalf("DecodeText error %v does not match ErrBadText", err)
			}
			return
		}
		_ = c.Validate(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		_ = c.String()
		// Whatever decodes re-encodes (if it fits) and decodes the same.
		again, err := idcard.EncodeText(c)
		if err != nil {
			return // e.g. U+FFFD from a lone surrogate widens nothing, but a long rune may not fit
		}
		c2, err := idcard.DecodeText(again)
		if err != nil {
			t.Fatalf("re-encoded text does not decode: %v", err)
		}
		if !reflect.DeepEqual(c, c2) {
			t.Fatalf("decode∘encode∘decode differs:\n%#v\n%#v", *c, *c2)
		}
	})
}

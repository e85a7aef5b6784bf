package slip_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/shcommunity/kiosk/assets"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
	"github.com/shcommunity/kiosk/devices/escpos/qrtest"
	"github.com/shcommunity/kiosk/devices/slip"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/internal/golden"
	"github.com/shcommunity/kiosk/pii"
)

var update = flag.Bool("update", false, "rewrite golden files")

var cst = time.FixedZone("CST", 8*3600)

// deckCard returns the name and ID number of a card in the sample deck.
func deckCard(t testing.TB, label string) (pii.Name, pii.IDNumber) {
	t.Helper()
	var deck struct {
		Cards []struct {
			Label    string `json:"label"`
			Name     string `json:"name"`
			IDNumber string `json:"id_number"`
		} `json:"cards"`
	}
	if err := json.Unmarshal(assets.SampleDeck, &deck); err != nil {
		t.Fatal(err)
	}
	for _, c := range deck.Cards {
		if c.Label == label {
			return pii.Name(c.Name), pii.IDNumber(c.IDNumber)
		}
	}
	t.Fatalf("no card %q in the sample deck", label)
	return "", ""
}

// token is a stand-in for the service's token: 200 characters of the
// base45 alphabet, as long as the real ones get.
func token() string {
	const b45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
	var sb strings.Builder
	x := uint32(2463534242)
	for range 200 {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		sb.WriteByte(b45[x%45])
	}
	return "HC1:" + sb.String()[4:]
}

func issued(t testing.TB) slip.Slip {
	name, id := deckCard(t, "resident-green")
	at := time.Date(2026, 5, 1, 9, 30, 0, 0, cst)
	return slip.Slip{
		Name: name, ID: id, QR: token(),
		IssuedAt: at, ValidUntil: at.AddDate(0, 0, 30),
		Centre: "黄浦区南京东路街道社区事务受理服务中心", Serial: "K07-20260501-0042",
		Colour: healthcode.Green, ColourAsOf: at.Add(-5 * time.Minute),
		Withdraw: "请到服务点柜台办理",
	}
}

func pending(t testing.TB) slip.Slip {
	name, id := deckCard(t, "resident-yellow")
	return slip.Slip{
		Name: name, ID: id, Pending: true, Receipt: "R-0042-7731",
		IssuedAt: time.Date(2026, 5, 1, 9, 30, 0, 0, cst),
		Centre:   "徐汇区田林街道社区事务受理服务中心", Serial: "K03-20260501-0007",
		Withdraw: "请致电 021-12345678",
	}
}

// unchecked is the slip of a resident whose status the kiosk could not
// check offline.
func unchecked(t testing.TB) slip.Slip {
	name, id := deckCard(t, "resident-yellow")
	return slip.Slip{
		Name: name, ID: id, Unchecked: true,
		IssuedAt: time.Date(2026, 5, 1, 9, 30, 0, 0, cst),
		Centre:   "徐汇区田林街道社区事务受理服务中心", Serial: "K03-20260501-0008",
		Withdraw: "请致电 021-12345678",
	}
}

var raster58 = escpos.Profile{Name: "58mm-raster", Dots: 384, Baud: 115200}
var raster80 = escpos.Profile{Name: "80mm-raster", Dots: 576, Baud: 115200}

func TestGolden(t *testing.T) {
	tests := []struct {
		name    string
		slip    slip.Slip
		profile escpos.Profile
		png     bool
	}{
		{"issued-58mm", issued(t), escpos.Profile58, true},
		{"issued-58mm-raster", issued(t), raster58, false},
		{"issued-80mm", issued(t), escpos.Profile80, true},
		{"pending-58mm", pending(t), escpos.Profile58, true},
		{"unchecked-58mm", unchecked(t), escpos.Profile58, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := slip.Encode(tt.slip, tt.profile)
			if err != nil {
				t.Fatal(err)
			}
			img, err := slip.Preview(tt.slip, tt.profile)
			if err != nil {
				t.Fatal(err)
			}
			binPath := filepath.Join("testdata", tt.name+".bin")
			pngPath := filepath.Join("testdata", tt.name+".png")
			if *update && tt.png {
				if err := escpossim.WritePNG(pngPath, img); err != nil {
					t.Fatal(err)
				}
			}
			want, err := golden.Want(binPath, data, *update)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, want) {
				i := 0
				for i < len(data) && i < len(want) && data[i] == want[i] {
					i++
				}
				t.Errorf("bytes differ from %s at offset %d (got %d bytes, want %d); run with -update if intended", binPath, i, len(data), len(want))
			}
			if tt.png {
				f, err := os.Open(pngPath)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				gold, err := png.Decode(f)
				if err != nil {
					t.Fatal(err)
				}
				if d := qrtest.Diff(img, gold); d != "" {
					t.Errorf("preview differs from %s: %s", pngPath, d)
				}
			}
		})
	}
}

func TestQRScans(t *testing.T) {
	s := issued(t)
	for _, p := range []escpos.Profile{escpos.Profile58, raster58, escpos.Profile80, raster80} {
		t.Run(p.Name, func(t *testing.T) {
			img, err := slip.Preview(s, p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := qrtest.Decode(img)
			if err != nil {
				t.Fatal(err)
			}
			if got != s.QR {
				t.Errorf("decoded %q, want %q", got, s.QR)
			}
			_, width, err := slip.QRModule(s.QR, p)
			if err != nil {
				t.Fatal(err)
			}
			if width < 240 {
				t.Errorf("symbol %d dots wide, want at least 240 (30 mm)", width)
			}
		})
	}
}

func TestQRModule(t *testing.T) {
	tests := []struct {
		n       int // characters of alphanumeric content
		profile escpos.Profile
		module  int
	}{
		{10, escpos.Profile58, 13}, // version 1, 21 modules: the paper and quiet zone bind
		{10, escpos.Profile80, 15}, // the 40 mm cap binds
		{100, escpos.Profile58, 8}, // version 5, 37 modules
		{200, escpos.Profile58, 6}, // version 8, 49 modules: 294 dots, 36.75 mm
		{200, escpos.Profile80, 6}, // the same symbol on wider paper
		{400, escpos.Profile58, 4}, // version 12 or so: still 30 mm
	}
	for _, tt := range tests {
		content := strings.Repeat("A", tt.n)
		sym, err := escpos.QRSymbol([]byte(content), slip.QRLevel)
		if err != nil {
			t.Fatal(err)
		}
		module, width, err := slip.QRModule(content, tt.profile)
		if err != nil {
			t.Fatalf("%d characters: %v", tt.n, err)
		}
		if module != tt.module {
			t.Errorf("%d characters on %s: module %d, want %d", tt.n, tt.profile.Name, module, tt.module)
		}
		if width != len(sym)*module || width < slip.MinQRDots || width > slip.MaxQRDots ||
			(len(sym)+2*slip.QuietZone)*module > tt.profile.Dots {
			t.Errorf("%d characters on %s: module %d, width %d for %d modules breaks the sizing rules", tt.n, tt.profile.Name, module, width, len(sym))
		}
	}
	if _, _, err := slip.QRModule(strings.Repeat("A", 1200), escpos.Profile58); !errors.Is(err, slip.ErrQRTooLarge) {
		t.Errorf("1200 characters: err = %v, want ErrQRTooLarge", err)
	}
}

func TestMaskedOnPaper(t *testing.T) {
	tests := []struct {
		name string
		slip slip.Slip
	}{
		{"issued", issued(t)},
		{"pending", pending(t)},
		{"unchecked", unchecked(t)},
	}
	dec := simplifiedchinese.GBK.NewDecoder()
	for _, tt := range tests {
		for _, p := range []escpos.Profile{escpos.Profile58, raster80} {
			t.Run(tt.name+"/"+p.Name, func(t *testing.T) {
				data, err := slip.Encode(tt.slip, p)
				if err != nil {
					t.Fatal(err)
				}
				text, err := dec.String(string(data))
				if err != nil {
					t.Fatal(err)
				}
				for _, want := range []string{tt.slip.Name.Masked(), tt.slip.ID.Masked()} {
					if !strings.Contains(text, want) {
						t.Errorf("masked %q not on the slip", want)
					}
				}
				for _, plain := range []string{tt.slip.Name.Reveal(), tt.slip.ID.Reveal(), tt.slip.ID.Reveal()[6:14]} {
					if strings.Contains(text, plain) || bytes.Contains(data, []byte(plain)) {
						t.Errorf("plain personal data %q is in the byte stream", plain)
					}
				}
			})
		}
	}
}

func TestColourWords(t *testing.T) {
	dec := simplifiedchinese.GBK.NewDecoder()
	for c, word := range map[healthcode.Colour]string{healthcode.Green: "绿码", healthcode.Yellow: "黄码", healthcode.Red: "红码"} {
		s := issued(t)
		s.Colour = c
		data, err := slip.Encode(s, escpos.Profile58)
		if err != nil {
			t.Fatal(err)
		}
		text, _ := dec.String(string(data))
		if !strings.Contains(text, word) || !strings.Contains(text, "状态截至 2026-05-01 09:25") {
			t.Errorf("colour %s: %q with its as-of time not on the slip", c, word)
		}
	}
	s := issued(t)
	s.Colour = ""
	data, _ := slip.Encode(s, escpos.Profile58)
	text, _ := dec.String(string(data))
	if strings.Contains(text, "码\n") && strings.Contains(text, "状态截至") {
		t.Errorf("a slip without colour prints a colour line")
	}
}

// TestUncheckedSays: the unchecked slip says the status could not be
// checked offline and what to do, and carries no colour, QR or validity.
func TestUncheckedSays(t *testing.T) {
	data, err := slip.Encode(unchecked(t), escpos.Profile58)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := simplifiedchinese.GBK.NewDecoder().String(string(data))
	for _, want := range []string{"状态未核验", "离线时无法核验您的状态", "网络恢复后", "再放一次身份证", "柜台", "打印时间：2026-05-01 09:30", "K03-20260501-0008"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not on the unchecked slip", want)
		}
	}
	for _, not := range []string{"绿码", "黄码", "红码", "有效期至", "登记时间", "回执号", "待同步"} {
		if strings.Contains(text, not) {
			t.Errorf("the unchecked slip says %q", not)
		}
	}
	if bytes.Contains(data, []byte{0x1d, '(', 'k'}) {
		t.Error("the unchecked slip has a QR code")
	}
}

func TestRareCharacterIsDrawn(t *testing.T) {
	// 王小䶮 masks to 王*䶮; 䶮 is outside GBK, so the name line is a raster.
	s := issued(t)
	s.Name = "王小䶮"
	data, err := slip.Encode(s, escpos.Profile58)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte{0xFE, 0x9F}) || bytes.Contains(data, []byte("姓名")) {
		t.Errorf("the name line went out as text")
	}
	text, _ := simplifiedchinese.GBK.NewDecoder().String(string(data))
	if strings.Contains(text, "王小䶮") {
		t.Errorf("plain name in the stream")
	}
	if _, err := slip.Preview(s, escpos.Profile58); err != nil {
		t.Fatal(err)
	}
}

func TestInvalid(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*slip.Slip)
	}{
		{"no name", func(s *slip.Slip) { s.Name = "" }},
		{"no id", func(s *slip.Slip) { s.ID = "" }},
		{"no qr", func(s *slip.Slip) { s.QR = "" }},
		{"no valid-until", func(s *slip.Slip) { s.ValidUntil = time.Time{} }},
		{"control byte in qr", func(s *slip.Slip) { s.QR = "AB\x1b@" }},
		{"colour without as-of", func(s *slip.Slip) { s.ColourAsOf = time.Time{} }},
		{"unknown colour", func(s *slip.Slip) { s.Colour = "blue" }},
		{"pending with colour", func(s *slip.Slip) { s.Pending, s.Receipt = true, "R1" }},
		{"pending without receipt", func(s *slip.Slip) { s.Pending, s.Colour = true, "" }},
		{"unchecked with colour", func(s *slip.Slip) { s.Unchecked, s.QR = true, "" }},
		{"unchecked with qr", func(s *slip.Slip) { s.Unchecked, s.Colour = true, "" }},
		{"unchecked and pending", func(s *slip.Slip) { s.Unchecked, s.Pending, s.Receipt, s.Colour, s.QR = true, true, "R1", "", "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := issued(t)
			tt.modify(&s)
			_, err := slip.Encode(s, escpos.Profile58)
			if !errors.Is(err, slip.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if (s.ID != "" && strings.Contains(err.Error(), s.ID.Reveal())) || (s.Name != "" && strings.Contains(err.Error(), s.Name.Reveal())) {
				t.Errorf("error %q holds personal data", err)
			}
		})
	}
}

// TestSSCSlip: a slip for a resident who used her social-security card
// says so, and a pending one tells her to bring that card again; an ID
// card's slip says neither.
func TestSSCSlip(t *testing.T) {
	dec := simplifiedchinese.GBK.NewDecoder()
	for _, tc := range []struct {
		name      string
		slip      slip.Slip
		want, not []string
	}{
		{"code", func() slip.Slip { s := issued(t); s.SSC = true; return s }(), []string{"读卡：社保卡"}, nil},
		{"pending", func() slip.Slip { s := pending(t); s.SSC = true; return s }(), []string{"读卡：社保卡", "再插一次社保卡"}, []string{"再放一次身份证"}},
		{"id card", pending(t), []string{"再放一次身份证"}, []string{"社保卡"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := slip.Encode(tc.slip, escpos.Profile58)
			if err != nil {
				t.Fatal(err)
			}
			text, _ := dec.String(string(data))
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("%q not on the slip", w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(text, n) {
					t.Errorf("the slip says %q", n)
				}
			}
		})
	}
}

// credential is a medical-visit credential's slip for a resident who
// used her social-security card.
func credential(t testing.TB) slip.Slip {
	name, id := deckCard(t, "resident-green")
	at := time.Date(2026, 5, 1, 9, 30, 0, 0, cst)
	return slip.Slip{
		Name: name, ID: id, QR: "SSJ1:" + token()[4:150], Credential: true, CardNumber: "A12345678", SSC: true,
		IssuedAt: at, ValidUntil: at.Add(24 * time.Hour),
		Centre: "黄浦区南京东路街道社区事务受理服务中心", Serial: "K07-20260501-0043",
	}
}

// TestCredentialSlip: a medical-visit credential's slip has its own
// title, its QR, the masked name and card number, its validity, no colour
// and never the card number in full; with an ID card it says no card
// number was read; it refuses a colour.
func TestCredentialSlip(t *testing.T) {
	dec := simplifiedchinese.GBK.NewDecoder()
	byID := credential(t)
	byID.CardNumber, byID.SSC = "", false
	for _, tc := range []struct {
		name      string
		slip      slip.Slip
		want, not []string
	}{
		{"social-security card", credential(t),
			[]string{slip.CredentialTitle, "不含健康状态", "社保卡号：A****5678", "有效期至：2026-05-02 09:30", "挂号"},
			[]string{"A12345678", "绿码", "黄码", "红码", "状态截至", "随申码"}},
		{"id card", byID, []string{"社保卡号：未读取（凭身份证办理）"}, []string{"绿码", "读卡：社保卡"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := slip.Encode(tc.slip, escpos.Profile58)
			if err != nil {
				t.Fatal(err)
			}
			text, _ := dec.String(string(data))
			for _, w := range append(tc.want, tc.slip.Name.Masked(), tc.slip.ID.Masked()) {
				if !strings.Contains(text, w) {
					t.Errorf("%q not on the slip", w)
				}
			}
			for _, n := range append(tc.not, tc.slip.Name.Reveal(), tc.slip.ID.Reveal()) {
				if strings.Contains(text, n) {
					t.Errorf("the slip says %q", n)
				}
			}
			if !bytes.Contains(data, []byte{0x1d, '(', 'k'}) {
				t.Error("the credential's slip has no QR code")
			}
		})
	}
	s := credential(t)
	s.Colour, s.ColourAsOf = healthcode.Green, s.IssuedAt
	if _, err := slip.Encode(s, escpos.Profile58); !errors.Is(err, slip.ErrInvalid) {
		t.Errorf("a credential with a colour: %v, want ErrInvalid", err)
	}
	if _, err := slip.Preview(credential(t), raster58); err != nil {
		t.Errorf("preview: %v", err)
	}
}

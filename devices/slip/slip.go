package slip

import (
	"errors"
	"fmt"
	"image"
	"time"

	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/escpos/render"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/pii"
)

// DefaultTitle is the heading when Slip.Title is empty.
const DefaultTitle = "随申码 · 纸质离线码"

// UncheckedTitle is the heading of an unchecked slip when Slip.Title is
// empty: it is no paper code.
const UncheckedTitle = "随申码 · 离线查询回执"

// CredentialTitle is the heading of a medical-visit credential's slip
// when Slip.Title is empty.
const CredentialTitle = "就医凭证 · 医院挂号用"

// Slip is what one paper slip says.
type Slip struct {
	// Title is the heading; DefaultTitle when empty.
	Title string
	// Name and ID are printed masked (张*丰, 3*************0019).
	Name pii.Name
	ID   pii.IDNumber
	// QR is the code's content, an opaque token (base45 text of up to
	// about 200 characters). Required unless Pending.
	QR string
	// IssuedAt is when the slip was printed (or, pending, registered);
	// ValidUntil is when the token stops being valid (required unless
	// Pending).
	IssuedAt, ValidUntil time.Time
	// Centre is the name of the service point that printed it.
	Centre string
	// Serial identifies the printed slip.
	Serial string
	// Colour, when set, is printed as a word with ColourAsOf, the time the
	// service said so. A pending slip has none.
	Colour     healthcode.Colour
	ColourAsOf time.Time
	// Pending marks an offline enrolment: no colour, a receipt number,
	// and a QR only if QR is set (a receipt code, say).
	Pending bool
	// Receipt is the receipt number of a pending slip.
	Receipt string
	// Unchecked marks a slip for a resident whose status the kiosk could
	// not check (offline, and what it holds about her has expired): no
	// colour and no QR; it says so and what to do.
	Unchecked bool
	// SSC: the resident identified herself with her social-security card
	// (社保卡), not her ID card. The slip says so under her ID number, and
	// its advice names that card.
	SSC bool
	// Credential marks a medical-visit credential (就医凭证) for a
	// hospital's registration desk: its own token in the QR, valid for a
	// day, never a colour. CardNumber is her social-security card's
	// number, printed masked (first 1 + last 4); without it (an ID card)
	// the slip says it was not read.
	Credential bool
	CardNumber pii.IDNumber
	// Withdraw says where the resident withdraws her consent or has her
	// data corrected ("请到服务点柜台办理", or a phone number); printed
	// under a heading when set.
	Withdraw string
}

// Errors from Encode and Preview.
var (
	// ErrInvalid: the slip lacks something it must have or has something
	// it must not; the message says which field.
	ErrInvalid = errors.New("invalid slip")
	// ErrQRTooLarge: the content needs a symbol that cannot be printed at
	// least MinQRDots wide with its quiet zone on the paper.
	ErrQRTooLarge = errors.New("qr content too long for the paper")
)

// QR sizing, in dots at 203 dpi (8 dots/mm).
const (
	// MinQRDots is the narrowest symbol printed: 30 mm, which phone
	// cameras and venue scanners read at arm's length.
	MinQRDots = 240
	// MaxQRDots is the widest: 40 mm. Bigger only costs paper.
	MaxQRDots = 320
	// QuietZone is the blank margin the symbol needs, in modules.
	QuietZone = 4
	// QRLevel is the error correction level: M survives a crease.
	QRLevel = escpos.QRLevelM
	// maxQRContent bounds the content; tokens are about 200 characters.
	maxQRContent = 1000
)

// Shanghai keeps China Standard Time all year; the slip prints times in
// it whatever the kiosk's own time zone.
var shanghai = time.FixedZone("CST", 8*3600)

const timeLayout = "2006-01-02 15:04"

// QRModule chooses the module size for content on profile p: the largest
// that keeps the symbol within MaxQRDots and, with its quiet zone, within
// the paper; the symbol must still be MinQRDots wide. It returns the
// module size and the symbol's width in dots.
func QRModule(content string, p escpos.Profile) (module, width int, err error) {
	sym, err := escpos.QRSymbol([]byte(content), QRLevel)
	if err != nil {
		return 0, 0, fmt.Errorf("slip: %w", err)
	}
	n := len(sym)
	module = min(MaxQRDots/n, p.Dots/(n+2*QuietZone), escpos.QRMaxModule)
	if module < 1 || n*module < MinQRDots {
		return 0, 0, fmt.Errorf("slip: %d-module symbol on %d-dot paper: %w", n, p.Dots, ErrQRTooLarge)
	}
	return module, n * module, nil
}

func (s Slip) validate() error {
	bad := func(what string) error { return fmt.Errorf("slip: %s: %w", what, ErrInvalid) }
	if s.Name == "" {
		return bad("name missing")
	}
	if s.ID == "" {
		return bad("id number missing")
	}
	for _, c := range s.QR {
		if c < 0x20 || c > 0x7E {
			return bad("qr content must be printable ascii")
		}
	}
	if len(s.QR) > maxQRContent {
		return bad("qr content too long")
	}
	if s.Credential && (s.Pending || s.Unchecked || s.Colour != "") {
		return bad("a credential is neither pending nor unchecked and has no colour")
	}
	if s.Unchecked {
		switch {
		case s.Pending:
			return bad("a slip is pending or unchecked, not both")
		case s.Colour != "":
			return bad("an unchecked slip has no colour")
		case s.QR != "":
			return bad("an unchecked slip has no qr")
		}
		return nil
	}
	if s.Pending {
		if s.Colour != "" {
			return bad("a pending slip has no colour")
		}
		if s.Receipt == "" {
			return bad("pending slip without receipt number")
		}
		return nil
	}
	switch {
	case s.QR == "":
		return bad("qr content missing")
	case s.ValidUntil.IsZero():
		return bad("valid-until missing")
	case s.Colour != "" && !s.Colour.Valid():
		return bad("unknown colour")
	case s.Colour != "" && s.ColourAsOf.IsZero():
		return bad("colour without its as-of time")
	}
	return nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(shanghai).Format(timeLayout)
}

// Encode returns the ESC/POS bytes of s for a printer of profile p, with
// the QR native or as a raster image as the profile says.
func Encode(s Slip, p escpos.Profile) ([]byte, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	title := s.Title
	switch {
	case title == "" && s.Unchecked:
		title = UncheckedTitle
	case title == "" && s.Credential:
		title = CredentialTitle
	case title == "":
		title = DefaultTitle
	}
	b := escpos.NewBuilder(p).Init().Chinese(true)
	b.Align(escpos.AlignCenter).Bold(true).Size(1, 2).Line(title).Size(1, 1).Bold(false)
	switch {
	case s.Unchecked:
		b.Feed(1).Size(2, 2).Bold(true).Line("状态未核验").Size(1, 1).Bold(false)
		b.Line("离线时无法核验您的状态")
	case s.Pending:
		b.Feed(1).Size(2, 2).Bold(true).Line("待同步").Size(1, 1).Bold(false)
		b.Line("回执号 " + s.Receipt)
	case s.Colour != "":
		b.Feed(1).Size(2, 2).Bold(true).Line(s.Colour.Word()).Size(1, 1).Bold(false)
		b.Line("状态截至 " + stamp(s.ColourAsOf))
	case s.Credential:
		b.Line("不含健康状态")
	}
	if s.QR != "" {
		module, _, err := QRModule(s.QR, p)
		if err != nil {
			return nil, err
		}
		// A blank line above and below keeps the quiet zone: 30 dots
		// plus the 6-dot gap under text is more than 4 modules of 5 dots.
		b.Feed(1).QR(s.QR, module, QRLevel).Feed(1)
	} else {
		b.Feed(1)
	}
	b.Align(escpos.AlignLeft)
	b.Line("姓名：" + s.Name.Masked())
	b.Line("证件号：" + s.ID.Masked())
	if s.SSC {
		b.Line("读卡：社保卡")
	}
	if s.Credential {
		b.Line(cardLine(s.CardNumber))
	}
	switch {
	case s.Unchecked:
		b.Line("打印时间：" + stamp(s.IssuedAt))
	case s.Pending:
		b.Line("登记时间：" + stamp(s.IssuedAt))
	default:
		b.Line("打印时间：" + stamp(s.IssuedAt))
		b.Line("有效期至：" + stamp(s.ValidUntil))
	}
	if s.Centre != "" {
		b.Line("服务点：" + s.Centre)
	}
	if s.Serial != "" {
		b.Line("编号：" + s.Serial)
	}
	b.Feed(1).Align(escpos.AlignCenter)
	for _, l := range s.advice() {
		b.Line(l)
	}
	if s.Withdraw != "" {
		b.Line("撤回同意或更正信息：")
		b.Line(s.Withdraw)
	}
	b.Align(escpos.AlignLeft).FeedAndCut(escpos.CutPartial, 48)
	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("slip: %w", err)
	}
	return out, nil
}

// cardLine is a credential's line for the social-security card number:
// masked, or that none was read.
func cardLine(n pii.IDNumber) string {
	if n == "" {
		return "社保卡号：未读取（凭身份证办理）"
	}
	return "社保卡号：" + n.Masked()
}

// advice is what the slip tells the resident under her details.
func (s Slip) advice() []string {
	again := "再放一次身份证"
	if s.SSC {
		again = "再插一次社保卡"
	}
	switch {
	case s.Credential:
		return []string{"请在有效期内到医院挂号窗口", "出示本凭证办理挂号。", "本凭证不能用于场所核验。"}
	case s.Unchecked:
		return []string{"本机保存的状态已过期，", "不能打印颜色和纸质码。", "网络恢复后，在任一自助机",
			again + "即可查询，", "或到服务点柜台查询。"}
	case s.Pending:
		return []string{"网络恢复后，在任一自助机", again + "即可打印纸质码，", "或凭回执号到服务点领取。"}
	}
	return []string{"本码仅用于核验身份，", "健康状态以扫码查询结果为准。"}
}

// Preview returns the image of s exactly as the printer of profile p
// prints it: Encode's bytes through the renderer the simulator uses.
func Preview(s Slip, p escpos.Profile) (image.Image, error) {
	data, err := Encode(s, p)
	if err != nil {
		return nil, err
	}
	return renderOne(data, p)
}

// renderOne draws the one slip in data as the printer of profile p
// prints it.
func renderOne(data []byte, p escpos.Profile) (image.Image, error) {
	imgs, err := render.Render(data, p)
	if err != nil {
		return nil, fmt.Errorf("slip: render: %w", err)
	}
	if len(imgs) != 1 {
		return nil, fmt.Errorf("slip: rendered %d images, want 1", len(imgs))
	}
	return imgs[0], nil
}

package idcard

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Command is a request: CMD, PARA and optional data
// (docs/idcard-protocol.md, "Commands").
type Command struct {
	Cmd, Para byte
	Data      []byte
}

// The commands of docs/idcard-protocol.md, "Commands".
var (
	CmdResetSAM        = Command{Cmd: 0x10, Para: 0xFF} // 复位SAM_A
	CmdSAMStatus       = Command{Cmd: 0x11, Para: 0xFF} // SAM_A状态检测
	CmdSAMID           = Command{Cmd: 0x12, Para: 0xFF} // 读SAM_A管理信息
	CmdFind            = Command{Cmd: 0x20, Para: 0x01} // 寻找证/卡
	CmdSelect          = Command{Cmd: 0x20, Para: 0x02} // 选取证/卡
	CmdRead            = Command{Cmd: 0x30, Para: 0x01} // 读固定信息 (text + photo)
	CmdReadAddress     = Command{Cmd: 0x30, Para: 0x03} // 读追加住址
	CmdReadFingerprint = Command{Cmd: 0x30, Para: 0x10} // 读固定信息 + 指纹
)

// CmdSetBaud returns the "set UART rate" command (60 nn) for baud, one of
// 115200, 57600, 38400, 19200, 9600.
func CmdSetBaud(baud int) (Command, error) {
	code, err := BaudCode(baud)
	if err != nil {
		return Command{}, err
	}
	return Command{Cmd: 0x60, Para: code}, nil
}

// CmdSetMaxRFFrame returns the "set max RF frame bytes" command
// (61 FF nn); hev-idcard-reader sends 61 FF 50 at start-up.
func CmdSetMaxRFFrame(n byte) Command {
	return Command{Cmd: 0x61, Para: 0xFF, Data: []byte{n}}
}

// Body returns CMD PARA DATA.
func (c Command) Body() []byte {
	return append([]byte{c.Cmd, c.Para}, c.Data...)
}

// Frame returns the whole request frame.
func (c Command) Frame() []byte { return Encode(c.Body()) }

// String names the command for logs: "find (20 01)".
func (c Command) String() string {
	name := "command"
	switch {
	case c.Cmd == 0x10:
		name = "reset SAM"
	case c.Cmd == 0x11:
		name = "SAM status"
	case c.Cmd == 0x12:
		name = "SAM ID"
	case c.Cmd == 0x20 && c.Para == 0x01:
		name = "find"
	case c.Cmd == 0x20 && c.Para == 0x02:
		name = "select"
	case c.Cmd == 0x30 && c.Para == 0x01:
		name = "read"
	case c.Cmd == 0x30 && c.Para == 0x03:
		name = "read address"
	case c.Cmd == 0x30 && c.Para == 0x10:
		name = "read with fingerprint"
	case c.Cmd == 0x60:
		name = "set baud"
	case c.Cmd == 0x61:
		name = "set max RF frame"
	}
	return fmt.Sprintf("%s (%02X %02X)", name, c.Cmd, c.Para)
}

// baudCodes is the 60 nn table. Only 02 = 38400 is verified in shipped
// code; the rest follows the order of the five rates in the module
// documentation (docs/idcard-protocol.md, "Set baud").
var baudCodes = []int{115200, 57600, 38400, 19200, 9600}

// BaudCode returns nn of the "set baud" command for a rate.
func BaudCode(baud int) (byte, error) {
	for i, b := range baudCodes {
		if b == baud {
			return byte(i), nil
		}
	}
	return 0, fmt.Errorf("idcard: the reader cannot run at %d baud (115200, 57600, 38400, 19200 or 9600)", baud)
}

// BaudFromCode returns the rate of a "set baud" code.
func BaudFromCode(code byte) (int, error) {
	if int(code) >= len(baudCodes) {
		return 0, fmt.Errorf("idcard: unknown baud code 0x%02X", code)
	}
	return baudCodes[code], nil
}

// Response is a reply frame's body split into its status and data.
type Response struct {
	SW1, SW2, SW3 byte
	Data          []byte
}

// ErrShortReply is a reply body too short to hold its status or data.
var ErrShortReply = errors.New("idcard: reply too short")

// ParseResponse splits a reply body (as Decoder.Next returns it).
func ParseResponse(body []byte) (Response, error) {
	if len(body) < 3 {
		return Response{}, fmt.Errorf("%w: %d bytes, need 3 status bytes", ErrShortReply, len(body))
	}
	return Response{SW1: body[0], SW2: body[1], SW3: body[2], Data: body[3:]}, nil
}

// Err returns nil for a success status (90, 9F) and a *StatusError
// otherwise.
func (r Response) Err() error {
	if success(r.SW3) {
		return nil
	}
	return &StatusError{Code: r.SW3}
}

// Reply builds a reply body: SW1 SW2 SW3 and data. The simulator and
// transcript tests use it.
func Reply(sw3 byte, data ...[]byte) []byte {
	b := []byte{0, 0, sw3}
	for _, d := range data {
		b = append(b, d...)
	}
	return b
}

// SAMID is the 16-byte SAM management information (12 FF).
type SAMID [16]byte

// ParseSAMID reads the data of a 12 FF reply.
func ParseSAMID(data []byte) (SAMID, error) {
	var id SAMID
	if len(data) < len(id) {
		return id, fmt.Errorf("%w: SAM ID has %d bytes, want 16", ErrShortReply, len(data))
	}
	copy(id[:], data)
	return id, nil
}

// String formats the ID the way vendor tools print it,
// 05.01-20100720-0001036050-0288634305: bytes 0 and 2, then three
// little-endian 32-bit numbers, the last two padded to ten digits.
func (id SAMID) String() string {
	return fmt.Sprintf("%02d.%02d-%d-%010d-%010d", id[0], id[2],
		binary.LittleEndian.Uint32(id[4:]), binary.LittleEndian.Uint32(id[8:]), binary.LittleEndian.Uint32(id[12:]))
}

// Sizes of the read reply's parts (docs/idcard-protocol.md, "Replies").
const (
	TextLen        = 256
	PhotoLen       = 1024
	FingerprintLen = 1024
)

// RawCard is what a read command returns, before the text is decoded.
type RawCard struct {
	Text        []byte // 256 bytes of UCS-2LE
	Photo       []byte // 1024 bytes of WLT, opaque
	Fingerprint []byte // 0 or 1024 bytes, only from a read with fingerprint
}

// ParseRead splits the data of a 30 01 reply (withFingerprint false) or a
// 30 10 reply (true): big-endian lengths of text and photo (and
// fingerprint), then the parts in that order.
func ParseRead(data []byte, withFingerprint bool) (RawCard, error) {
	hdr := 4
	if withFingerprint {
		hdr = 6
	}
	if len(data) < hdr {
		return RawCard{}, fmt.Errorf("%w: read reply has %d bytes", ErrShortReply, len(data))
	}
	tl := int(binary.BigEndian.Uint16(data[0:]))
	pl := int(binary.BigEndian.Uint16(data[2:]))
	fl := 0
	if withFingerprint {
		fl = int(binary.BigEndian.Uint16(data[4:]))
	}
	if tl != TextLen {
		return RawCard{}, fmt.Errorf("idcard: read reply text length %d, want %d", tl, TextLen)
	}
	if need := hdr + tl + pl + fl; len(data) != need {
		return RawCard{}, fmt.Errorf("%w: read reply has %d data bytes, its lengths need %d", ErrShortReply, len(data), need)
	}
	p := data[hdr:]
	raw := RawCard{Text: p[:tl:tl], Photo: p[tl : tl+pl : tl+pl]}
	if fl > 0 {
		raw.Fingerprint = p[tl+pl : tl+pl+fl : tl+pl+fl]
	}
	return raw, nil
}

// AppendRead builds the data of a read reply (the inverse of ParseRead).
func AppendRead(dst []byte, raw RawCard, withFingerprint bool) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(raw.Text)))
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(raw.Photo)))
	if withFingerprint {
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(raw.Fingerprint)))
	}
	dst = append(dst, raw.Text...)
	dst = append(dst, raw.Photo...)
	if withFingerprint {
		dst = append(dst, raw.Fingerprint...)
	}
	return dst
}

// AddressLen is the size of the data of a read-address reply (30 03):
// 35 UCS-2 characters, space-padded.
const AddressLen = 70

// AppendAddress builds the data of a read-address reply (30 03), the
// inverse of what Reader.ReadAddress decodes. It fails for an address of
// more than 35 characters or with one outside UCS-2.
func AppendAddress(dst []byte, a Address) ([]byte, error) {
	b := blankUCS2(AddressLen)
	if err := putUCS2(b, a.Reveal()); err != nil {
		return dst, fmt.Errorf("idcard: appended address: %w", err)
	}
	return append(dst, b...), nil
}

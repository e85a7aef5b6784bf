package idcard_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/shcommunity/kiosk/devices/idcard"
)

func TestCommandFrames(t *testing.T) {
	setBaud := func(b int) idcard.Command {
		c, err := idcard.CmdSetBaud(b)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// The full request frames of docs/idcard-protocol.md, "Commands".
	tests := []struct {
		name string
		cmd  idcard.Command
		want string
	}{
		{"reset SAM", idcard.CmdResetSAM, "AA AA AA 96 69 00 03 10 FF EC"},
		{"SAM status", idcard.CmdSAMStatus, "AA AA AA 96 69 00 03 11 FF ED"},
		{"SAM ID", idcard.CmdSAMID, "AA AA AA 96 69 00 03 12 FF EE"},
		{"find", idcard.CmdFind, "AA AA AA 96 69 00 03 20 01 22"},
		{"select", idcard.CmdSelect, "AA AA AA 96 69 00 03 20 02 21"},
		{"read", idcard.CmdRead, "AA AA AA 96 69 00 03 30 01 32"},
		{"read address", idcard.CmdReadAddress, "AA AA AA 96 69 00 03 30 03 30"},
		{"read fingerprint", idcard.CmdReadFingerprint, "AA AA AA 96 69 00 03 30 10 23"},
		{"baud 115200", setBaud(115200), "AA AA AA 96 69 00 03 60 00 63"},
		{"baud 57600", setBaud(57600), "AA AA AA 96 69 00 03 60 01 62"},
		{"baud 38400", setBaud(38400), "AA AA AA 96 69 00 03 60 02 61"},
		{"baud 19200", setBaud(19200), "AA AA AA 96 69 00 03 60 03 60"},
		{"baud 9600", setBaud(9600), "AA AA AA 96 69 00 03 60 04 67"},
		{"max RF frame", idcard.CmdSetMaxRFFrame(0x50), "AA AA AA 96 69 00 04 61 FF 50 CA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := tt.cmd.Frame(), h(t, tt.want); !bytes.Equal(got, want) {
				t.Fatalf("Frame() = % X\nwant      % X", got, want)
			}
		})
	}
}

func TestBaudCodes(t *testing.T) {
	for code, baud := range []int{115200, 57600, 38400, 19200, 9600} {
		got, err := idcard.BaudCode(baud)
		if err != nil || int(got) != code {
			t.Errorf("BaudCode(%d) = %d, %v; want %d", baud, got, err, code)
		}
		back, err := idcard.BaudFromCode(byte(code))
		if err != nil || back != baud {
			t.Errorf("BaudFromCode(%d) = %d, %v; want %d", code, back, err, baud)
		}
	}
	if _, err := idcard.BaudCode(4800); err == nil {
		t.Error("BaudCode(4800) = nil error, want one")
	}
	if _, err := idcard.BaudFromCode(5); err == nil {
		t.Error("BaudFromCode(5) = nil error, want one")
	}
}

func TestStatusErrors(t *testing.T) {
	tests := []struct {
		code     byte
		sentinel error
		zh       string
	}{
		{0x91, idcard.ErrNoContent, "证/卡中此项无内容"},
		{0x10, idcard.ErrReaderChecksum, "接收数据校验和错"},
		{0x11, idcard.ErrReaderLength, "接收数据长度错"},
		{0x21, idcard.ErrBadCommand, "接收数据命令错"},
		{0x23, nil, "越权操作"},
		{0x24, nil, "无法识别的错误"},
		{0x31, nil, "证/卡认证 SAM 失败"},
		{0x32, nil, "SAM 认证证/卡失败"},
		{0x33, nil, "信息验证错误"},
		{0x40, idcard.ErrUnknownCard, "无法识别的卡类型"},
		{0x41, idcard.ErrReadFailed, "读证/卡操作失败"},
		{0x47, nil, "取随机数失败"},
		{0x60, idcard.ErrSAMSelfTest, "SAM 自检失败"},
		{0x66, idcard.ErrSAMUnauthorized, "SAM 未经授权"},
		{0x80, idcard.ErrNoCard, "寻找证/卡失败"},
		{0x81, idcard.ErrSelectFailed, "选取证/卡失败"},
	}
	for _, tt := range tests {
		resp := idcard.Response{SW3: tt.code}
		err := resp.Err()
		var se *idcard.StatusError
		if !errors.As(err, &se) || se.Code != tt.code {
			t.Errorf("Response{SW3: %02X}.Err() = %v, want a *StatusError with that code", tt.code, err)
			continue
		}
		if se.Chinese() != tt.zh || se.English() == "" || !strings.Contains(err.Error(), tt.zh) {
			t.Errorf("status %02X: %q / %q, want %q and an English meaning", tt.code, se.Chinese(), err, tt.zh)
		}
		if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
			t.Errorf("status %02X does not match its sentinel %v", tt.code, tt.sentinel)
		}
		if tt.code != 0x80 && errors.Is(err, idcard.ErrNoCard) {
			t.Errorf("status %02X matches ErrNoCard", tt.code)
		}
	}
	for _, ok := range []byte{0x90, 0x9F} {
		if err := (idcard.Response{SW3: ok}).Err(); err != nil {
			t.Errorf("Response{SW3: %02X}.Err() = %v, want nil", ok, err)
		}
	}
	if err := (idcard.Response{SW3: 0x55}).Err(); !strings.Contains(err.Error(), "0x55") {
		t.Errorf("unknown status error %q does not name the code", err)
	}
}

func TestParseRead(t *testing.T) {
	raw := idcard.RawCard{Text: bytes.Repeat([]byte{1}, 256), Photo: bytes.Repeat([]byte{2}, 1024)}
	fp := raw
	fp.Fingerprint = bytes.Repeat([]byte{3}, 1024)
	tests := []struct {
		name  string
		raw   idcard.RawCard
		fp    bool
		total int // whole frame length
	}{
		{"30 01", raw, false, 1295},
		{"30 10 no fingerprint", raw, true, 7 + 0x050A},
		{"30 10 fingerprint", fp, true, 7 + 0x090A},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frame := idcard.Encode(idcard.AppendRead(idcard.Reply(0x90), tt.raw, tt.fp))
			if len(frame) != tt.total {
				t.Fatalf("frame is %d bytes, want %d", len(frame), tt.total)
			}
			if !tt.fp && !bytes.Equal(frame[:14], h(t, readHeadHex)) {
				t.Fatalf("frame head = % X, want %s", frame[:14], readHeadHex)
			}
			resp, _ := idcard.ParseResponse(frame[7 : len(frame)-1])
			got, err := idcard.ParseRead(resp.Data, tt.fp)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Text, tt.raw.Text) || !bytes.Equal(got.Photo, tt.raw.Photo) || !bytes.Equal(got.Fingerprint, tt.raw.Fingerprint) {
				t.Fatal("ParseRead did not give back the parts")
			}
			if _, err := idcard.ParseRead(resp.Data[:len(resp.Data)-1], tt.fp); !errors.Is(err, idcard.ErrShortReply) {
				t.Fatalf("ParseRead of a short reply = %v, want ErrShortReply", err)
			}
		})
	}
}

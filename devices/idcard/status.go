package idcard

import "fmt"

// SW3 status codes (docs/idcard-protocol.md, "Status codes"). SW1 and
// SW2 are 00 in practice.
const (
	StatusOK            byte = 0x90 // 操作成功
	StatusNoContent     byte = 0x91 // 证/卡中此项无内容
	StatusFound         byte = 0x9F // 寻找证/卡成功
	StatusChecksum      byte = 0x10 // 接收数据校验和错
	StatusLength        byte = 0x11 // 接收数据长度错
	StatusCommand       byte = 0x21 // 接收数据命令错
	StatusUnauthorized  byte = 0x23 // 越权操作
	StatusUnrecognized  byte = 0x24 // 无法识别的错误
	StatusCardAuthSAM   byte = 0x31 // 证/卡认证 SAM 失败
	StatusSAMAuthCard   byte = 0x32 // SAM 认证证/卡失败
	StatusVerify        byte = 0x33 // 信息验证错误
	StatusUnknownCard   byte = 0x40 // 无法识别的卡类型
	StatusReadFailed    byte = 0x41 // 读证/卡操作失败
	StatusRandom        byte = 0x47 // 取随机数失败
	StatusSelfTest      byte = 0x60 // SAM 自检失败
	StatusNotAuthorized byte = 0x66 // SAM 未经授权
	StatusFindFailed    byte = 0x80 // 寻找证/卡失败
	StatusSelectFailed  byte = 0x81 // 选取证/卡失败
)

type meaning struct{ zh, en string }

var statusText = map[byte]meaning{
	StatusOK:            {"操作成功", "success"},
	StatusNoContent:     {"证/卡中此项无内容", "item not present on the card"},
	StatusFound:         {"寻找证/卡成功", "card found"},
	StatusChecksum:      {"接收数据校验和错", "the reader received a frame with a bad checksum"},
	StatusLength:        {"接收数据长度错", "the reader received a frame with a bad length"},
	StatusCommand:       {"接收数据命令错", "the reader does not know the command"},
	StatusUnauthorized:  {"越权操作", "unauthorized operation"},
	StatusUnrecognized:  {"无法识别的错误", "unrecognized error"},
	StatusCardAuthSAM:   {"证/卡认证 SAM 失败", "the card failed to authenticate the SAM"},
	StatusSAMAuthCard:   {"SAM 认证证/卡失败", "the SAM failed to authenticate the card"},
	StatusVerify:        {"信息验证错误", "information verification error"},
	StatusUnknownCard:   {"无法识别的卡类型", "unknown card type"},
	StatusReadFailed:    {"读证/卡操作失败", "reading the card failed (not selected, or the card moved)"},
	StatusRandom:        {"取随机数失败", "getting a random number failed"},
	StatusSelfTest:      {"SAM 自检失败", "the SAM failed its self-test"},
	StatusNotAuthorized: {"SAM 未经授权", "the SAM is not authorized"},
	StatusFindFailed:    {"寻找证/卡失败", "no card on the reader"},
	StatusSelectFailed:  {"选取证/卡失败", "selecting the card failed"},
}

// StatusError is a reply whose SW3 is not a success. errors.Is matches
// another *StatusError with the same code, so the sentinels below work:
// errors.Is(err, idcard.ErrNoCard).
type StatusError struct {
	Code byte // SW3
}

func (e *StatusError) Error() string {
	m, ok := statusText[e.Code]
	if !ok {
		return fmt.Sprintf("idcard: reader status 0x%02X (not in GA 467)", e.Code)
	}
	return fmt.Sprintf("idcard: reader status 0x%02X %s (%s)", e.Code, m.zh, m.en)
}

// Is reports whether target is a *StatusError with the same code.
func (e *StatusError) Is(target error) bool {
	t, ok := target.(*StatusError)
	return ok && t.Code == e.Code
}

// Chinese returns the meaning in Chinese as the standard words it, or ""
// for a code outside the table.
func (e *StatusError) Chinese() string { return statusText[e.Code].zh }

// English returns the meaning in English, or "" for an unknown code.
func (e *StatusError) English() string { return statusText[e.Code].en }

// Sentinels for the statuses callers act on.
var (
	ErrNoCard          = &StatusError{Code: StatusFindFailed}    // 0x80
	ErrSelectFailed    = &StatusError{Code: StatusSelectFailed}  // 0x81
	ErrNoContent       = &StatusError{Code: StatusNoContent}     // 0x91
	ErrReadFailed      = &StatusError{Code: StatusReadFailed}    // 0x41
	ErrReaderChecksum  = &StatusError{Code: StatusChecksum}      // 0x10: our frame arrived damaged
	ErrReaderLength    = &StatusError{Code: StatusLength}        // 0x11
	ErrBadCommand      = &StatusError{Code: StatusCommand}       // 0x21
	ErrUnknownCard     = &StatusError{Code: StatusUnknownCard}   // 0x40
	ErrSAMSelfTest     = &StatusError{Code: StatusSelfTest}      // 0x60
	ErrSAMUnauthorized = &StatusError{Code: StatusNotAuthorized} // 0x66
)

// success reports whether a SW3 code is one of the two success codes.
func success(code byte) bool { return code == StatusOK || code == StatusFound }

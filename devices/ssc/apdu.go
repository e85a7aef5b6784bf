package ssc

import (
	"errors"
	"fmt"
)

// The instruction bytes this package sends (ISO/IEC 7816-4, basic
// interindustry commands; docs/ssc-card.md, "Commands").
const (
	InsSelect      byte = 0xA4
	InsReadRecord  byte = 0xB2
	InsGetResponse byte = 0xC0
)

// AppName is the name the social-security application is selected by,
// "sx1.sh.社会保障" in GBK: the ASCII "sx1.sh." and the four characters
// 社会保障 as two bytes each (docs/ssc-card.md, "The application").
var AppName = []byte{0x73, 0x78, 0x31, 0x2E, 0x73, 0x68, 0x2E, 0xC9, 0xE7, 0xBB, 0xE1, 0xB1, 0xA3, 0xD5, 0xCF}

// Command is one command APDU in the short form of ISO/IEC 7816-4:
// CLA INS P1 P2, then Lc and the data when there is data, then Le when an
// answer is expected.
type Command struct {
	CLA, INS, P1, P2 byte
	Data             []byte
	// Le is the number of bytes expected back; 0 means none is sent
	// (NoLe) unless LeMax says 256.
	Le    int
	LeMax bool // send Le = 00, "up to 256 bytes"
}

// Bytes encodes the command. Data longer than 255 bytes does not fit
// the short form and is an error; this package never sends any.
func (c Command) Bytes() ([]byte, error) {
	if len(c.Data) > 255 {
		return nil, fmt.Errorf("ssc: command data of %d bytes does not fit a short APDU", len(c.Data))
	}
	if c.Le < 0 || c.Le > 255 {
		return nil, fmt.Errorf("ssc: Le %d out of range", c.Le)
	}
	b := []byte{c.CLA, c.INS, c.P1, c.P2}
	if len(c.Data) > 0 {
		b = append(b, byte(len(c.Data)))
		b = append(b, c.Data...)
	}
	switch {
	case c.LeMax:
		b = append(b, 0)
	case c.Le > 0:
		b = append(b, byte(c.Le))
	}
	return b, nil
}

// String names the command for errors and logs: "READ RECORD 07 (SFI 5)".
// It never shows data, which for this package is never personal anyway.
func (c Command) String() string {
	switch c.INS {
	case InsSelect:
		switch c.P1 {
		case 0x04:
			return "SELECT application"
		case 0x02:
			return fmt.Sprintf("SELECT EF % X", c.Data)
		}
		return fmt.Sprintf("SELECT P1=%02X", c.P1)
	case InsReadRecord:
		if sfi := c.P2 >> 3; sfi != 0 {
			return fmt.Sprintf("READ RECORD %02X of SFI %d", c.P1, sfi)
		}
		return fmt.Sprintf("READ RECORD %02X", c.P1)
	case InsGetResponse:
		return "GET RESPONSE"
	}
	return fmt.Sprintf("command %02X %02X %02X %02X", c.CLA, c.INS, c.P1, c.P2)
}

// SelectApp selects the social-security application by its name (P1 04,
// "select by DF name").
func SelectApp() Command {
	return Command{INS: InsSelect, P1: 0x04, P2: 0x00, Data: AppName}
}

// SelectEF selects an elementary file of the current application by its
// two-byte identifier (P1 02, "select EF under the current DF").
func SelectEF(fid uint16) Command {
	return Command{INS: InsSelect, P1: 0x02, P2: 0x00, Data: []byte{byte(fid >> 8), byte(fid)}}
}

// ReadRecordSFI reads record rec of the file with short identifier sfi
// without selecting it: P2 is the SFI in its five high bits and 100 ("P1
// is a record number") in the low three.
func ReadRecordSFI(rec, sfi byte, le int) Command {
	return Command{INS: InsReadRecord, P1: rec, P2: sfi<<3 | 0x04, Le: le}
}

// ReadRecordCurrent reads, in the file selected last, the first record
// whose identifier is id: P2 00 means "current file, first occurrence of
// the record identifier P1". Every record of these files is a SIMPLE-TLV
// whose tag is its number, so the identifier is the record number.
func ReadRecordCurrent(id byte, le int) Command {
	return Command{INS: InsReadRecord, P1: id, P2: 0x00, Le: le}
}

// GetResponse fetches n bytes the card holds after a 61xx answer.
func GetResponse(n int) Command {
	return Command{INS: InsGetResponse, Le: n, LeMax: n == 0}
}

// Response is one response APDU: the data and the two status bytes.
type Response struct {
	Data []byte
	SW   SW
}

// ErrTruncated matches every error for an answer shorter than its own
// shape says: a response APDU without its two status bytes, a record
// shorter than its length byte.
var ErrTruncated = errors.New("ssc: truncated answer")

// ParseResponse splits a response APDU into data and status. An answer of
// fewer than two bytes has no status word and is ErrTruncated. The data
// is not copied.
func ParseResponse(b []byte) (Response, error) {
	if len(b) < 2 {
		return Response{}, fmt.Errorf("%w: %d bytes, no status word", ErrTruncated, len(b))
	}
	n := len(b) - 2
	return Response{Data: b[:n], SW: SW(b[n])<<8 | SW(b[n+1])}, nil
}

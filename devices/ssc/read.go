package ssc

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/pii"
)

// Transmitter sends one command APDU to a card and returns the response
// APDU, data and status word together. The PC/SC connection (Conn), the
// simulator's card in process and the tests' fakes implement it. Errors
// of the link match ErrCardRemoved, ErrReaderGone or ErrNoService.
type Transmitter interface {
	Transmit(ctx context.Context, apdu []byte) ([]byte, error)
}

// Counter is a Transmitter that counts what passes through it, for the
// benchmark and kioskctl's report.
type Counter struct {
	T        Transmitter
	APDUs    int // command APDUs sent
	Sent     int // bytes sent
	Received int // bytes received
}

// Transmit implements Transmitter.
func (c *Counter) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	c.APDUs++
	c.Sent += len(apdu)
	r, err := c.T.Transmit(ctx, apdu)
	c.Received += len(r)
	return r, err
}

// maxChain bounds the GET RESPONSE and wrong-Le rounds of one command, so
// that a card answering 61xx for ever cannot hold the reader.
const maxChain = 8

// Exchange sends cmd and returns the card's final answer. It follows the
// two T=0 conventions of ISO/IEC 7816-4 that a PC/SC reader leaves to
// the application: 6Cxx (send the command again with Le = xx) and, when
// fetch is true, 61xx (collect the xx bytes with GET RESPONSE, appending
// them). With fetch false a 61xx answer is returned as it is: a SELECT
// has succeeded and its control information is not needed.
func Exchange(ctx context.Context, t Transmitter, cmd Command, fetch bool) (Response, error) {
	var data []byte
	for round := 0; ; round++ {
		if round == maxChain {
			return Response{}, fmt.Errorf("ssc: %v: %w", cmd, ErrChain)
		}
		if err := ctx.Err(); err != nil {
			return Response{}, err
		}
		apdu, err := cmd.Bytes()
		if err != nil {
			return Response{}, err
		}
		raw, err := t.Transmit(ctx, apdu)
		if err != nil {
			return Response{}, fmt.Errorf("ssc: %v: %w", cmd, err)
		}
		resp, err := ParseResponse(raw)
		if err != nil {
			return Response{}, fmt.Errorf("ssc: %v: %w", cmd, err)
		}
		data = append(data, resp.Data...)
		switch {
		case resp.SW.WrongLe() && cmd.INS != InsGetResponse:
			cmd.Le, cmd.LeMax = int(resp.SW.SW2()), resp.SW.SW2() == 0
			data = data[:0]
		case resp.SW.MoreData() && fetch:
			cmd = GetResponse(int(resp.SW.SW2()))
		default:
			resp.Data = data
			return resp, nil
		}
	}
}

// ErrChain: a card kept answering 61xx or 6Cxx past any reasonable count.
var ErrChain = errors.New("ssc: the card keeps asking for another round")

// selectOK runs a SELECT and turns a refusal into a *StatusError.
func selectOK(ctx context.Context, t Transmitter, cmd Command, app bool) error {
	resp, err := Exchange(ctx, t, cmd, false)
	if err != nil {
		return err
	}
	if !resp.SW.OK() && !resp.SW.MoreData() {
		return &StatusError{Cmd: cmd.String(), SW: resp.SW, app: app}
	}
	return nil
}

// readRecord runs a READ RECORD and returns the record's value.
func readRecord(ctx context.Context, t Transmitter, cmd Command) ([]byte, error) {
	resp, err := Exchange(ctx, t, cmd, true)
	if err != nil {
		return nil, err
	}
	if !resp.SW.OK() {
		return nil, &StatusError{Cmd: cmd.String(), SW: resp.SW}
	}
	return ParseRecord(cmd.P1, resp.Data)
}

// ReadCard reads the public data of the card behind t, decodes it and
// validates it (docs/ssc-card.md, "Reading a card"): SELECT the
// application by name, READ RECORD 07, 05 and 06 of EF05 by its short
// identifier, SELECT EF06, READ RECORD 08 to 0D. Eleven command APDUs
// when the card needs no extra round.
//
// Records 05 and 06 (issue date, expiry) are read for what they are
// worth: a refusal other than a locked card, or a value that is not a
// date, leaves the date unknown. Every other record must be there.
//
// When the card was read but fails validation it returns the card and a
// *CardError, so that a caller can say what is wrong.
func ReadCard(ctx context.Context, t Transmitter, now time.Time) (*Card, error) {
	if err := selectOK(ctx, t, SelectApp(), true); err != nil {
		return nil, err
	}
	c := &Card{}
	v, err := readRecord(ctx, t, ReadRecordSFI(RecCardNumber, SFIIssuer, 2+9))
	if err != nil {
		return nil, err
	}
	cn, err := decodeASCII(RecCardNumber, v)
	if err != nil {
		return nil, err
	}
	c.CardNumber = pii.IDNumber(cn)
	if c.IssuedOn, err = optionalDate(ctx, t, RecIssued); err != nil {
		return nil, err
	}
	if c.ValidTo, err = optionalDate(ctx, t, RecValidTo); err != nil {
		return nil, err
	}
	if err := selectOK(ctx, t, SelectEF(FileHolder), false); err != nil {
		return nil, err
	}
	if err := readHolder(ctx, t, c); err != nil {
		return nil, err
	}
	if err := c.Validate(now); err != nil {
		return c, err
	}
	return c, nil
}

// optionalDate reads an EF05 date record whose position is unconfirmed.
// Only the failures that stop the whole read come back as errors: the
// link (card removed, reader gone) and a locked card.
func optionalDate(ctx context.Context, t Transmitter, id byte) (time.Time, error) {
	v, err := readRecord(ctx, t, ReadRecordSFI(id, SFIIssuer, 2+4))
	if err == nil {
		if d, derr := DecodeDate(id, v); derr == nil {
			return d, nil
		}
		return time.Time{}, nil
	}
	var se *StatusError
	var re *RecordError
	switch {
	case errors.Is(err, ErrLocked):
		return time.Time{}, err
	case errors.As(err, &se), errors.As(err, &re):
		return time.Time{}, nil
	}
	return time.Time{}, err
}

// readHolder reads records 08 to 0D of the selected EF06 into c.
func readHolder(ctx context.Context, t Transmitter, c *Card) error {
	get := func(id byte) ([]byte, error) {
		return readRecord(ctx, t, ReadRecordCurrent(id, 2+records[id].size))
	}
	v, err := get(RecNumber)
	if err != nil {
		return err
	}
	num, err := decodeASCII(RecNumber, v)
	if err != nil {
		return err
	}
	c.Number = pii.IDNumber(num)
	if v, err = get(RecName); err != nil {
		return err
	}
	name, err := DecodeName(v)
	if err != nil {
		return err
	}
	c.Name = pii.Name(name)
	if v, err = get(RecGender); err != nil {
		return err
	}
	if c.Gender, err = DecodeGender(v); err != nil {
		return err
	}
	if v, err = get(RecNation); err != nil {
		return err
	}
	nation, ok := decodeBCD(v, false)
	if !ok {
		return badRecord(RecNation, "not BCD")
	}
	c.Nation = nation
	if v, err = get(RecBirthPlace); err != nil {
		return err
	}
	place, ok := decodeBCD(v, true)
	if !ok {
		return badRecord(RecBirthPlace, "not BCD")
	}
	c.BirthPlace = Place(place)
	if v, err = get(RecBirth); err != nil {
		return err
	}
	c.Birth, err = DecodeDate(RecBirth, v)
	return err
}

// DecodeGender reads the gender record: the GB/T 2261.1 code as an ASCII
// digit ('1' male, '2' female, '0' unknown, '9' unspecified), as field
// tools read it, or the same code as a binary byte, which the national
// specification's "cn" type would give (docs/ssc-card.md, "What is not
// confirmed").
func DecodeGender(v []byte) (idcard.Gender, error) {
	if len(v) != 1 {
		return 0, badRecord(RecGender, "%d bytes, want 1", len(v))
	}
	b := v[0]
	if b >= '0' && b <= '9' {
		b -= '0'
	}
	g, ok := idcard.ParseGender(string(rune('0' + b)))
	if !ok || b > 9 {
		return 0, badRecord(RecGender, "0x%02X is not a GB/T 2261.1 code", v[0])
	}
	return g, nil
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/shcommunity/kiosk/devices/ssc"
)

// sscJSON is what read-ssc prints. Personal fields are masked unless
// --reveal is given; the birth date is left out without it.
type sscJSON struct {
	Reader     string `json:"reader"`
	CardNumber string `json:"card_number"`
	Name       string `json:"name"`
	Number     string `json:"number"`
	Gender     string `json:"gender"`
	Nation     string `json:"nation,omitempty"`
	BirthPlace string `json:"birth_place"`
	Birth      string `json:"birth,omitempty"`
	Issued     string `json:"issued,omitempty"`
	ValidTo    string `json:"valid_to,omitempty"`
	Expiry     string `json:"expiry"` // valid, expired, unknown
	Valid      bool   `json:"valid"`
	Problem    string `json:"problem,omitempty"`
	APDUs      int    `json:"apdus"`
	Revealed   bool   `json:"revealed"`
}

func newSSCJSON(reader string, c *ssc.Card, apdus int, reveal bool, problem error, now time.Time) sscJSON {
	j := sscJSON{
		Reader:     reader,
		CardNumber: shown(c.CardNumber, reveal),
		Name:       shown(c.Name, reveal),
		Number:     shown(c.Number, reveal),
		Gender:     c.Gender.String(),
		Nation:     c.NationName(),
		BirthPlace: shown(c.BirthPlace, reveal),
		Issued:     date(c.IssuedOn),
		ValidTo:    date(c.ValidTo),
		Expiry:     c.Expiry(now).String(),
		Valid:      problem == nil,
		APDUs:      apdus,
		Revealed:   reveal,
	}
	if problem != nil {
		j.Problem = problem.Error()
	}
	if reveal {
		j.Birth = date(c.Birth)
	}
	return j
}

// cmdReadSSC reads one social-security card through the system's PC/SC
// service and prints it as JSON.
func cmdReadSSC(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kioskctl read-ssc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	reader := fs.String("reader", "", "part of the contact reader's PC/SC name (default: the first reader; `kioskctl doctor` lists them)")
	reveal := fs.Bool("reveal", false, "print the full name, numbers, birth place and birth date (personal data: only when needed)")
	wait := fs.Duration("wait", 15*time.Second, "how long to wait for a card to be inserted")
	if err := fs.Parse(args); err != nil {
		return fail(exitUsage, "", err)
	}
	p, err := ssc.OpenPCSC()
	if err != nil {
		return sscFailure(err)
	}
	defer p.Close()
	name, err := p.FindReader(*reader)
	if err != nil {
		return sscFailure(err)
	}
	ctx, cancel := context.WithTimeout(ctx, deadline(*wait)+5*time.Second)
	defer cancel()
	if err := waitSSC(ctx, p, name, deadline(*wait)); err != nil {
		return err
	}
	conn, err := p.Connect(name)
	if err != nil {
		return sscFailure(err)
	}
	defer conn.Close()
	counter := &ssc.Counter{T: conn}
	now := time.Now()
	card, err := ssc.ReadCard(ctx, counter, now)
	var ce *ssc.CardError
	if err != nil && !errors.As(err, &ce) {
		return sscFailure(err)
	}
	defer card.Wipe()
	if err := printJSON(stdout, newSSCJSON(name, card, counter.APDUs, *reveal, err, now)); err != nil {
		return err
	}
	if err != nil {
		return fail(exitBadCard, ssc.Remedy(err), err)
	}
	return nil
}

// waitSSC waits until a card is in the reader or wait has passed.
func waitSSC(ctx context.Context, p *ssc.PCSC, reader string, wait time.Duration) error {
	until := time.Now().Add(wait)
	var st ssc.ReaderState
	for {
		left := time.Until(until)
		if left <= 0 {
			return fail(exitNoCard, ssc.Remedy(ssc.ErrNoCard), fmt.Errorf("no card inserted within %v", wait))
		}
		var err error
		if st, err = p.Wait(ctx, reader, st, min(left, time.Second)); err != nil {
			return sscFailure(err)
		}
		if st.Present {
			return nil
		}
	}
}

// sscFailure maps a PC/SC or card error to an exit code: the service or
// the reader not there is 3 (like a port that cannot be used), a card
// that cannot be read is 4.
func sscFailure(err error) error {
	code := exitNoCard
	if errors.Is(err, ssc.ErrNoService) || errors.Is(err, ssc.ErrNoReader) || errors.Is(err, ssc.ErrReaderGone) {
		code = exitPort
	}
	return fail(code, ssc.Remedy(err), err)
}

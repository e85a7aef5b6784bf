package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/shcommunity/kiosk/devices/idcard"
)

// cardJSON is what read-card prints. Personal fields are masked unless
// --reveal is given; the birth date and the address are left out without
// it, since either identifies a person as surely as the number.
type cardJSON struct {
	Type      string `json:"type"`
	Name      string `json:"name"`
	OtherName string `json:"other_name,omitempty"`
	Gender    string `json:"gender"`
	Nation    string `json:"nation,omitempty"`
	Number    string `json:"number"`
	Birth     string `json:"birth,omitempty"`
	Address   string `json:"address,omitempty"`
	Authority string `json:"authority,omitempty"`
	ValidFrom string `json:"valid_from"`
	ValidTo   string `json:"valid_to"`
	Valid     bool   `json:"valid"`
	Problem   string `json:"problem,omitempty"`
	PhotoLen  int    `json:"photo_bytes"`
	Revealed  bool   `json:"revealed"`
	// PassNumber and IssueCount are a 港澳台 residence permit's (J)
	// 通行证号码, masked like the card number, and 签发次数.
	PassNumber string `json:"pass_number,omitempty"`
	IssueCount string `json:"issue_count,omitempty"`
}

func newCardJSON(c *idcard.Card, reveal bool, problem error) cardJSON {
	j := cardJSON{
		Type:       c.Type.String(),
		Name:       shown(c.Name, reveal),
		OtherName:  shown(c.OtherName, reveal),
		Gender:     c.Gender.String(),
		Nation:     c.NationName(),
		Number:     shown(c.Number, reveal),
		Authority:  c.Authority,
		ValidFrom:  date(c.ValidFrom),
		ValidTo:    date(c.ValidTo),
		Valid:      problem == nil,
		PhotoLen:   len(c.Photo),
		Revealed:   reveal,
		IssueCount: c.IssueCount,
	}
	if c.PassNumber != "" {
		j.PassNumber = shown(c.PassNumber, reveal)
	}
	if c.Permanent {
		j.ValidTo = idcard.Permanent
	}
	if problem != nil {
		j.Problem = problem.Error()
	}
	if reveal {
		j.Birth = date(c.Birth)
		j.Address = c.Address.Reveal()
	}
	return j
}

// personal is personal data as the pii types and the cards carry it:
// masked by String, in full by Reveal.
type personal interface {
	fmt.Stringer
	Reveal() string
}

// shown is p as read-card and read-ssc print it: in full with --reveal,
// masked without.
func shown(p personal, reveal bool) string {
	if reveal {
		return p.Reveal()
	}
	return p.String()
}

// printJSON prints what a read command read as indented JSON, with no
// HTML escaping (a technician reads it as it is).
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func cmdReadCard(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kioskctl read-card", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var pf portFlags
	pf.register(fs)
	reveal := fs.Bool("reveal", false, "print the full name, ID number, birth date and address (personal data: only when needed)")
	wait := fs.Duration("wait", 15*time.Second, "how long to wait for a card to be placed")
	if err := fs.Parse(args); err != nil {
		return fail(exitUsage, "", err)
	}
	port, err := pf.open(false)
	if err != nil {
		return err
	}
	r := idcard.NewReader(port, nil)
	defer r.Close()

	ctx, cancel := context.WithTimeout(ctx, deadline(*wait)+5*time.Second)
	defer cancel()
	if err := r.SAMStatus(ctx); err != nil {
		return readerFailure(err, "the reader did not answer its status check: check the cable, the power and the baud rate (--baud)")
	}
	card, problem, err := waitCard(ctx, r, *wait)
	if err != nil {
		return err
	}
	defer card.Wipe()
	if err := printJSON(stdout, newCardJSON(card, *reveal, problem)); err != nil {
		return err
	}
	if problem != nil {
		advice := "the card data is inconsistent: ask the resident for another document and report the card"
		if errors.Is(problem, idcard.ErrCardExpired) {
			advice = "the card has expired: the resident should renew it at the police station (派出所)"
		}
		return fail(exitBadCard, advice, problem)
	}
	return nil
}

// waitCard polls the reader until a card is found or wait has passed,
// then reads it. A card that was read but failed validation (expired,
// inconsistent) comes back with the validation error as problem.
func waitCard(ctx context.Context, r *idcard.Reader, wait time.Duration) (card *idcard.Card, problem, err error) {
	until := time.Now().Add(deadline(wait))
	for {
		found, err := r.Find(ctx)
		if err != nil {
			return nil, nil, readerFailure(err, "")
		}
		if found {
			card, err := r.ReadCard(ctx)
			var ce *idcard.CardError
			if errors.As(err, &ce) && ce.Card != nil {
				return ce.Card, err, nil
			}
			if err != nil {
				return nil, nil, readerFailure(err, "keep the card flat on the reader and try again; if it fails again the card may be damaged")
			}
			return card, nil, nil
		}
		if time.Now().After(until) {
			return nil, nil, fail(exitNoCard, "place the ID card flat on the reader and run the command again", fmt.Errorf("no card placed within %v", wait))
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}

func readerFailure(err error, advice string) error {
	if errors.Is(err, idcard.ErrDisconnected) {
		return portFailure(err)
	}
	if advice == "" && errors.Is(err, idcard.ErrTimeout) {
		advice = "the reader stopped answering: check the cable and the power; kioskctl ports shows whether it is still there"
	}
	return fail(exitNoCard, advice, err)
}

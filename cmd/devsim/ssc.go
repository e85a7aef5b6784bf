package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/shcommunity/kiosk/devices/ssc/pcsclab"
	"github.com/shcommunity/kiosk/devices/ssc/sscsim"
)

const sscHelp = `commands:
  list                 the cards in the deck
  insert LABEL         put a card in the contact reader
  remove               take the card out
  fault KIND [AFTER]   spoil one answer of the card in the reader, after
                       AFTER more commands (default 0); KIND is pull,
                       truncate, no-status or wrong-sw
  state                the card in the reader and what it was asked
  quit                 stop the simulator`

// runSSC puts virtual social-security cards into vpcd: the system's
// pcscd with Debian's vpcd reader.conf (port 35963), or with --lab a
// private pcscd started here.
func runSSC(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("devsim ssc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", sscsim.DefaultAddr, "vpcd's `address`, where the card connects")
	withLab := fs.Bool("lab", false, "start a private pcscd with the vpcd driver (pcscd and vsmartcard-vpcd installed) instead of using the system's")
	deckPath := fs.String("deck", "", "JSON deck of cards (default: the sample deck of devices/ssc/sscsim)")
	control := fs.String("control", "", "also take commands as POST /control on this loopback `address` (e.g. 127.0.0.1:7103)")
	insert := fs.String("insert", "", "card `label` to insert at start")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	deck, err := loadDeck(*deckPath, sscsim.SampleDeck, sscsim.LoadDeck)
	if err != nil {
		return err
	}
	reader := "the vpcd reader of the system's pcscd"
	if *withLab {
		lab, err := pcsclab.Start(ctx, nil)
		if err != nil {
			return err
		}
		defer lab.Stop()
		*addr, reader = lab.Readers[0].Addr, fmt.Sprintf("%q on a private pcscd; its clients need %s", lab.Readers[0].Name, lab.Env())
	}
	sim := sscsim.New(deck, &sscsim.Options{
		Addr:   *addr,
		Logger: warnings(stderr),
	})
	defer sim.Close()
	if *insert != "" {
		if err := sim.Insert(*insert); err != nil {
			return err
		}
	}
	var mu sync.Mutex
	fmt.Fprintf(stdout, "ssc: vpcd at %s, %s (%d cards; type help)\n", *addr, reader, len(deck.Cards))
	return session{control: *control, c: sscController(sim), mu: &mu}.run(ctx, stdin, stdout)
}

func sscController(sim *sscsim.Sim) controller {
	cards := func() []sscsim.DeckCard { return sim.Deck().Cards }
	line := func(c sscsim.DeckCard) string { return fmt.Sprintf("%-19s %s", c.Label, c.Note) }
	cs := cardCommands(cards, line, "insert", "inserted", sim.Insert, sim.Remove)
	cs["fault"] = func(f []string) (string, error) { return sscFault(sim, f) }
	cs["state"] = func([]string) (string, error) {
		in := sim.Inserted()
		if in == "" {
			in = "(none)"
		}
		st := sim.Stats()
		return fmt.Sprintf("card: %s, inserted %d times, %d ATRs and %d commands answered", in, st.Links, st.ATRs, st.Commands), nil
	}
	return cs.controller(sscHelp)
}

func sscFault(sim *sscsim.Sim, f []string) (string, error) {
	if len(f) < 2 || len(f) > 3 {
		return "", errors.New("usage: fault pull|truncate|no-status|wrong-sw [AFTER]")
	}
	kind, err := sscsim.ParseFault(f[1])
	if err != nil {
		return "", err
	}
	after := 0
	if len(f) == 3 {
		if after, err = strconv.Atoi(f[2]); err != nil || after < 0 {
			return "", fmt.Errorf("fault AFTER %q: want a count of commands, 0 or more", f[2])
		}
	}
	if err := sim.Inject(kind, after); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s after %d more commands", kind, after), nil
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/shcommunity/kiosk/devices/idcard/idcardsim"
	"github.com/shcommunity/kiosk/internal/ptypair"
)

const readerHelp = `commands:
  list                 the cards in the deck
  place LABEL          put a card on the reader
  remove               take the card off
  fault KIND [N]       spoil the next N replies (default 1); KIND is
                       checksum, truncate, silence or garbage
  state                the card on the reader and the line rate
  quit                 stop the simulator`

func runReader(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("devsim reader", flag.ContinueOnError)
	fs.SetOutput(stderr)
	baud := fs.Int("baud", 115200, "starting line rate (the reader's `set baud` command changes it)")
	deckPath := fs.String("deck", "", "JSON deck of cards (default: the sample deck in assets/deck.json)")
	control := fs.String("control", "", "also take commands as POST /control on this loopback `address` (e.g. 127.0.0.1:7101)")
	place := fs.String("place", "", "card `label` to place at start")
	silent := fs.Bool("silent-bad-checksum", false, "ignore requests with a bad checksum instead of answering SW3=10")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	deck, err := loadDeck(*deckPath, idcardsim.SampleDeck, idcardsim.LoadDeck)
	if err != nil {
		return err
	}
	sim := idcardsim.New(deck, &idcardsim.Options{
		Baud:                *baud,
		SilentOnBadChecksum: *silent,
		Logger:              warnings(stderr),
	})
	if *place != "" {
		if err := sim.Place(*place); err != nil {
			return err
		}
	}
	pair, err := ptypair.Open()
	if err != nil {
		return err
	}
	defer pair.Close()

	var mu sync.Mutex
	fmt.Fprintf(stdout, "reader: %s (%d baud, %d cards; type help)\n", pair.Path, *baud, len(deck.Cards))
	return session{serve: sim.Serve, master: pair.Master, control: *control, c: readerController(sim), mu: &mu}.run(ctx, stdin, stdout)
}

var faultNames = map[string]idcardsim.Fault{
	"checksum": idcardsim.FaultBadChecksum,
	"truncate": idcardsim.FaultTruncate,
	"silence":  idcardsim.FaultSilence,
	"garbage":  idcardsim.FaultGarbage,
}

func readerController(sim *idcardsim.Sim) controller {
	cards := func() []idcardsim.DeckCard { return sim.Deck().Cards }
	line := func(c idcardsim.DeckCard) string { return fmt.Sprintf("%-16s %-12s %s", c.Label, c.Type, c.Note) }
	cs := cardCommands(cards, line, "place", "placed", sim.Place, sim.Remove)
	cs["fault"] = func(f []string) (string, error) { return readerFault(sim, f) }
	cs["state"] = func([]string) (string, error) {
		placed := sim.Placed()
		if placed == "" {
			placed = "(none)"
		}
		return fmt.Sprintf("card: %s, baud: %d, pending faults: %d", placed, sim.Baud(), sim.PendingFaults()), nil
	}
	return cs.controller(readerHelp)
}

func readerFault(sim *idcardsim.Sim, f []string) (string, error) {
	if len(f) < 2 || len(f) > 3 {
		return "", errors.New("usage: fault checksum|truncate|silence|garbage [N]")
	}
	kind, ok := faultNames[f[1]]
	if !ok {
		return "", fmt.Errorf("unknown fault %q: checksum, truncate, silence or garbage", f[1])
	}
	n := 1
	if len(f) == 3 {
		var err error
		if n, err = strconv.Atoi(f[2]); err != nil || n < 1 {
			return "", fmt.Errorf("fault count %q: want a positive number", f[2])
		}
	}
	sim.Inject(kind, n)
	return fmt.Sprintf("next %d replies: %s", n, kind), nil
}

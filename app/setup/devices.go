package setup

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shcommunity/kiosk/devices/conn"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/serialport"
	"github.com/shcommunity/kiosk/devices/slip"
)

// Port is a serial port as the installer picks it: what Open takes, and
// what tells it apart on screen.
type Port struct {
	Name    string // /dev/ttyUSB0, COM3
	VIDPID  string // 1A86:7523; "" when not USB
	Product string // the adapter's product string, when the system has one
}

// Label is the port in one line, as `kioskctl ports` lists it:
// "/dev/ttyUSB0  1A86:7523  CH340".
func (p Port) Label() string {
	parts := []string{p.Name}
	for _, s := range []string{p.VIDPID, p.Product} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "  ")
}

// SystemPorts lists the machine's serial ports (serialport.List).
func SystemPorts() ([]Port, error) {
	infos, err := serialport.List()
	if err != nil {
		return nil, err
	}
	out := make([]Port, 0, len(infos))
	for _, i := range infos {
		out = append(out, Port{Name: i.Name, VIDPID: i.VIDPID(), Product: i.Product})
	}
	return out, nil
}

// Devices is the machine as the first-run screen sees it. The zero value
// is the real machine; the demo and the tests put simulators behind it.
type Devices struct {
	// List lists the ports; nil means SystemPorts.
	List func() ([]Port, error)
	// Open opens a port by name at a line rate; nil means
	// serialport.Open.
	Open func(name string, baud int) (conn.Conn, error)
	// Now is the clock stamped on the test slip; nil means time.Now.
	Now func() time.Time
}

// ErrNoPort: the installer chose no port for the device being tested.
var ErrNoPort = errors.New("setup: no port chosen")

// Ports lists the ports the installer chooses from.
func (d Devices) Ports() ([]Port, error) {
	if d.List != nil {
		return d.List()
	}
	return SystemPorts()
}

func (d Devices) open(name string, baud int) (conn.Conn, error) {
	if strings.TrimSpace(name) == "" {
		return nil, ErrNoPort
	}
	if d.Open != nil {
		return d.Open(name, baud)
	}
	return serialport.Open(name, &serialport.Options{Baud: baud})
}

// Reading is a test read as the screen may show it: masked only. The
// card itself is wiped before TestReader returns.
type Reading struct {
	MaskedName string
	MaskedID   string
	// Problem is the card's own fault when it was read but fails
	// validation (expired, inconsistent): the reader works.
	Problem error
}

// pollEvery is how often TestReader asks the reader for a card, as the
// kiosk's watcher does.
const pollEvery = 300 * time.Millisecond

// TestReader opens port at baud, checks the reader's security module
// and reads one card with devices/idcard, waiting up to wait (the
// caller's ctx may end it sooner) for one to be placed. With no card it
// fails with idcard.ErrNoCard.
func (d Devices) TestReader(ctx context.Context, port string, baud int, wait time.Duration) (Reading, error) {
	c, err := d.open(port, baud)
	if err != nil {
		return Reading{}, err
	}
	r := idcard.NewReader(c, nil)
	defer r.Close()
	if err := r.SAMStatus(ctx); err != nil {
		return Reading{}, fmt.Errorf("reader status: %w", err)
	}
	// wait bounds the wait for a card between reads, not a read under
	// way: a read cut off by it would be a reader fault, not "no card".
	waited, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		card, err := r.ReadCard(ctx)
		var ce *idcard.CardError
		switch {
		case err == nil:
			defer card.Wipe()
			return Reading{MaskedName: card.Name.Masked(), MaskedID: card.Number.Masked()}, nil
		case errors.As(err, &ce) && ce.Card != nil:
			defer ce.Card.Wipe()
			return Reading{MaskedName: ce.Card.Name.Masked(), MaskedID: ce.Card.Number.Masked(), Problem: err}, nil
		case !errors.Is(err, idcard.ErrNoCard):
			return Reading{}, fmt.Errorf("read card: %w", err)
		}
		select {
		case <-waited.Done():
			if err := ctx.Err(); err != nil {
				return Reading{}, err
			}
			return Reading{}, fmt.Errorf("no card within %v: %w", wait, idcard.ErrNoCard)
		case <-tick.C:
		}
	}
}

// TestPrinter opens port at baud and prints the sample slip
// (slip.Sample) with devices/escpos for profile p, checking the
// printer's status before and after as every print does.
func (d Devices) TestPrinter(ctx context.Context, port string, baud int, p escpos.Profile) error {
	c, err := d.open(port, baud)
	if err != nil {
		return err
	}
	pr := escpos.NewPrinter(c, p)
	defer pr.Close()
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	job, err := slip.Encode(slip.Sample(now(), "FIRST RUN"), p)
	if err != nil {
		return err
	}
	if _, err := pr.Print(ctx, job); err != nil {
		return fmt.Errorf("test print: %w", err)
	}
	return nil
}

// Paper is the printer profile of a paper width: "58mm" or "58", "80mm"
// or "80".
func Paper(s string) (escpos.Profile, bool) {
	s = strings.TrimSpace(s)
	if p, ok := escpos.ProfileByName(s); ok {
		return p, true
	}
	return escpos.ProfileByName(s + "mm")
}

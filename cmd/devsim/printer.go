package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
	"github.com/shcommunity/kiosk/internal/ptypair"
)

const printerHelp = `commands:
  paper out|low|ok     run out of paper, nearly out, or load a new roll
  cover open|closed    open or close the cover
  offline on|off       take the printer offline
  cutter on|off        a jammed cutter
  mute on|off          stop answering status requests
  state                the printer's status and slips printed
  quit                 stop the simulator`

// profileFlag resolves --profile and --raster into a printer profile.
func profileFlag(name string, raster bool, baud int) (escpos.Profile, error) {
	p, ok := escpos.ProfileByName(name)
	if !ok {
		p, ok = escpos.ProfileByName(name + "mm")
	}
	if !ok {
		return p, usageError(fmt.Sprintf("unknown printer profile %q: use 58 or 80", name))
	}
	if raster {
		p.NativeQR = false
	}
	if baud > 0 {
		p.Baud = baud
	}
	return p, nil
}

func runPrinter(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("devsim printer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("profile", "58", "paper width: 58 or 80 (mm)")
	raster := fs.Bool("raster", false, "a printer without native QR (GS ( k)")
	baud := fs.Int("baud", 0, "line rate (default: the profile's, 115200)")
	out := fs.String("out", "out/slips", "directory for the PNG of each printed slip")
	control := fs.String("control", "", "also take commands as POST /control on this loopback `address`")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	p, err := profileFlag(*profile, *raster, *baud)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	var mu sync.Mutex
	sim := escpossim.New(p)
	sim.Dir = *out
	sim.Logger = warnings(stderr)
	sim.OnSlip = func(s escpossim.Slip) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stdout, "printed slip %d: %s (%d bytes)\n", s.Seq, s.Path, len(s.Raw))
	}
	pair, err := ptypair.Open()
	if err != nil {
		return err
	}
	defer pair.Close()

	fmt.Fprintf(stdout, "printer: %s (%s, %d baud, slips to %s; type help)\n", pair.Path, p.Name, p.Baud, *out)
	return session{serve: sim.Serve, master: pair.Master, control: *control, c: printerController(sim), mu: &mu}.run(ctx, stdin, stdout)
}

func printerController(sim *escpossim.Printer) controller {
	onOff := func(on, off string, set func(bool)) func([]string) (string, error) {
		return func(f []string) (string, error) {
			if len(f) != 2 || (f[1] != on && f[1] != off) {
				return "", fmt.Errorf("usage: %s %s|%s", f[0], on, off)
			}
			set(f[1] == on)
			return f[0] + " " + f[1], nil
		}
	}
	return commands{
		"paper":   func(f []string) (string, error) { return printerPaper(sim, f) },
		"cover":   onOff("open", "closed", sim.SetCoverOpen),
		"offline": onOff("on", "off", sim.SetOffline),
		"cutter":  onOff("on", "off", sim.SetCutterError),
		"mute":    onOff("on", "off", sim.SetMute),
		"state": func([]string) (string, error) {
			st := sim.Status()
			state := "ready"
			if err := st.Err(); err != nil {
				state = err.Error()
			} else if st.PaperNearEnd {
				state = "ready, paper low"
			}
			return fmt.Sprintf("%s; printed %d, spoiled %d", state, sim.Printed(), sim.Spoiled()), nil
		},
	}.controller(printerHelp)
}

func printerPaper(sim *escpossim.Printer, f []string) (string, error) {
	if len(f) != 2 {
		return "", errors.New("usage: paper out|low|ok")
	}
	switch f[1] {
	case "out":
		sim.SetPaperOut(true)
	case "low":
		sim.SetPaperOut(false)
		sim.SetPaperNearEnd(true)
	case "ok":
		sim.SetPaperOut(false)
		sim.SetPaperNearEnd(false)
	default:
		return "", errors.New("usage: paper out|low|ok")
	}
	return "paper " + f[1], nil
}

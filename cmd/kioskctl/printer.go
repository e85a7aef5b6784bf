package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/slip"
)

func profileFor(name string, raster bool, baud int) (escpos.Profile, error) {
	p, ok := escpos.ProfileByName(name)
	if !ok {
		p, ok = escpos.ProfileByName(name + "mm")
	}
	if !ok {
		return p, fail(exitUsage, "", fmt.Errorf("unknown printer profile %q: use 58 or 80", name))
	}
	if raster {
		p.NativeQR = false
	}
	p.Baud = baud
	return p, nil
}

func openPrinter(args []string, name string, stderr io.Writer) (*escpos.Printer, *flag.FlagSet, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var pf portFlags
	pf.register(fs)
	profile := fs.String("profile", "58", "paper width: 58 or 80 (mm)")
	raster := fs.Bool("raster", false, "the printer has no native QR (GS ( k): send the QR as an image")
	if err := fs.Parse(args); err != nil {
		return nil, nil, fail(exitUsage, "", err)
	}
	p, err := profileFor(*profile, *raster, pf.baud)
	if err != nil {
		return nil, nil, err
	}
	port, err := pf.open(false)
	if err != nil {
		return nil, nil, err
	}
	return escpos.NewPrinter(port, p), fs, nil
}

// describe puts a status in the words a technician reads out.
func describe(st escpos.Status) string {
	var words []string
	if err := st.Err(); err != nil {
		words = append(words, err.Error())
	} else {
		words = append(words, "ready")
	}
	if st.PaperNearEnd && !st.PaperEnd {
		words = append(words, "paper low")
	}
	return strings.Join(words, ", ")
}

// printerRemedies say what to do about a printer that is not ready.
var printerRemedies = []remedy{
	{escpos.ErrPaperOut, "load a new paper roll (58 or 80 mm thermal paper, printing side out) and close the cover"},
	{escpos.ErrCoverOpen, "close the printer cover firmly until it clicks"},
	{escpos.ErrCutter, "switch the printer off, clear the paper from the cutter, switch it on"},
	{escpos.ErrNotResponding, "check the printer's power and cable, and that --baud matches its setting (often 115200 or 9600)"},
	{escpos.ErrOffline, "the printer is offline: check the paper and the cover, then press its feed button once"},
}

// printerFailure maps a printer error to exit code 6 with advice.
func printerFailure(err error) error { return failWith(exitPrinterBad, err, printerRemedies) }

func cmdPrinterStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	p, _, err := openPrinter(args, "kioskctl printer-status", stderr)
	if err != nil {
		return err
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	st, err := p.Status(ctx)
	if err != nil {
		return printerFailure(err)
	}
	fmt.Fprintf(stdout, "printer: %s (%s)\n", describe(st), p.Profile().Name)
	if err := st.Err(); err != nil {
		return printerFailure(err)
	}
	return nil
}

func cmdPrintSample(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	p, _, err := openPrinter(args, "kioskctl print-sample", stderr)
	if err != nil {
		return err
	}
	defer p.Close()
	job, err := slip.Encode(slip.Sample(time.Now(), "KIOSKCTL"), p.Profile())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	res, err := p.Print(ctx, job)
	if err != nil {
		return printerFailure(err)
	}
	fmt.Fprintf(stdout, "printed a sample slip: %d bytes in %v (%s)\n", res.Bytes, res.Elapsed.Round(time.Millisecond), describe(res.After))
	return nil
}

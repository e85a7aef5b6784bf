// Command devsim runs the simulated ID card reader and thermal printer on
// pseudo-terminals, and virtual social-security cards in vsmartcard's
// vpcd reader, so that the kiosk, kioskctl and the tests can drive them
// exactly as they drive real hardware, and runs the device demo.
//
//	devsim reader  [--baud 115200] [--deck FILE] [--control ADDR] [--place LABEL]
//	devsim printer [--profile 58|80] [--raster] [--baud 115200] [--out DIR] [--control ADDR]
//	devsim ssc     [--addr 127.0.0.1:35963 | --lab] [--deck FILE] [--control ADDR] [--insert LABEL]
//	devsim demo    [--out out/demo] [--profile 58|80] [--raster]
//
// reader and printer print the path of their pty, ssc the reader a card
// goes into, and then they take control commands, one per line, on
// standard input and (with --control) as POST /control on a loopback
// HTTP address; "help" lists them.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/shcommunity/kiosk/internal/version"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "devsim:", err)
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a mistake on the command line (exit status 2).
type usageError string

func (e usageError) Error() string { return string(e) }

const usage = `usage: devsim reader|printer|ssc|demo [flags]   (devsim CMD -h for flags)`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError(usage)
	}
	switch args[0] {
	case "reader":
		return runReader(ctx, args[1:], stdin, stdout, stderr)
	case "printer":
		return runPrinter(ctx, args[1:], stdin, stdout, stderr)
	case "ssc":
		return runSSC(ctx, args[1:], stdin, stdout, stderr)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "--version", "version":
		fmt.Fprintln(stdout, "devsim", version.Version)
		return nil
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return usageError(fmt.Sprintf("unknown command %q\n%s", args[0], usage))
}

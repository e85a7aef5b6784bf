// Command kioskctl is the field tool for technicians: it lists serial
// ports, reads one ID card or social-security card, asks a printer for
// its status and prints a sample slip, and provisions a kiosk without a
// display as its first-run screen does, each with messages and exit codes
// a technician can act on over the phone.
//
//	kioskctl ports
//	kioskctl read-card      --port P | --usb VID:PID [--baud B] [--reveal] [--wait 15s]
//	kioskctl read-ssc       [--reader NAME] [--reveal] [--wait 15s]
//	kioskctl printer-status --port P | --usb VID:PID [--profile 58|80]
//	kioskctl print-sample   --port P | --usb VID:PID [--profile 58|80] [--raster]
//	kioskctl doctor         [--config FILE] [--contact-reader NAME]
//	kioskctl set-exit-pin   [--config FILE]
//	kioskctl provision      --url URL --code CODE --fingerprint FP --centre NAME --mode self|counter|venue
//	                        [--reader PORT] [--printer PORT] [--paper 58|80] [--config FILE]
//
// Exit status: 0 all good; 1 an unexpected error; 2 a mistake on the
// command line; 3 the port cannot be used (not found, busy, no permission,
// unplugged; for read-ssc: the PC/SC service not running, no contact
// reader); 4 the reader did not give a card (none placed, no reply,
// unreadable, not a social-security card, locked); 5 a card was read but
// is expired or inconsistent; 6 the
// printer is not ready (paper, cover, offline, not answering); 7 doctor
// found a check that failed; 8 provisioning failed at the service (out
// of reach, the fingerprint does not match, the code refused).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/shcommunity/kiosk/internal/logfile"
	"github.com/shcommunity/kiosk/internal/version"
)

// Exit codes, documented above and in the README.
const (
	exitOK         = 0
	exitInternal   = 1
	exitUsage      = 2
	exitPort       = 3
	exitNoCard     = 4
	exitBadCard    = 5
	exitPrinterBad = 6
	exitUnhealthy  = 7
	exitProvision  = 8
)

// exitError carries the exit code a failure maps to and the advice to print.
type exitError struct {
	code   int
	advice string
	err    error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func fail(code int, advice string, err error) error {
	return &exitError{code: code, advice: advice, err: err}
}

// remedy is what a technician does about one sentinel error.
type remedy struct {
	err    error
	advice string
}

// failWith is fail with the advice of the first remedy whose sentinel err
// wraps, or none.
func failWith(code int, err error, remedies []remedy) error {
	for _, r := range remedies {
		if errors.Is(err, r.err) {
			return fail(code, r.advice, err)
		}
	}
	return fail(code, "", err)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, logfile.ScrubWriter(os.Stderr)))
}

const usage = `usage: kioskctl COMMAND [flags]   (kioskctl COMMAND -h for flags)
  ports           serial ports with USB VID:PID
  read-card       read one ID card and print it as JSON
  read-ssc        read one social-security card (contact reader, PC/SC) and print it as JSON
  printer-status  ask the printer for its status
  print-sample    print a sample paper-code slip
  doctor          check the kiosk's devices, database, service and clock
  provision       register the kiosk with the code service and write its configuration, as the first-run screen does
  set-exit-pin    set the PIN that leaves kiosk mode (asked twice; only its hash is stored)
  version         print the version`

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "ports":
		err = cmdPorts(args[1:], stdout, stderr)
	case "read-card":
		err = cmdReadCard(ctx, args[1:], stdout, stderr)
	case "read-ssc":
		err = cmdReadSSC(ctx, args[1:], stdout, stderr)
	case "printer-status":
		err = cmdPrinterStatus(ctx, args[1:], stdout, stderr)
	case "print-sample":
		err = cmdPrintSample(ctx, args[1:], stdout, stderr)
	case "doctor":
		err = cmdDoctor(ctx, args[1:], stdout, stderr)
	case "provision":
		err = cmdProvision(ctx, args[1:], stdout, stderr)
	case "set-exit-pin":
		err = cmdSetExitPIN(ctx, args[1:], os.Stdin, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "kioskctl", version.Version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "kioskctl: unknown command %q\n%s\n", args[0], usage)
		return exitUsage
	}
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if !errors.As(err, &ee) {
		fmt.Fprintln(stderr, "kioskctl:", err)
		return exitInternal
	}
	fmt.Fprintln(stderr, "kioskctl:", ee.err)
	if ee.advice != "" {
		fmt.Fprintln(stderr, "what to do:", ee.advice)
	}
	return ee.code
}

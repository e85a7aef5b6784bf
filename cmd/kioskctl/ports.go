package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/shcommunity/kiosk/devices/serialport"
)

func cmdPorts(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kioskctl ports", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return fail(exitUsage, "", err)
	}
	ports, err := serialport.List()
	if err != nil {
		return fail(exitPort, "the system would not list its serial ports; check the USB drivers", err)
	}
	if len(ports) == 0 {
		fmt.Fprintln(stdout, "no serial ports found (is the reader or the printer plugged in?)")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PORT\tVID:PID\tSERIAL\tPRODUCT")
	for _, p := range ports {
		id := p.VIDPID()
		if id == "" {
			id = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Name, id, dash(p.SerialNumber), dash(p.Product))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// portFlags are the flags every device command takes to find its port.
type portFlags struct {
	port   string
	usb    string
	serial string
	baud   int
}

func (p *portFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.port, "port", "", "serial port `name` (/dev/ttyUSB0, COM3, a pty path)")
	fs.StringVar(&p.usb, "usb", "", "find the port by USB `VID:PID` (e.g. 1A86:7523) instead of --port")
	fs.StringVar(&p.serial, "usb-serial", "", "with --usb: the adapter's serial number, to tell two alike apart")
	fs.IntVar(&p.baud, "baud", 115200, "line rate")
}

// open resolves the flags to a port and opens it.
func (p *portFlags) open(pace bool) (*serialport.Port, error) {
	name := p.port
	switch {
	case p.port != "" && p.usb != "":
		return nil, fail(exitUsage, "", errors.New("give --port or --usb, not both"))
	case p.port == "" && p.usb == "":
		return nil, fail(exitUsage, "", errors.New("--port or --usb is required (kioskctl ports lists them)"))
	case p.usb != "":
		info, err := serialport.FindUSB(p.usb, p.serial)
		if err != nil {
			return nil, portFailure(err)
		}
		name = info.Name
	}
	port, err := serialport.Open(name, &serialport.Options{Baud: p.baud, Pace: pace})
	if err != nil {
		return nil, portFailure(err)
	}
	return port, nil
}

// portRemedies say what to do about a port that cannot be used; the
// sentinels' messages already say what to check.
var portRemedies = []remedy{
	{serialport.ErrNotFound, "run `kioskctl ports` and check the cable; on Windows check the COM number in Device Manager"},
	{serialport.ErrBusy, "close the kiosk program (or another copy of kioskctl) and try again"},
	{serialport.ErrPermission, "on Linux: sudo usermod -aG dialout $USER, then log out and in"},
	{serialport.ErrUnplugged, "plug the device back in and try again"},
}

// portFailure maps a serialport error to exit code 3 with advice.
func portFailure(err error) error { return failWith(exitPort, err, portRemedies) }

// deadline is how long a device command may take end to end.
func deadline(d time.Duration) time.Duration {
	if d <= 0 {
		return 15 * time.Second
	}
	return d
}

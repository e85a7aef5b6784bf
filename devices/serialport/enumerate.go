package serialport

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.bug.st/serial/enumerator"
)

// Info describes one serial port found on the machine.
type Info struct {
	Name         string // what Open takes: /dev/ttyUSB0, COM3
	USB          bool
	VID, PID     string // upper-case hex, "1A86" and "7523"; empty if not USB
	SerialNumber string
	Manufacturer string
	Product      string
}

// VIDPID returns "VID:PID" ("1A86:7523"), or "" for a port that is not USB.
func (i Info) VIDPID() string {
	if !i.USB {
		return ""
	}
	return i.VID + ":" + i.PID
}

// listPorts is replaced in tests.
var listPorts = enumerator.GetDetailedPortsList

// List returns the serial ports of the machine, sorted by name, with USB
// details where the system provides them. Pseudo-terminals are not listed
// (open them by path).
func List() ([]Info, error) {
	// Active probing may disturb devices; the details the kiosk needs
	// (VID, PID, serial number, product) come without it on Linux.
	details, err := listPorts()
	if err != nil {
		return nil, fmt.Errorf("list serial ports: %w", err)
	}
	out := make([]Info, 0, len(details))
	for _, d := range details {
		if d == nil {
			continue
		}
		out = append(out, Info{
			Name:         d.Name,
			USB:          d.IsUSB,
			VID:          strings.ToUpper(d.VID),
			PID:          strings.ToUpper(d.PID),
			SerialNumber: d.SerialNumber,
			Manufacturer: d.Manufacturer,
			Product:      d.Product,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ParseVIDPID parses "1a86:7523" (hex, either case, an optional 0x on each
// half) into the upper-case four-digit form List reports.
func ParseVIDPID(s string) (vid, pid string, err error) {
	v, p, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return "", "", fmt.Errorf("usb id %q: want VID:PID in hex, like 1A86:7523", s)
	}
	parse := func(h string) (string, error) {
		h = strings.TrimPrefix(strings.TrimPrefix(h, "0x"), "0X")
		n, err := strconv.ParseUint(h, 16, 16)
		if err != nil || h == "" {
			return "", fmt.Errorf("usb id %q: want VID:PID in hex, like 1A86:7523", s)
		}
		return fmt.Sprintf("%04X", n), nil
	}
	if vid, err = parse(v); err != nil {
		return "", "", err
	}
	if pid, err = parse(p); err != nil {
		return "", "", err
	}
	return vid, pid, nil
}

// FindUSB returns the port of the USB device with the given VID:PID
// ("1A86:7523"). With serial non-empty, the device's serial number must
// match too, which tells two identical adapters apart. It fails with
// ErrNotFound when no port matches and with an error naming the ports when
// more than one does.
func FindUSB(vidpid, serial string) (Info, error) {
	vid, pid, err := ParseVIDPID(vidpid)
	if err != nil {
		return Info{}, err
	}
	ports, err := List()
	if err != nil {
		return Info{}, err
	}
	return match(ports, vid, pid, serial)
}

func match(ports []Info, vid, pid, serial string) (Info, error) {
	var found []Info
	for _, p := range ports {
		if p.USB && p.VID == vid && p.PID == pid && (serial == "" || p.SerialNumber == serial) {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		return Info{}, &Error{Op: "find", Port: "usb " + vid + ":" + pid, Err: ErrNotFound}
	case 1:
		return found[0], nil
	}
	names := make([]string, len(found))
	for i, f := range found {
		names[i] = f.Name
	}
	return Info{}, &Error{Op: "find", Port: "usb " + vid + ":" + pid,
		Err: fmt.Errorf("%d devices match (%s): give the serial number or the port name", len(found), strings.Join(names, ", "))}
}

// OpenUSB finds the USB device by VID:PID (and serial number, if given)
// and opens its port.
func OpenUSB(vidpid, serial string, opts *Options) (*Port, error) {
	info, err := FindUSB(vidpid, serial)
	if err != nil {
		return nil, err
	}
	return Open(info.Name, opts)
}

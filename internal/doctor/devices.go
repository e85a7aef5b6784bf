package doctor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/serialport"
)

// chips names the USB-serial bridges the udev rules cover
// (packaging/linux/60-suishen-kiosk.rules).
var chips = map[string]string{
	"1A86:7523": "CH340",
	"067B:2303": "PL2303",
	"10C4:EA60": "CP210x",
	"0403:6001": "FTDI",
}

func checkPorts(cfg Config) Result {
	r := Result{Check: CheckPorts}
	ports, err := cfg.ListPorts()
	if err != nil {
		r.Level, r.Detail = Warn, fmt.Sprintf("cannot list the serial ports (%v).", err)
		r.Fix = "name the ports in the settings; check that the system lets this user see them."
		return r
	}
	if len(ports) == 0 {
		r.Level, r.Detail = Warn, "no serial ports found."
		r.Fix = "plug in the card reader and the printer (USB), then run the doctor again."
		return r
	}
	var names []string
	for _, p := range ports {
		s := p.Name
		if id := p.VIDPID(); id != "" {
			s += " " + id
			if c, ok := chips[id]; ok {
				s += " " + c
			}
			if p.SerialNumber != "" {
				s += " serial " + p.SerialNumber
			}
		}
		names = append(names, s)
	}
	r.Detail = fmt.Sprintf("%d found: %s.", len(ports), strings.Join(names, "; "))
	return r
}

// open opens the device's port, found by name or by USB ID. where is
// what the report calls it: the port name, with a symlink's target.
func open(d Device, defaultBaud int) (conn *serialport.Port, where string, err error) {
	baud := d.Baud
	if baud == 0 {
		baud = defaultBaud
	}
	name := d.Port
	where = name
	if name == "" {
		info, err := serialport.FindUSB(d.USB, d.Serial)
		if err != nil {
			return nil, "USB " + d.USB, err
		}
		name, where = info.Name, info.Name+" (USB "+d.USB+")"
	} else if t, err := filepath.EvalSymlinks(name); err == nil && t != name {
		where = name + " -> " + t
	}
	p, err := serialport.Open(name, &serialport.Options{Baud: baud})
	return p, where, err
}

// portProblem turns an error opening a port into a report line, or
// returns false for an error that is not about the port.
func portProblem(r *Result, where, device string, err error) bool {
	switch {
	case errors.Is(err, serialport.ErrNotFound):
		r.Level, r.Detail = Fail, where+": not found."
		r.Fix = "plug the " + device + " in and switch it on; `kioskctl ports` lists the ports; check the port in the settings."
	case errors.Is(err, serialport.ErrPermission):
		r.Level, r.Detail = Fail, where+": permission denied."
		r.Fix = "add the kiosk user to the dialout group (Linux: `sudo adduser kiosk dialout`), then log out and in."
	case errors.Is(err, serialport.ErrBusy):
		r.Level, r.Detail = Warn, where+": in use by another program, probably the kiosk itself."
		r.Fix = "close the kiosk, then run the doctor again to test the " + device + "."
	case errors.Is(err, serialport.ErrUnplugged):
		r.Level, r.Detail = Fail, where+": unplugged while testing."
		r.Fix = "check the USB cable and the " + device + "'s power."
	default:
		return false
	}
	return true
}

// openDevice opens the port of a device for its check, or says in r why
// it could not: no port in the settings (examples names usual ones), or
// the port's own refusal.
func openDevice(r *Result, d Device, baud int, device, examples string) (*serialport.Port, string, bool) {
	if !d.configured() {
		r.Level, r.Detail = Fail, "no "+device+" port in the settings."
		r.Fix = "set the " + device + "'s port (like " + examples + ") or its USB ID."
		return nil, "", false
	}
	conn, where, err := open(d, baud)
	if err != nil {
		if !portProblem(r, where, device, err) {
			r.Level, r.Detail, r.Fix = Fail, fmt.Sprintf("%s: cannot open (%v).", where, err), "check the port in the settings."
		}
		return nil, where, false
	}
	return conn, where, true
}

func checkReader(ctx context.Context, cfg Config) Result {
	r := Result{Check: CheckReader}
	conn, where, ok := openDevice(&r, cfg.Reader, serialport.DefaultBaud, "reader", "/dev/suishen-reader, /dev/ttyUSB0 or COM3")
	if !ok {
		return r
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	rd := idcard.NewReader(conn, &idcard.Options{Retries: 1})
	defer rd.Close()
	err := rd.SAMStatus(ctx)
	if err == nil {
		id, idErr := rd.SAMID(ctx)
		r.Detail = where + ": the reader's security module answers"
		if idErr == nil {
			r.Detail += " (SAM " + id.String() + ")"
		}
		r.Detail += "."
		return r
	}
	var se *idcard.StatusError
	switch {
	case portProblem(&r, where, "reader", err):
	case errors.Is(err, idcard.ErrTimeout), errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		r.Level, r.Detail = Fail, where+": no answer from the reader."
		r.Fix = "check the reader is switched on and this is its port (not the printer's); check the speed (usually 115200)."
	case errors.As(err, &se):
		r.Level, r.Detail = Fail, fmt.Sprintf("%s: the reader reports a fault: %s (%s, code %02X).", where, se.English(), se.Chinese(), se.Code)
		r.Fix = "switch the reader off and on; if it stays, the reader needs service."
	default:
		r.Level, r.Detail = Fail, fmt.Sprintf("%s: %v.", where, err)
		r.Fix = "check the port in the settings and the reader's cable."
	}
	return r
}

func checkPrinter(ctx context.Context, cfg Config) Result {
	r := Result{Check: CheckPrinter}
	prof := cfg.PrinterProfile
	conn, where, ok := openDevice(&r, cfg.Printer, prof.Baud, "printer", "/dev/suishen-printer, /dev/ttyUSB1 or COM4")
	if !ok {
		return r
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	p := escpos.NewPrinter(conn, prof)
	defer p.Close()
	st, err := p.Status(ctx)
	paper := fmt.Sprintf("a new roll of %s paper", strings.TrimSuffix(prof.Name, "mm")+" mm")
	if err != nil {
		switch {
		case portProblem(&r, where, "printer", err):
		case errors.Is(err, escpos.ErrNotResponding), errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
			r.Level, r.Detail = Fail, where+": no answer from the printer."
			r.Fix = "check the printer is switched on and this is its port (not the reader's); check the speed (usually 115200)."
		case errors.Is(err, escpos.ErrBadStatus):
			r.Level, r.Detail = Fail, where+": the answer is not an ESC/POS printer status."
			r.Fix = "check this is the printer's port and the speed matches the printer's (its self-test page shows it)."
		default:
			r.Level, r.Detail, r.Fix = Fail, fmt.Sprintf("%s: %v.", where, err), "check the printer's cable and power."
		}
		return r
	}
	var problems, fixes []string
	if st.CoverOpen {
		problems, fixes = append(problems, "cover open"), append(fixes, "close the paper cover firmly")
	}
	if st.PaperEnd || st.PaperEndStop {
		problems, fixes = append(problems, "out of paper"), append(fixes, "put in "+paper)
	}
	if st.CutterError {
		problems, fixes = append(problems, "cutter jammed"), append(fixes, "open the cover, clear the paper from the cutter")
	}
	if st.Unrecoverable {
		problems, fixes = append(problems, "hardware fault"), append(fixes, "switch the printer off and on; if it stays, it needs service")
	}
	if st.AutoRecoverable {
		problems, fixes = append(problems, "overheated or busy"), append(fixes, "wait a minute and try again")
	}
	if st.MechanicalError {
		problems, fixes = append(problems, "mechanical error"), append(fixes, "check for jammed paper")
	}
	if len(problems) == 0 && st.Offline {
		problems, fixes = append(problems, "offline"), append(fixes, "press the printer's online or feed button, or switch it off and on")
	}
	switch {
	case len(problems) > 0 || st.Err() != nil:
		if len(problems) == 0 {
			problems, fixes = append(problems, st.Err().Error()), append(fixes, "switch the printer off and on")
		}
		r.Level, r.Detail = Fail, where+": "+strings.Join(problems, ", ")+"."
		r.Fix = strings.Join(fixes, "; ") + "."
	case st.PaperNearEnd:
		r.Level, r.Detail = Warn, where+": ready, but the paper is running low."
		r.Fix = "put in " + paper + " soon."
	default:
		r.Detail = where + ": ready (online, paper in, cover closed)."
	}
	return r
}

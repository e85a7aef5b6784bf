package doctor

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/serialport"
	"github.com/shcommunity/kiosk/internal/version"
)

// Level is how a check came out.
type Level int

// The levels, in increasing gravity.
const (
	OK   Level = iota // works
	Warn              // works, but someone should look soon
	Fail              // does not work: the kiosk cannot do its job
)

func (l Level) String() string {
	switch l {
	case OK:
		return "OK"
	case Warn:
		return "WARN"
	case Fail:
		return "FAIL"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// Check names, as they appear in the report.
const (
	CheckPorts    = "serial ports"
	CheckReader   = "card reader"
	CheckContact  = "contact reader"
	CheckPrinter  = "printer"
	CheckDatabase = "database"
	CheckAudit    = "audit log"
	CheckOutbox   = "outbox"
	CheckIdentity = "registration"
	CheckService  = "code service"
	CheckDevice   = "device accepted"
	CheckClock    = "clock"
	CheckTrust    = "trust list"
)

// Result is the outcome of one check.
type Result struct {
	Check  string // one of the Check constants
	Level  Level
	Detail string // what was found, in plain words
	Fix    string // what to do; empty for OK
}

// String is the report line: level, check, detail and "Do: fix".
func (r Result) String() string {
	s := fmt.Sprintf("%-4s  %-16s %s", r.Level, r.Check, r.Detail)
	if r.Fix != "" {
		s += " Do: " + r.Fix
	}
	return s
}

// Device says how to reach a serial device. Port wins over USB.
type Device struct {
	// Port is the port name: /dev/ttyUSB0, /dev/suishen-reader, COM3.
	Port string
	// USB finds the port by VID:PID ("1A86:7523") when Port is empty.
	USB string
	// Serial is the USB serial number, to tell two identical adapters
	// apart (with USB).
	Serial string
	// Baud is the line rate; 0 means 115200.
	Baud int
}

func (d Device) configured() bool { return d.Port != "" || d.USB != "" }

// Defaults of Config's limits.
const (
	DefaultTimeout     = 5 * time.Second
	DefaultOutboxWarn  = 50
	DefaultSkewWarn    = 30 * time.Second
	DefaultSkewFail    = 5 * time.Minute // the service refuses requests beyond this
	DefaultTrustMaxAge = 7 * 24 * time.Hour
	DefaultSyncMaxAge  = time.Hour
	DefaultDBSizeWarn  = 512 << 20
)

// Config is what the doctor checks: the kiosk's own settings.
type Config struct {
	Reader  Device
	Printer Device
	// PrinterProfile is the printer's profile; the zero value means
	// escpos.Profile58 (its baud is used when Printer.Baud is 0).
	PrinterProfile escpos.Profile
	// ServiceURL is the code service's base URL, https://host:port (plain
	// http to loopback only).
	ServiceURL string
	// DBPath is the kiosk's local database file.
	DBPath string
	// KeyFile is the file of the kiosk's secrets (sync/keystore).
	KeyFile string

	// HTTP is the client for the service; nil means one with Timeout that
	// checks the service's TLS key against the kiosk's pin
	// (client.HTTPClient).
	HTTP *http.Client
	// Timeout bounds each check; 0 means DefaultTimeout.
	Timeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// Limits; zero means the Default value.
	OutboxWarn  int           // pending outbox items before a warning
	SkewWarn    time.Duration // clock difference with the service
	SkewFail    time.Duration
	TrustMaxAge time.Duration // age of the trust list
	SyncMaxAge  time.Duration // time since the last successful sync
	DBSizeWarn  int64         // bytes

	// Purpose is what the kiosk's requests declare to the service, the
	// purpose of its mode (wire.ModePurpose); "" is self-service.
	Purpose api.Purpose

	// ContactReader is part of the PC/SC name of the contact reader for
	// social-security cards ("ACS ACR39U"). Set, a missing reader or
	// PC/SC service fails the check; empty, any reader will do and a
	// missing one only warns.
	ContactReader string

	// ListPorts replaces serialport.List (tests).
	ListPorts func() ([]serialport.Info, error)
	// PCSCReaders replaces the listing of the system's PC/SC readers
	// (tests).
	PCSCReaders func() ([]string, error)
}

func (c *Config) defaults() {
	positiveOr(&c.Timeout, DefaultTimeout)
	positiveOr(&c.OutboxWarn, DefaultOutboxWarn)
	positiveOr(&c.SkewWarn, DefaultSkewWarn)
	positiveOr(&c.SkewFail, DefaultSkewFail)
	positiveOr(&c.TrustMaxAge, DefaultTrustMaxAge)
	positiveOr(&c.SyncMaxAge, DefaultSyncMaxAge)
	positiveOr(&c.DBSizeWarn, DefaultDBSizeWarn)
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.PrinterProfile.Dots == 0 {
		c.PrinterProfile = escpos.Profile58
	}
	if c.ListPorts == nil {
		c.ListPorts = serialport.List
	}
	if c.PCSCReaders == nil {
		c.PCSCReaders = listPCSCReaders
	}
}

// positiveOr sets a limit that is not set (zero) or makes no sense
// (negative) to its default.
func positiveOr[T ~int | ~int64](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Report is the outcome of every check, in the order they ran.
type Report struct {
	At      time.Time
	Results []Result
}

// OK reports whether no check failed.
func (r Report) OK() bool {
	for _, res := range r.Results {
		if res.Level == Fail {
			return false
		}
	}
	return true
}

// Find returns the result of the named check.
func (r Report) Find(check string) (Result, bool) {
	for _, res := range r.Results {
		if res.Check == check {
			return res, true
		}
	}
	return Result{}, false
}

// WriteTo writes the report: a header, one line per check and a summary.
func (r Report) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "kiosk doctor %s, %s/%s, %s\n", version.Version, runtime.GOOS, runtime.GOARCH, r.At.Format("2006-01-02 15:04:05 -0700"))
	var fails, warns int
	for _, res := range r.Results {
		b.WriteString(res.String())
		b.WriteByte('\n')
		switch res.Level {
		case Fail:
			fails++
		case Warn:
			warns++
		}
	}
	switch {
	case fails > 0:
		fmt.Fprintf(&b, "RESULT: NOT OK, %d failed and %d to look at. Fix the FAIL lines first, top to bottom.\n", fails, warns)
	case warns > 0:
		fmt.Fprintf(&b, "RESULT: OK, with %d to look at (WARN lines).\n", warns)
	default:
		fmt.Fprintf(&b, "RESULT: OK, all %d checks passed.\n", len(r.Results))
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// Check runs every check and returns the report. It never returns early:
// a technician wants to hear about the printer even when the reader is
// missing.
func Check(ctx context.Context, cfg Config) Report {
	cfg.defaults()
	rep := Report{At: cfg.Now()}
	add := func(rs ...Result) { rep.Results = append(rep.Results, rs...) }
	add(checkPorts(cfg))
	add(checkReader(ctx, cfg))
	add(checkContactReader(cfg))
	add(checkPrinter(ctx, cfg))
	local := checkLocal(ctx, cfg)
	add(local.results...)
	add(checkService(ctx, cfg, local.identity)...)
	return rep
}

// Run checks the kiosk and writes the report to w. ok is false when a
// check failed; err reports only a failure to write.
func Run(ctx context.Context, cfg Config, w io.Writer) (ok bool, err error) {
	rep := Check(ctx, cfg)
	if _, err := rep.WriteTo(w); err != nil {
		return rep.OK(), fmt.Errorf("doctor: write report: %w", err)
	}
	return rep.OK(), nil
}

// ago says how long ago t was, in words a technician reads out.
func ago(d time.Duration) string {
	switch {
	case d < 0:
		return "in the future"
	case d < time.Minute:
		return fmt.Sprintf("%d s ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

// span says a duration in words, for clock differences.
func span(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Round(time.Second).Seconds()))
	case d < time.Hour:
		// Rounded, not cut: a clock 2 minutes off is measured a little
		// under or over (the service's time comes in whole seconds and
		// the request takes its time), and is still "2 min".
		return fmt.Sprintf("%d min", int(d.Round(time.Minute).Minutes()))
	}
	return fmt.Sprintf("%.1f h", d.Hours())
}

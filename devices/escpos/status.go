package escpos

import (
	"fmt"
	"strings"
)

// StatusKind is the n of DLE EOT n.
type StatusKind byte

// The four real-time status requests (docs/escpos.md, "Real-time status:
// DLE EOT").
const (
	StatusPrinter      StatusKind = 1 // printer status
	StatusOfflineCause StatusKind = 2 // offline cause
	StatusErrorCause   StatusKind = 3 // error cause
	StatusPaperSensor  StatusKind = 4 // paper roll sensor
)

// Status is the printer's state as the four DLE EOT replies report it.
// The zero value is a printer that is online with paper and no error.
type Status struct {
	// DLE EOT 1
	DrawerOpen      bool // bit 2: drawer kick-out connector pin 3 high
	Offline         bool // bit 3
	WaitingRecovery bool // bit 5: waiting for online recovery
	FeedButton      bool // bit 6: paper feed button pressed
	// DLE EOT 2
	CoverOpen     bool // bit 2
	FeedingByBtn  bool // bit 3: paper being fed by the feed button
	PaperEndStop  bool // bit 5: printing stopped by a paper end
	ErrorOccurred bool // bit 6
	// DLE EOT 3
	MechanicalError bool // bit 2: recoverable error
	CutterError     bool // bit 3: autocutter error
	Unrecoverable   bool // bit 5
	AutoRecoverable bool // bit 6: e.g. head overheating
	// DLE EOT 4
	PaperNearEnd bool // bits 2 and 3
	PaperEnd     bool // bits 5 and 6
}

// statusFixed is the fixed part of every DLE EOT reply: bit 4 set, bits 0
// and 7 clear, bit 1 set (0xx1xx10). An idle, healthy printer answers
// 0x12 to every request.
const (
	statusMask  = 0x93
	statusFixed = 0x12
)

// IsStatusByte reports whether b has the DLE EOT reply pattern 0xx1xx10,
// which tells it apart from ASB (0xx1xx00), GS r (0xx0xxxx), XON and XOFF.
func IsStatusByte(b byte) bool { return b&statusMask == statusFixed }

// StatusScanner finds the DLE EOT n requests in a byte stream as a
// printer's receive layer does: wherever the three bytes occur, inside
// raster data too, and across the pieces the stream arrives in. The
// simulator answers what it finds; the driver counts the answers a job
// will draw. The zero value is ready.
type StatusScanner struct {
	matched int // bytes of DLE EOT at the end of what was scanned
}

// Scan calls found for each request that b completes, in order.
func (s *StatusScanner) Scan(b []byte, found func(StatusKind)) {
	for _, c := range b {
		switch {
		case s.matched == 2 && c >= 1 && c <= 4:
			found(StatusKind(c))
			s.matched = 0
		case c == DLE:
			s.matched = 1
		case s.matched == 1 && c == EOT:
			s.matched = 2
		default:
			s.matched = 0
		}
	}
}

// Set records the reply b to DLE EOT n. It returns an error wrapping
// ErrBadStatus if b lacks the pattern, or ErrInvalidArgument for a bad n.
func (s *Status) Set(n StatusKind, b byte) error {
	if !IsStatusByte(b) {
		return fmt.Errorf("escpos: status %d reply %#02x: %w", n, b, ErrBadStatus)
	}
	bit := func(i uint) bool { return b&(1<<i) != 0 }
	switch n {
	case StatusPrinter:
		s.DrawerOpen, s.Offline, s.WaitingRecovery, s.FeedButton = bit(2), bit(3), bit(5), bit(6)
	case StatusOfflineCause:
		s.CoverOpen, s.FeedingByBtn, s.PaperEndStop, s.ErrorOccurred = bit(2), bit(3), bit(5), bit(6)
	case StatusErrorCause:
		s.MechanicalError, s.CutterError, s.Unrecoverable, s.AutoRecoverable = bit(2), bit(3), bit(5), bit(6)
	case StatusPaperSensor:
		// Some firmwares set only one bit of each pair; either counts.
		s.PaperNearEnd, s.PaperEnd = bit(2) || bit(3), bit(5) || bit(6)
	default:
		return fmt.Errorf("escpos: status request %d: %w", n, ErrInvalidArgument)
	}
	return nil
}

// ParseStatus decodes the replies to DLE EOT 1, 2, 3 and 4, in that order.
func ParseStatus(replies [4]byte) (Status, error) {
	var s Status
	for i, b := range replies {
		if err := s.Set(StatusKind(i+1), b); err != nil {
			return s, err
		}
	}
	return s, nil
}

// Byte is the reply a printer in state s gives to DLE EOT n; the
// simulator answers with it.
func (s Status) Byte(n StatusKind) byte {
	b := byte(statusFixed)
	set := func(on bool, bits byte) {
		if on {
			b |= bits
		}
	}
	// The first three replies use the same four bits, as Set reads them.
	four := func(b2, b3, b5, b6 bool) {
		set(b2, 1<<2)
		set(b3, 1<<3)
		set(b5, 1<<5)
		set(b6, 1<<6)
	}
	switch n {
	case StatusPrinter:
		four(s.DrawerOpen, s.Offline, s.WaitingRecovery, s.FeedButton)
	case StatusOfflineCause:
		four(s.CoverOpen, s.FeedingByBtn, s.PaperEndStop, s.ErrorOccurred)
	case StatusErrorCause:
		four(s.MechanicalError, s.CutterError, s.Unrecoverable, s.AutoRecoverable)
	case StatusPaperSensor:
		set(s.PaperNearEnd, 0x0C)
		set(s.PaperEnd, 0x60)
	}
	return b
}

// conditions lists the sentinels s reports, most specific first.
func (s Status) conditions() []error {
	var errs []error
	if s.CoverOpen {
		errs = append(errs, ErrCoverOpen)
	}
	if s.PaperEnd || s.PaperEndStop {
		errs = append(errs, ErrPaperOut)
	}
	if s.CutterError {
		errs = append(errs, ErrCutter)
	}
	if s.Unrecoverable {
		errs = append(errs, ErrUnrecoverable)
	}
	if s.AutoRecoverable {
		errs = append(errs, ErrAutoRecoverable)
	}
	if s.MechanicalError {
		errs = append(errs, ErrMechanical)
	}
	if s.Offline || len(errs) > 0 {
		errs = append(errs, ErrOffline)
	}
	return errs
}

// Err returns a *StatusError if s keeps the printer from printing, and
// nil otherwise. Paper near end is not an error: it is a warning for the
// operator (Result.PaperNearEnd).
func (s Status) Err() error {
	if c := s.conditions(); len(c) > 0 {
		return &StatusError{Status: s, conditions: c}
	}
	return nil
}

// StatusError is a printer state that prevents printing. errors.Is
// matches every condition it reports (ErrCoverOpen, ErrPaperOut,
// ErrCutter, ErrUnrecoverable, ErrAutoRecoverable, ErrMechanical, and
// ErrOffline, which a printer with any of them also is).
type StatusError struct {
	Status     Status
	conditions []error
}

func (e *StatusError) Error() string {
	parts := make([]string, len(e.conditions))
	for i, c := range e.conditions {
		parts[i] = c.Error()
	}
	return "printer: " + strings.Join(parts, ", ")
}

// Unwrap returns the conditions, for errors.Is and errors.As.
func (e *StatusError) Unwrap() []error { return e.conditions }

package escpos

import "errors"

// Errors from building a job.
var (
	// ErrInvalidArgument is a builder argument out of its command's range.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrTooWide is an image or QR symbol wider than the paper.
	ErrTooWide = errors.New("wider than the paper")
	// ErrQRData is QR data that is empty, too long or does not fit a symbol.
	ErrQRData = errors.New("qr data does not fit a symbol")
)

// Printer conditions. A *StatusError matches each condition it reports
// with errors.Is, so callers can write errors.Is(err, escpos.ErrPaperOut).
var (
	// ErrNotResponding: a status request had no reply in time.
	ErrNotResponding = errors.New("printer not responding")
	// ErrBadStatus: a status reply did not have the DLE EOT byte pattern.
	ErrBadStatus = errors.New("malformed status byte")
	// ErrOffline: the printer is offline (any cause).
	ErrOffline = errors.New("printer offline")
	// ErrCoverOpen: the paper cover is open.
	ErrCoverOpen = errors.New("cover open")
	// ErrPaperOut: the paper has run out (or printing stopped for it).
	ErrPaperOut = errors.New("paper out")
	// ErrCutter: the autocutter has jammed.
	ErrCutter = errors.New("cutter error")
	// ErrUnrecoverable: an error that needs the printer to be serviced.
	ErrUnrecoverable = errors.New("unrecoverable printer error")
	// ErrAutoRecoverable: an error the printer clears itself, such as an
	// overheated head; retry later.
	ErrAutoRecoverable = errors.New("auto-recoverable printer error")
	// ErrMechanical: a recoverable mechanical error.
	ErrMechanical = errors.New("mechanical error")
)

package ssc

import "errors"

// Failures of the link to the card, whatever carries it (PC/SC, the
// simulator in process). Each transport maps its own errors onto these.
var (
	// ErrNoService: the PC/SC service is not running (pcscd on Linux, the
	// Smart Card service on Windows), so no reader can be seen at all.
	ErrNoService = errors.New("ssc: PC/SC service not running")
	// ErrNoReader: the service runs but no contact reader (or not the
	// one asked for) is connected.
	ErrNoReader = errors.New("ssc: no smart-card reader connected")
	// ErrReaderGone: the reader was unplugged while in use.
	ErrReaderGone = errors.New("ssc: the smart-card reader was unplugged")
	// ErrNoCard: no card is in the reader.
	ErrNoCard = errors.New("ssc: no card in the reader")
	// ErrCardRemoved: the card was pulled out (or reset) in the middle of
	// a read.
	ErrCardRemoved = errors.New("ssc: the card was removed during the read")
	// ErrCardUnresponsive: a card is in the reader but does not answer
	// its reset (inserted the wrong way round, or a card without a chip).
	ErrCardUnresponsive = errors.New("ssc: the card does not answer")
)

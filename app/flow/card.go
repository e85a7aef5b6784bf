package flow

import (
	"errors"

	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/ssc"
	"github.com/shcommunity/kiosk/pii"
)

// CardSource is the card a resident identified herself with. Both cards
// carry her GB 11643 citizen number (the social-security number of a
// social-security card is that number), so both lead to the same
// resident at the service; the source is what the screens, the slip and
// the audit say she used.
type CardSource string

// The two sources.
const (
	// SourceIDCard: the resident identity card on the ID card reader.
	SourceIDCard CardSource = "id_card"
	// SourceSSC: the social-security card (社保卡) in the contact reader.
	SourceSSC CardSource = "ssc"
)

// CardEvent is one report from either card reader, as the flows take it:
// idcard.Watcher's events through IDCardEvent, ssc.Watcher's through
// SSCEvent. The kinds are the same for both readers.
type CardEvent struct {
	Source CardSource
	Kind   idcard.EventKind
	// ID is the ID card read (SourceIDCard, CardPlaced), SSC the
	// social-security card; either may be set with Err for a card read
	// that failed validation.
	ID  *idcard.Card
	SSC *ssc.Card
	Err error // as the watcher's Event.Err
}

// IDCardEvent is an ID card reader's event.
func IDCardEvent(e idcard.Event) CardEvent {
	return CardEvent{Source: SourceIDCard, Kind: e.Kind, ID: e.Card, Err: e.Err}
}

// SSCEvent is a contact reader's event.
func SSCEvent(e ssc.Event) CardEvent {
	return CardEvent{Source: SourceSSC, Kind: e.Kind, SSC: e.Card, Err: e.Err}
}

// Resident is the person whose card was read, and whether there is one:
// a card read and valid. A social-security card gives its
// social-security number, her citizen number, and the name on it.
func (e CardEvent) Resident() (Resident, bool) {
	if e.Err != nil {
		return Resident{}, false
	}
	switch {
	case e.ID != nil:
		return Resident{Name: e.ID.Name, Number: e.ID.Number, Source: SourceIDCard}, true
	case e.SSC != nil:
		return Resident{Name: e.SSC.Name, Number: e.SSC.Number, Source: SourceSSC, CardNumber: e.SSC.CardNumber}, true
	}
	return Resident{}, false
}

// Wipe clears the card the event carries, if any.
func (e CardEvent) Wipe() {
	if e.ID != nil {
		e.ID.Wipe()
	}
	if e.SSC != nil {
		e.SSC.Wipe()
	}
}

// ContactState is the contact reader (social-security cards) as the
// status bar shows it.
type ContactState string

// The contact reader's states.
const (
	// ContactNone: this kiosk has no contact reader, or has heard nothing
	// from it yet: the status bar leaves it out.
	ContactNone ContactState = ""
	// ContactReady: the PC/SC service runs and the reader is there.
	ContactReady ContactState = "ready"
	// ContactNoReader: the service runs but the reader is not connected.
	ContactNoReader ContactState = "no_reader"
	// ContactNoService: the PC/SC service is not running (ssc.ErrNoService).
	ContactNoService ContactState = "no_service"
)

// contactOf is the contact reader's state after a reader event.
func contactOf(e CardEvent) ContactState {
	switch {
	case e.Kind == idcard.ReaderConnected:
		return ContactReady
	case errors.Is(e.Err, ssc.ErrNoService):
		return ContactNoService
	}
	return ContactNoReader
}

// readerEvent applies a reader connected or disconnected event to the
// status bar, and reports whether it was one.
func (b *Bar) readerEvent(e CardEvent) bool {
	if e.Kind != idcard.ReaderConnected && e.Kind != idcard.ReaderDisconnected {
		return false
	}
	if e.Source == SourceSSC {
		b.Contact = contactOf(e)
	} else {
		b.ReaderConnected = e.Kind == idcard.ReaderConnected
	}
	return true
}

// sscProblem classifies a social-security card's error; ProblemNone when
// it is none of this reader's own.
func sscProblem(err error) Problem {
	switch {
	case errors.Is(err, ssc.ErrLocked):
		return ProblemSSCLocked
	case errors.Is(err, ssc.ErrNotSSC):
		return ProblemNotSSC
	case errors.Is(err, ssc.ErrCardExpired):
		return ProblemSSCExpired
	case errors.Is(err, ssc.ErrInvalidCard), errors.Is(err, pii.ErrInvalidID):
		return ProblemCardInvalid
	}
	return ProblemSSCUnreadable
}

// Problem classifies the event's card error (ProblemNone without one):
// an ID card's as CardProblem does, a social-security card's with what is
// particular to it (locked, not a social-security card, expired).
func (e CardEvent) Problem() Problem {
	switch {
	case e.Err == nil && (e.ID != nil || e.SSC != nil):
		return ProblemNone
	case e.Source == SourceSSC:
		return sscProblem(e.Err)
	case e.Err == nil:
		return ProblemCardUnreadable
	}
	return CardProblem(e.Err)
}

// Package flow is the kiosk's behaviour without its pixels: the state
// machines of the three modes (self-service, counter, venue check), fed by
// ID card reader events and by touches, calling the devices and the code
// service through small interfaces (Backend, Printer), and publishing an
// immutable View for the screen to draw.
//
// It follows the flows of docs/ui.md (self-service print, offline
// re-print and pending receipt, counter enrolment and re-issue, venue
// check), the data rules of ARCHITECTURE.md ("Invariants": a resident's
// data is dropped when the kiosk returns to its start screen; a colour is
// the service's answer, or a cached one labelled with its "as of" time,
// never a stale green), and the time rule of MIIT's elderly-friendly
// design rules (docs/elderly-interface.md: the screen never changes
// before the resident has finished, so the idle timeout runs only once
// the card is off the reader and nobody touches the screen).
//
// Nothing here imports Fyne. Each controller owns its state on one
// goroutine (Run) and does its I/O on others; the screen calls the
// controller's methods, which never block, and receives Views through a
// callback that it must hand to its own UI thread (fyne.Do).
package flow

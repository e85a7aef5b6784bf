// Package wire adapts the real packages to the interfaces of package
// flow: Backend puts the sync engine (sync/syncer), its store
// (sync/localstore), the signed client (codesvc/client) and the venue
// verifier (codesvc/verify) behind flow.Backend and flow.VenueBackend;
// Printer puts the paper-code slip (devices/slip) and the ESC/POS driver
// (devices/escpos) behind flow.Printer, so that the on-screen preview is
// slip.Preview of the very slip that prints. PrinterPort is the
// printer's connection that opens late and reopens with backoff after
// the printer is unplugged, as idcard.Watcher does for the reader
// (docs/ui.md, "Devices coming and going").
//
// The rules it keeps are the invariants of ARCHITECTURE.md: a colour comes
// only from the service, live or cached within its bounds (the engine
// decides; this package never upgrades an answer); tickets carry masked
// values only, and the one plain ID number needed to record a print is
// held until the print is recorded or the resident leaves.
package wire

// Package campaign is the crash campaign: a kiosk process killed again and
// again at the crash points of its write and sync paths
// (internal/crashpoint), each time restarted on the same database, and at
// the end drained; then the kiosk's store, the code service's store and
// the slips the printer received are compared, and the campaign says how
// many kills landed at each point, how many enrolments the kiosk committed
// and the service stored, and how many were duplicated or lost, and how
// many prints were recorded without their slip reaching the printer.
//
// The parent (Run) holds what must outlive a kill: the reference code
// service on a loopback port and the printer simulator on a TCP port. The
// kiosk is a child process (Child) built with the tag crashpoints; it
// reads its crash point from KIOSK_CRASH_AT, so a kill lands at the same
// place on any machine, however fast or loaded. `make crash` runs a
// thousand kills; the package's test runs a short campaign in `make
// test`. docs/sync.md, "Crash campaign", says what it shows.
package campaign

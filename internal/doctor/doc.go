// Package doctor is the technician's diagnosis of a kiosk (`kioskctl
// doctor`): it checks the serial ports, the card reader, the contact
// reader for social-security cards (through the PC/SC service), the
// printer, the local database, the kiosk's registration, the code service
// and the clock, and prints one line per check that can be read out over
// the phone:
//
//	OK    card reader     /dev/ttyUSB0: the reader's security module answers (SAM 05.01-20100720-...)
//	WARN  contact reader  PC/SC service not running: no contact reader can be seen. Do: install and start pcscd: ...
//	FAIL  printer         /dev/ttyUSB1: out of paper. Do: put in a new roll of 58 mm paper and close the cover.
//
// Each check goes through the driver the kiosk itself uses, so a pass
// here means the kiosk's own path works: the reader through
// devices/idcard (GA 467 SAM status, AA AA AA 96 69 00 03 11 FF ED, and
// SAM management information), the printer through devices/escpos (DLE
// EOT 1 to 4, ESC/POS real-time status), the contact reader through
// devices/ssc (the PC/SC service's list of readers: "PC/SC service not
// running", no reader, reader present), the service through
// codesvc/client (GET /v1/health, then a signed GET /v1/workers as this
// device, per docs/api.md), the database through sync/localstore (SQLite
// PRAGMA quick_check, the audit hash chain, the outbox) and the identity
// and trust list through sync/syncer and codesvc/token.
//
// Run returns not-OK when any check fails; warnings alone leave it OK.
package doctor

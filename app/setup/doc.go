// Package setup is the first-run screen's view of the machine, shared
// with `kioskctl provision`: the serial ports as an installer picks the
// reader and the printer from them (name, USB VID:PID, product), a test
// of each through the drivers the kiosk itself uses (one card read by
// devices/idcard, the sample slip printed by devices/escpos), and what a
// failed test means in the screen's words (FaultOf). Plain Go; the screen
// is in app/ui, provisioning in app/provision.
package setup

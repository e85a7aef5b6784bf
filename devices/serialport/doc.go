// Package serialport opens the kiosk's serial devices (the ID card reader
// and the thermal printer) with go.bug.st/serial as a conn.Conn, the one
// connection every driver speaks to.
//
// It works around the library's gaps described in docs/serial.md ("The
// library"):
//
//   - go.bug.st/serial returns (0, nil) when a read times out; Port turns
//     that into an error matching os.ErrDeadlineExceeded and offers
//     SetReadDeadline like an *os.File or a net.Conn, so a driver runs
//     unchanged over a real port, a pseudo-terminal and net.Pipe.
//   - The library has no flow control at all, so writes can be paced in
//     software at the line rate or a configured number of bytes per second
//     (internal/pace).
//   - Library and system errors become sentinels (ErrNotFound, ErrBusy,
//     ErrPermission, ErrUnplugged, ErrClosed) whose messages tell a
//     technician what to do.
//
// Ports are found by name (/dev/ttyUSB0, COM3, a pty path) or by USB
// VID:PID through the library's enumerator.
package serialport

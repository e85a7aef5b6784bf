// Package conn is the one device connection every driver speaks to, and
// the rules all of them share about it.
//
//   - Conn is a byte stream whose reads take a deadline. A serial port
//     (devices/serialport), the master of a pseudo-terminal and either end
//     of net.Pipe all satisfy it, so a driver runs unchanged on hardware,
//     against a simulator on a pty, and in-process. What a connection can
//     do beyond that (a write deadline, a line rate that changes) is found
//     by interface assertion: WriteDeadliner, BaudSetter.
//   - Gone decides, for every driver, simulator and adapter alike, that
//     an error means the device (or the host, seen from a simulator) has
//     gone: the stream ended, the USB adapter was pulled out, the port
//     was closed or never found.
//   - Bind ties a connection's deadlines to a context, so that a read or
//     write blocked on a silent device returns as soon as the context
//     ends.
//
// The package is a leaf: it imports the standard library only, so that
// every device package, and its fakes in conntest, can import it.
package conn

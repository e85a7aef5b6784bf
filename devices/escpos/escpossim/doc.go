// Package escpossim is an ESC/POS printer on the other end of a serial
// line, for tests and the demo. It serves any io.ReadWriter (a pty master
// from internal/ptypair, a net.Pipe end), answers DLE EOT status requests
// at the receive layer as firmware does, before the command parser and
// even inside other commands' data (docs/escpos.md, "Real-time status:
// DLE EOT" and "Parsing a stream"), renders every slip with
// devices/escpos/render and hands it out with the bytes that made it.
//
// The pty moves bytes as fast as memory, so the simulator models the
// line: it consumes what it receives no faster than the configured baud
// rate and paces its replies with internal/pace, which makes transfer
// times measured through it those of the real link.
//
// Faults can be switched on from any goroutine: paper out, paper near
// end, cover open, offline, cutter error, and a printer that stops
// answering. While the printer cannot print (paper out, cover open,
// offline or cutter error), it keeps parsing what arrives, so that it
// stays in step with the stream, but the slip in progress is spoiled: it
// is discarded at its cut, counted by Spoiled, and never delivered, like
// paper that never left a jammed or empty printer. A status request is
// still answered, so a driver's check after the job sees the fault.
package escpossim

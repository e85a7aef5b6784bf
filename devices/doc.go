// Package devices is the parent of the kiosk's hardware layer. It holds no
// code of its own; the drivers and simulators live in its subpackages:
//
//   - conn: the connection every driver speaks to, when a device has gone,
//     and deadlines tied to a context; conn/conntest: transcript fakes for tests
//   - serialport: opening ports by name or USB VID:PID, deadlines, typed errors
//   - idcard: the resident ID card reader (GA 467 SAM frame protocol)
//   - idcard/idcardsim: a byte-exact reader simulator
//   - escpos: the ESC/POS thermal printer (commands, status, driver)
//   - escpos/escpossim: a printer simulator that renders slips to images
//   - slip: the paper-code slip, shared by the printer and the on-screen preview
//   - speaker: the loudspeaker that says the self-service prompts (WAV clips, Oto)
//
// Nothing under devices imports the GUI toolkit or the code service.
package devices

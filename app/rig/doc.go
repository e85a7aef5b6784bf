// Package rig assembles a whole kiosk in one process for the demo, the
// end-to-end test and the benchmark: the reference code service
// (codesvc/server over its SQLite store, seeded like `codeservice serve
// --dev`) on a loopback port, the kiosk's store and sync engine
// registered with it through a provisioning code, and the ID card reader
// and printer simulators behind their real drivers, on in-process pipes or
// on pseudo-terminals through the real serial layer (internal/ptypair,
// devices/serialport).
//
// It is the bird's-eye view of ARCHITECTURE.md in one process. Nothing
// here imports Fyne, so the end-to-end test runs without a display.
package rig

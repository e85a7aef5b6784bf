// Package ui draws the kiosk's screens with Fyne (fyne.io/fyne/v2): the
// self-service screen, the venue check and the community worker's
// counter, each redrawn from a flow View. It holds no logic a test of the
// flow would need: every button calls a flow method that does not block,
// and Views arrive through fyne.Do (Fyne's threading model, see
// https://docs.fyne.io/started/goroutines), so no I/O runs on the UI
// goroutine. In kiosk mode a Lock keeps the window up: its close request
// and the exit shortcut open a touch keypad for the exit PIN
// (internal/kioskmode; packaging/PACKAGING.md, "Kiosk mode").
//
// Layout and words follow MIIT's elderly-friendly design rules
// (docs/elderly-interface.md): body text 32 dp, main buttons at least 96 dp
// high, the colour block always carrying its word, plain instructions that
// say what to do next.
package ui

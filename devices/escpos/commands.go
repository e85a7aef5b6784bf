package escpos

// Control bytes and command prefixes (docs/escpos.md, "Commands the kiosk
// sends").
const (
	ESC byte = 0x1B
	GS  byte = 0x1D
	FS  byte = 0x1C
	DLE byte = 0x10
	EOT byte = 0x04
	LF  byte = 0x0A
)

// Align is a justification for ESC a.
type Align byte

// The three justifications.
const (
	AlignLeft   Align = 0
	AlignCenter Align = 1
	AlignRight  Align = 2
)

// CutMode is a GS V cut.
type CutMode byte

// Full and partial cuts (GS V 0 / GS V 1). Many 58 mm units accept only a
// partial cut; the slip uses partial.
const (
	CutFull    CutMode = 0
	CutPartial CutMode = 1
)

// DefaultLineSpacing is the line pitch in dots the builder assumes and
// sets after ESC @ (ESC 3 30): a 24-dot character and a 6-dot gap. The
// power-on default differs between firmwares, which is why the slip sets
// it explicitly.
const DefaultLineSpacing = 30

// StatusRequest returns DLE EOT n, the real-time status request for n in
// 1..4 (StatusPrinter..StatusPaperSensor).
func StatusRequest(n StatusKind) []byte { return []byte{DLE, EOT, byte(n)} }

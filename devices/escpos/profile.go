package escpos

// Profile describes a printer model: the paper width in dots, whether its
// firmware draws QR codes itself and the serial line rate.
type Profile struct {
	// Name is a short label for logs and flags ("58mm", "80mm").
	Name string
	// Dots is the printable width at 203 dpi: 384 on 58 mm paper, 576 on
	// 80 mm paper (docs/escpos.md, "Paper and dots").
	Dots int
	// NativeQR says the firmware implements GS ( k. Without it QR codes
	// are sent as raster images, 20–80 times more bytes (docs/escpos.md,
	// "Native QR or raster").
	NativeQR bool
	// Baud is the serial line rate. The kiosk's printers are set to
	// 115200: at 9600 a raster QR alone takes over ten seconds.
	Baud int
}

// Defaults for the two paper widths. Both assume native QR support and
// 115200 baud; a printer without GS ( k is described by clearing NativeQR.
var (
	Profile58 = Profile{Name: "58mm", Dots: 384, NativeQR: true, Baud: 115200}
	Profile80 = Profile{Name: "80mm", Dots: 576, NativeQR: true, Baud: 115200}
)

// BytesPerRow is the width of a full-width raster row in bytes: 48 on
// 58 mm paper, 72 on 80 mm paper.
func (p Profile) BytesPerRow() int { return p.Dots / 8 }

// ProfileByName returns the default profile called name ("58mm" or
// "80mm").
func ProfileByName(name string) (Profile, bool) {
	switch name {
	case Profile58.Name:
		return Profile58, true
	case Profile80.Name:
		return Profile80, true
	}
	return Profile{}, false
}

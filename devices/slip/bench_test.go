package slip_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
	"github.com/shcommunity/kiosk/devices/slip"
	"github.com/shcommunity/kiosk/internal/pace"
)

// qrModes are the two ways a slip's QR goes to the printer: its native
// QR command, or an image.
var qrModes = []struct {
	name   string
	native bool
}{{"native", true}, {"raster", false}}

// BenchmarkSlipWire reports, for one slip, the bytes on the wire and the
// line time they take (pace.Duration) at 9600 and 115200 baud, native QR
// against raster QR; ns/op is the time to encode it.
func BenchmarkSlipWire(b *testing.B) {
	s := issued(b)
	for _, qr := range qrModes {
		for _, baud := range []int{9600, 115200} {
			p := escpos.Profile{Name: "58mm", Dots: 384, NativeQR: qr.native, Baud: baud}
			b.Run(qr.name+"/"+itoa(baud), func(b *testing.B) {
				var n int
				for b.Loop() {
					data, err := slip.Encode(s, p)
					if err != nil {
						b.Fatal(err)
					}
					n = len(data)
				}
				b.ReportMetric(float64(n), "bytes/slip")
				b.ReportMetric(float64(pace.Duration(n, baud))/float64(time.Millisecond), "wire-ms/slip")
			})
		}
	}
}

// BenchmarkSlipPrintSim prints one slip through the driver and the
// simulator over net.Pipe, both paced at 115200 baud, and reports the
// measured time from the first status request to the last reply.
func BenchmarkSlipPrintSim(b *testing.B) {
	s := issued(b)
	for _, qr := range qrModes {
		p := escpos.Profile{Name: "58mm", Dots: 384, NativeQR: qr.native, Baud: 115200}
		b.Run(qr.name+"/115200", func(b *testing.B) {
			data, err := slip.Encode(s, p)
			if err != nil {
				b.Fatal(err)
			}
			host, dev := net.Pipe()
			defer host.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			sim := escpossim.New(p)
			go sim.Serve(ctx, dev)
			drv := escpos.NewPrinter(host, p)
			drv.StatusTimeout = 2 * time.Second
			var total time.Duration
			for b.Loop() {
				res, err := drv.Print(ctx, data)
				if err != nil {
					b.Fatal(err)
				}
				total += res.Elapsed
			}
			b.ReportMetric(float64(len(data)), "bytes/slip")
			b.ReportMetric(float64(pace.Duration(len(data), 115200))/float64(time.Millisecond), "wire-ms/slip")
			b.ReportMetric(float64(total)/float64(b.N)/float64(time.Millisecond), "measured-ms/slip")
		})
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for ; n > 0; n /= 10 {
		d = append([]byte{byte('0' + n%10)}, d...)
	}
	return string(d)
}

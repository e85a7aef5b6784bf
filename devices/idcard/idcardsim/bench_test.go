package idcardsim_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/idcard/idcardsim"
	"github.com/shcommunity/kiosk/internal/pace"
)

// cardReadBytes is what one find + select + read moves on the line: three
// 10-byte requests and the replies of 15, 19 and 1295 bytes.
func cardReadBytes() int {
	req := len(idcard.CmdFind.Frame()) + len(idcard.CmdSelect.Frame()) + len(idcard.CmdRead.Frame())
	reply := len(idcard.Encode(idcard.Reply(idcard.StatusFound, make([]byte, 4)))) +
		len(idcard.Encode(idcard.Reply(idcard.StatusOK, make([]byte, 8)))) +
		idcard.HeaderLen + 3 + 4 + idcard.TextLen + idcard.PhotoLen + 1
	return req + reply
}

// BenchmarkReadCardPty reads one card (find, select, read, decode,
// validate) through the simulator on a pty at a paced 115200 baud, and
// reports the time against the physical floor of the line: every request
// and reply byte at 11,520 bytes/s.
func BenchmarkReadCardPty(b *testing.B) {
	sim := idcardsim.New(idcardsim.SampleDeck(), &idcardsim.Options{Baud: 115200})
	pair := servePty(b, sim)
	r := idcard.NewReader(openPort(b, pair.Path), &idcard.Options{Now: func() time.Time { return now }})
	if err := sim.Place("resident-green"); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	floor := pace.Duration(cardReadBytes(), 115200)
	n := 0
	for b.Loop() {
		if _, err := r.ReadCard(ctx); err != nil {
			b.Fatal(err)
		}
		n++
	}
	per := b.Elapsed() / time.Duration(n)
	b.ReportMetric(float64(floor)/float64(time.Millisecond), "floor-ms")
	b.ReportMetric(float64(per)/float64(time.Millisecond), "ms/read")
	b.ReportMetric(float64(per)/float64(floor), "x-floor")
}

// BenchmarkReadCardPipe is the same read in-process and unpaced: the
// cost of the driver and the simulator themselves.
func BenchmarkReadCardPipe(b *testing.B) {
	sim := idcardsim.New(idcardsim.SampleDeck(), &idcardsim.Options{Unpaced: true})
	host, dev := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	go sim.Serve(ctx, dev)
	b.Cleanup(func() { cancel(); host.Close(); dev.Close() })
	r := idcard.NewReader(host, &idcard.Options{Now: func() time.Time { return now }})
	sim.Place("foreign-2023")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.ReadCard(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

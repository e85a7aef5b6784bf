package rig_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/rig"
	"github.com/shcommunity/kiosk/app/wire"
	"github.com/shcommunity/kiosk/codesvc/devseed"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/slip"
)

// readerFloorBytes is what one card read puts on the line: find, select
// and read requests and their replies (docs/idcard-protocol.md,
// "Commands").
func readerFloorBytes() int {
	n := len(idcard.CmdFind.Frame()) + len(idcard.CmdSelect.Frame()) + len(idcard.CmdRead.Frame())
	n += len(idcard.Encode(idcard.Reply(0x9F, make([]byte, 4))))
	n += len(idcard.Encode(idcard.Reply(0x90, make([]byte, 8))))
	raw := idcard.RawCard{Text: make([]byte, idcard.TextLen), Photo: make([]byte, idcard.PhotoLen)}
	n += len(idcard.Encode(idcard.Reply(0x90, idcard.AppendRead(nil, raw, false))))
	return n
}

// printerFloorBytes is one slip's job plus the eight DLE EOT requests
// (before and after) and their one-byte replies.
func printerFloorBytes(b *testing.B, t flow.Ticket, p escpos.Profile) int {
	job, err := slip.Encode(wire.SlipOf(t, "演示社区服务中心"), p)
	if err != nil {
		b.Fatal(err)
	}
	return len(job) + 8*3 + 8
}

// BenchmarkThousandResidents serves 1,000 residents (the deck, cycled)
// with unpaced devices and reports the heap in use and the process's
// resident set afterwards. The code service runs in the same process, so
// both figures include it.
func BenchmarkThousandResidents(b *testing.B) {
	const residents = 1000
	for b.Loop() {
		k := startKioskDrop(b, rig.Options{Unpaced: true, PollInterval: 5 * time.Millisecond}, true)
		ctx := context.Background()
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		base := ms.HeapInuse
		var labels []string
		for _, c := range k.Deck.Cards {
			if !devseed.NotEnrolled[c.Label] {
				labels = append(labels, c.Label)
			}
		}
		for i := range residents {
			k.serve(b, labels[i%len(labels)])
			if i == 99 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-after-100-MiB")
			}
		}
		if err := k.Engine.SyncOnce(ctx); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
		b.ReportMetric(float64(int64(ms.HeapInuse)-int64(base))/(1<<20), "heap-growth-MiB")
		b.ReportMetric(rssMiB(), "rss-MiB")
		b.ReportMetric(float64(k.slipCount()), "slips")
	}
}

// rssMiB reads VmRSS from /proc (Linux); 0 elsewhere.
func rssMiB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

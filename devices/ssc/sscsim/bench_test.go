package sscsim_test

import (
	"context"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/devices/ssc"
	"github.com/shcommunity/kiosk/devices/ssc/sscsim"
)

// BenchmarkReadCard reads the green card over and over: through the real
// PC/SC stack (a connected card: the eleven commands of ReadCard, no
// waiting for pcscd's poll), and in process with no stack at all, the
// baseline the stack's cost is measured against. The APDUs and bytes each
// way per read are reported with the time.
func BenchmarkReadCard(b *testing.B) {
	b.Run("pcsc", func(b *testing.B) {
		if labErr != nil || lab == nil {
			b.Skipf("no private pcscd: %v", labErr)
		}
		p, err := ssc.OpenPCSC()
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		sim := sscsim.New(sscsim.SampleDeck(), &sscsim.Options{Addr: lab.Readers[0].Addr})
		defer sim.Close()
		if err := sim.Insert("ssc-green"); err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var st ssc.ReaderState
		for !st.Present {
			if st, err = p.Wait(ctx, lab.Readers[0].Name, st, time.Second); err != nil {
				b.Fatal(err)
			}
		}
		conn, err := p.Connect(lab.Readers[0].Name)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		readLoop(b, conn)
	})
	b.Run("in-process", func(b *testing.B) {
		dc, _ := sscsim.SampleDeck().Find("ssc-green")
		card, err := sscsim.NewCard(dc)
		if err != nil {
			b.Fatal(err)
		}
		readLoop(b, card)
	})
}

func readLoop(b *testing.B, t ssc.Transmitter) {
	c := &ssc.Counter{T: t}
	b.ResetTimer()
	for b.Loop() {
		if _, err := ssc.ReadCard(context.Background(), c, now); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(c.APDUs)/n, "apdus/read")
	b.ReportMetric(float64(c.Sent)/n, "bytes-out/read")
	b.ReportMetric(float64(c.Received)/n, "bytes-in/read")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/n, "ms/read")
}

// BenchmarkInsertToRead measures what a resident waits for: from the
// card going into the reader to the Watcher's "card placed" with the card
// read, through the private pcscd, whose poll of the slot (a few times a
// second) is most of it.
func BenchmarkInsertToRead(b *testing.B) {
	if labErr != nil || lab == nil {
		b.Skipf("no private pcscd: %v", labErr)
	}
	sim := sscsim.New(sscsim.SampleDeck(), &sscsim.Options{Addr: lab.Readers[1].Addr})
	defer sim.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := ssc.NewWatcher(&ssc.WatcherOptions{Reader: lab.Readers[1].Name, Now: func() time.Time { return now }})
	go w.Run(ctx)
	next := func(kind ssc.EventKind) ssc.Event {
		for e := range w.Events() {
			if e.Kind == kind {
				return e
			}
		}
		b.Fatal("watcher stopped")
		return ssc.Event{}
	}
	next(ssc.ReaderConnected)
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		if err := sim.Insert("ssc-green"); err != nil {
			b.Fatal(err)
		}
		if e := next(ssc.CardPlaced); e.Err != nil {
			b.Fatal(e.Err)
		}
		total += time.Since(start)
		sim.Remove()
		next(ssc.CardRemoved)
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/insert-to-read")
}

package syncer_test

import (
	"context"
	"testing"
)

// BenchmarkPush10000 queues 10,000 enrolments and times pushing them all
// to a local reference service (batches of 20, as the tests configure).
func BenchmarkPush10000(b *testing.B) {
	ctx := context.Background()
	b.StopTimer()
	for range b.N {
		s := startService(b)
		k := newKiosk(b, s, "", start)
		s.cut()
		for i := range 10000 {
			k.enrol(b, resident(b, i%30000, i/30000+i%997), i)
		}
		s.restore()
		b.StartTimer()
		// SyncOnce pushes, then pulls; the pull may time out on a busy
		// machine (the tests' HTTP timeout is short), so run until the
		// outbox is empty.
		for tries := 0; k.summary(b).Pending > 0; tries++ {
			if err := k.eng.SyncOnce(ctx); err != nil && tries > 20 {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		b.ReportMetric(10000/b.Elapsed().Seconds(), "enrolments/s")
		if _, acc, _ := s.enrolments(); acc != 10000 {
			b.Fatalf("service accepted %d, want 10000", acc)
		}
	}
}

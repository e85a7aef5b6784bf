package server_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/pii"
)

// BenchmarkStatusLookup measures signed status lookups over loopback with
// concurrent clients (b.RunParallel, 8 goroutines per CPU): lookups/s and
// the p50/p99 latency of one request.
func BenchmarkStatusLookup(b *testing.B) {
	e := newEnv(b, server.Options{})
	ctx := context.Background()
	ids := make([]pii.IDNumber, 200)
	for i := range ids {
		ids[i] = idNumber(b, "19500101", i)
		if i%2 == 0 {
			e.enrol(ids[i], "王小明")
		}
		if i%4 == 0 {
			if _, err := e.svc.AddEvent(ctx, ids[i], rules.ArrivalKeyArea, e.clk.Now().Add(-time.Hour), "bench"); err != nil {
				b.Fatal(err)
			}
		}
	}
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}
	defer tr.CloseIdleConnections()
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(8)
	b.ResetTimer()
	begin := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		c := &client.Client{BaseURL: e.c.BaseURL, HTTP: &http.Client{Transport: tr}, DeviceID: e.c.DeviceID, Key: e.c.Key, Now: e.clk.Now}
		local := make([]time.Duration, 0, 1024)
		i := 0
		for pb.Next() {
			t0 := time.Now()
			if _, err := c.Status(ctx, ids[i%len(ids)]); err != nil {
				b.Error(err)
				return
			}
			local = append(local, time.Since(t0))
			i++
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	elapsed := time.Since(begin)
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "lookups/s")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
	}
}

// BenchmarkEnrolIntake measures sealed enrolment intake in batches of 50
// new residents: items/s including sealing on the client side.
func BenchmarkEnrolIntake(b *testing.B) {
	e := newEnv(b, server.Options{})
	ctx := context.Background()
	const batch = 50
	n := 0
	b.ResetTimer()
	begin := time.Now()
	for i := 0; i < b.N; i++ {
		items := make([]api.EnrolmentItem, batch)
		for j := range items {
			id := idNumber(b, birthFor(n), n%1000) // a new resident each time
			items[j] = e.sealItem("bench-item-"+strconv.Itoa(n), e.payload(id, "王小明"))
			n++
		}
		resp, err := e.c.Enrol(ctx, items)
		if err != nil {
			b.Fatal(err)
		}
		if resp.Results[0].Outcome != api.OutcomeAccepted {
			b.Fatalf("outcome %+v", resp.Results[0])
		}
	}
	b.ReportMetric(float64(n)/time.Since(begin).Seconds(), "items/s")
}

func birthFor(n int) string {
	d := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/1000)
	return d.Format("20060102")
}

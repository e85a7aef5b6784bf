package server_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/store/pgstore/pgtest"
	"github.com/shcommunity/kiosk/pii"
)

// BenchmarkStatusLookup measures status lookups over loopback in this
// process: 64 goroutines (b.SetParallelism(32) on 2 CPUs; 32 per CPU in
// general) share one device's client, whose keep-alive connections stay
// open. It reports lookups/s and the p50/p99 latency of one lookup, with
// sessions on SQLite and on PostgreSQL (a throwaway server on a Unix
// socket), per-request Ed25519 on SQLite, and the floor: the same
// goroutines and connections asking GET /v1/health, so that all can be
// compared within one run on a machine whose load varies. Client and
// service share the CPUs, as they do when both run here; cpu_us/lookup is
// the CPU time of both per lookup, and on PostgreSQL the database
// server's too (db_cpu_us/lookup is that share): the figure least
// disturbed by other load on the machine. scripts/bench.sh prints each
// against the floor.
func BenchmarkStatusLookup(b *testing.B) {
	b.Run("floor-health", benchHealthFloor)
	b.Run("session-sqlite", func(b *testing.B) { benchStatus(b, sqliteDB(b), nil, false) })
	b.Run("session-postgres", func(b *testing.B) {
		c, err := pgtest.Shared()
		if errors.Is(err, pgtest.ErrSkipped) {
			b.Skip(err)
		}
		if err != nil {
			b.Fatal(err)
		}
		benchStatus(b, pgDBOn(b, c), c, false)
	})
	b.Run("ed25519-sqlite", func(b *testing.B) { benchStatus(b, sqliteDB(b), nil, true) })
}

// benchHealthFloor is the floor under a lookup on this machine: the same
// goroutines and connections doing GET /v1/health, an unauthenticated
// round trip that touches neither the database nor any key.
func benchHealthFloor(b *testing.B) {
	e := newEnv(b, server.Options{})
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(32)
	b.ResetTimer()
	begin, cpu0 := time.Now(), processCPU()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			t0 := time.Now()
			resp, err := hc.Get(e.srv.URL + "/v1/health")
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			local = append(local, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	elapsed, cpu := time.Since(begin), processCPU()-cpu0
	b.StopTimer()
	reportLatencies(b, lat, elapsed)
	if cpu0 >= 0 && len(lat) > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(len(lat)), "cpu_us/lookup")
	}
}

// benchStatus measures lookups on the database of open; db, when set, is
// the PostgreSQL server whose CPU time counts too.
func benchStatus(b *testing.B, open opener, db *pgtest.Cluster, noSessions bool) {
	e := newEnvOn(b, server.Options{}, open)
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
	c := &client.Client{BaseURL: e.c.BaseURL, HTTP: &http.Client{Transport: tr}, DeviceID: e.c.DeviceID, Key: e.c.Key,
		Now: e.clk.Now, NoSessions: noSessions, Purpose: api.PurposeSelfService}
	if _, err := c.Status(ctx, ids[0]); err != nil { // the session, if any, before the clock starts
		b.Fatal(err)
	}
	if got := c.SessionID() != ""; got == noSessions {
		b.Fatalf("session in use = %v with NoSessions %v", got, noSessions)
	}
	var mu sync.Mutex
	var lat []time.Duration
	var next atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	dbCPU0 := clusterCPU(b, db)
	resetStatements(b, db)
	begin, cpu0 := time.Now(), processCPU()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		i := int(next.Add(37))
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
	elapsed, cpu := time.Since(begin), processCPU()-cpu0
	dbCPU := clusterCPU(b, db) - dbCPU0
	b.StopTimer()
	reportLatencies(b, lat, elapsed)
	if cpu0 >= 0 && len(lat) > 0 {
		// Client and service together, both in this process, and the
		// database server.
		b.ReportMetric(float64((cpu+dbCPU).Microseconds())/float64(len(lat)), "cpu_us/lookup")
		if db != nil {
			b.ReportMetric(float64(dbCPU.Microseconds())/float64(len(lat)), "db_cpu_us/lookup")
			reportStatements(b, db, len(lat))
		}
	}
}

// resetStatements empties db's statement counts, if it keeps them.
func resetStatements(b *testing.B, db *pgtest.Cluster) {
	if db == nil {
		return
	}
	if err := db.ResetStatements(context.Background()); err != nil && !errors.Is(err, pgtest.ErrNoStatements) {
		b.Fatal(err)
	}
}

// statementKinds names the statements of a lookup by what they touch, for
// reportStatements; the first match wins.
var statementKinds = []struct{ contains, metric string }{
	{"INTO nonces", "pg_nonce_us/lookup"},
	{"INTO access_records", "pg_access_us/lookup"},
	{"FROM residents", "pg_resident_us/lookup"},
	{"", "pg_other_us/lookup"},
}

// reportStatements reports the database server's executor time per
// lookup for each kind of statement (pg_stat_statements' count, which
// leaves out the protocol, the process switches and the commits: the
// rest of db_cpu_us/lookup), and logs the costliest statements.
func reportStatements(b *testing.B, db *pgtest.Cluster, lookups int) {
	sts, err := db.Statements(context.Background())
	if errors.Is(err, pgtest.ErrNoStatements) {
		return
	}
	if err != nil {
		b.Fatal(err)
	}
	per := make(map[string]time.Duration)
	for i, st := range sts {
		for _, k := range statementKinds {
			if strings.Contains(st.Query, k.contains) {
				per[k.metric] += st.Exec
				break
			}
		}
		if i < 6 && st.Calls > 0 { // the costliest; a grouped insert of n rows is a statement of its own
			b.Logf("%6d calls, %7.1f µs a call, %7.1f rows a call: %.70s", st.Calls, float64(st.Exec.Microseconds())/float64(st.Calls),
				float64(st.Rows)/float64(st.Calls), strings.Join(strings.Fields(st.Query), " "))
		}
	}
	for _, k := range statementKinds {
		b.ReportMetric(float64(per[k.metric].Nanoseconds())/1e3/float64(lookups), k.metric)
	}
}

// clusterCPU is the CPU time db has used, 0 without one.
func clusterCPU(b *testing.B, db *pgtest.Cluster) time.Duration {
	if db == nil {
		return 0
	}
	t, err := db.CPU()
	if err != nil {
		b.Fatal(err)
	}
	return t
}

// reportLatencies reports lookups/s and the p50/p99 of the recorded
// latencies.
func reportLatencies(b *testing.B, lat []time.Duration, elapsed time.Duration) {
	slices.Sort(lat)
	if len(lat) == 0 {
		return
	}
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "lookups/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
}

// BenchmarkEnrolIntake measures sealed enrolment intake in batches of 50
// new residents: items/s including sealing on the client side. All of
// them come from one worker, so her daily cap (DefaultCaps, 150) is
// lifted: the benchmark measures the intake, not the cap.
func BenchmarkEnrolIntake(b *testing.B) {
	caps := server.DefaultCaps
	caps.WorkerPerDay = 0
	e := newEnv(b, server.Options{Caps: caps})
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
		for _, r := range resp.Results {
			if r.Outcome != api.OutcomeAccepted {
				b.Fatalf("outcome %+v", r)
			}
		}
	}
	b.ReportMetric(float64(n)/time.Since(begin).Seconds(), "items/s")
}

func birthFor(n int) string {
	d := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/1000)
	return d.Format("20060102")
}

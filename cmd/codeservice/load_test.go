package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/devseed"
	"github.com/shcommunity/kiosk/codesvc/store/kek"
	"github.com/shcommunity/kiosk/codesvc/store/pgstore/pgtest"
)

// BenchmarkSeparateProcesses measures the service as it is deployed:
// `codeservice serve` processes, and the load coming from `codeservice
// bench-status` processes of their own (64 concurrent lookups in all, with
// sessions, for 5 s), on SQLite, on PostgreSQL, and as two instances on
// one PostgreSQL database with the load split between them. It reports
// lookups/s, the worst p50 and p99 among the load generators, and
// service_cpu_us/lookup: the serve processes' CPU time and the database
// server's per lookup (the load generators' own is left out). Run it
// with -benchtime 1x (scripts/bench.sh does): each sub-benchmark is one
// measurement.
func BenchmarkSeparateProcesses(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "codeservice")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x5a}, kek.Size))
	for _, tc := range []struct {
		name      string
		instances int
		postgres  bool
	}{{"sqlite-1", 1, false}, {"postgres-1", 1, true}, {"postgres-2", 2, true}} {
		b.Run(tc.name, func(b *testing.B) {
			var db string
			var cluster *pgtest.Cluster
			if tc.postgres {
				cluster = pgtest.SharedFor(b)
				var err error
				if db, err = cluster.NewDatabase(context.Background()); err != nil {
					b.Fatal(err)
				}
			} else {
				db = filepath.Join(b.TempDir(), "codes.db")
			}
			l := &loadRun{b: b, bin: bin, db: db, env: append(os.Environ(), kek.Env+"="+key)}
			l.seed()
			l.measure(tc.instances, cluster)
		})
	}
}

// loadRun is one measurement's processes.
type loadRun struct {
	b   *testing.B
	bin string
	db  string
	env []string
}

// admin runs `codeservice admin --db DB args...` and returns its output.
func (l *loadRun) admin(args ...string) string {
	cmd := exec.Command(l.bin, append([]string{"admin", "--db", l.db}, args...)...)
	cmd.Env = l.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		l.b.Fatalf("admin %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// seed enrols the sample residents that bench-status looks up and gives
// each an event, so that every lookup finds a resident and evaluates its
// rules.
func (l *loadRun) seed() {
	ids, err := devseed.IDNumbers(time.Now())
	if err != nil {
		l.b.Fatal(err)
	}
	for _, id := range ids {
		l.admin("enrol", "--id", id.Reveal(), "--name", "王小明")
		l.admin("event", "--id", id.Reveal(), "--kind", "arrival_key_area")
	}
}

var codeLine = regexp.MustCompile(`provisioning code: (\S+)`)

// provision returns a new provisioning code.
func (l *loadRun) provision() string {
	m := codeLine.FindStringSubmatch(l.admin("device", "provision", "--note", "load", "--role", "counter"))
	if m == nil {
		l.b.Fatal("no provisioning code in the admin's output")
	}
	return m[1]
}

// serve starts an instance and returns it and its URL.
func (l *loadRun) serve() (*exec.Cmd, string) {
	cmd := exec.Command(l.bin, "serve", "--db", l.db, "--addr", "127.0.0.1:0", "--log-format", "json", "--no-lookup-limits")
	cmd.Env = l.env
	out, err := cmd.StdoutPipe()
	if err != nil {
		l.b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		l.b.Fatal(err)
	}
	l.b.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if url, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
			go func() {
				for sc.Scan() {
				}
			}()
			return cmd, url
		}
	}
	l.b.Fatal("serve stopped before it listened")
	return nil, ""
}

var lookupLine = regexp.MustCompile(`(\d+) lookups in [0-9.]+s by \d+ goroutines: ([0-9.]+) lookups/s, p50 ([0-9.]+) ms, p99 ([0-9.]+) ms, (\d+) errors`)

// measure runs n instances, one load generator each, and reports.
func (l *loadRun) measure(n int, cluster *pgtest.Cluster) {
	b := l.b
	var procs []*exec.Cmd
	var urls, codes []string
	for range n {
		p, url := l.serve()
		procs, urls, codes = append(procs, p), append(urls, url), append(codes, l.provision())
	}
	cpu := func() time.Duration {
		var t time.Duration
		for _, p := range procs {
			c, _, err := pgtest.ProcessCPU(p.Process.Pid, true)
			if err != nil {
				b.Fatal(err)
			}
			t += c
		}
		if cluster != nil {
			c, err := cluster.CPU()
			if err != nil {
				b.Fatal(err)
			}
			t += c
		}
		return t
	}
	cpu0 := cpu()
	outs := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			cmd := exec.Command(l.bin, "bench-status", "--url", urls[i], "--code", codes[i], "--mode", "session",
				"--duration", "5s", "--concurrency", strconv.Itoa(64/n))
			outs[i], errs[i] = cmd.CombinedOutput()
		})
	}
	wg.Wait()
	used := cpu() - cpu0
	var lookups int
	var rate, p50, p99 float64
	for i := range n {
		m := lookupLine.FindStringSubmatch(string(outs[i]))
		if errs[i] != nil || m == nil || m[5] != "0" {
			b.Fatalf("bench-status on instance %d: %v\n%s", i, errs[i], outs[i])
		}
		k, _ := strconv.Atoi(m[1])
		r, _ := strconv.ParseFloat(m[2], 64)
		p5, _ := strconv.ParseFloat(m[3], 64)
		p9, _ := strconv.ParseFloat(m[4], 64)
		lookups, rate, p50, p99 = lookups+k, rate+r, max(p50, p5), max(p99, p9)
	}
	b.ReportMetric(rate, "lookups/s")
	b.ReportMetric(p50, "p50_ms")
	b.ReportMetric(p99, "p99_ms")
	b.ReportMetric(float64(used.Microseconds())/float64(lookups), "service_cpu_us/lookup")
}

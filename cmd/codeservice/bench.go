package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/devseed"
	"github.com/shcommunity/kiosk/pii"
)

// Bounds of bench-status: it is a load generator for a service on this
// machine, so it stops by itself and talks to loopback only.
const (
	benchMaxDuration    = time.Minute
	benchMaxConcurrency = 256
)

// benchStatus registers a device with a provisioning code (from serve
// --dev) and then looks up the sample deck's residents from many
// goroutines over keep-alive connections, per-request Ed25519 first and
// then with a session (or one of the two), printing lookups/s and the
// p50/p99 latency of each.
func benchStatus(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench-status", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:8443", "service URL (loopback only)")
	code := fs.String("code", "", "provisioning code (serve --dev prints one)")
	dur := fs.Duration("duration", 10*time.Second, "length of each measurement (at most 1m)")
	conc := fs.Int("concurrency", 64, "concurrent lookups (at most 256)")
	maxReq := fs.Int("requests", 2_000_000, "stop a measurement after this many lookups")
	mode := fs.String("mode", "both", "ed25519, session or both")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *code == "" {
		return errors.New("bench-status: --code is required")
	}
	if *dur <= 0 || *dur > benchMaxDuration || *conc < 1 || *conc > benchMaxConcurrency || *maxReq < 1 {
		return fmt.Errorf("bench-status: --duration in (0, %v], --concurrency in [1, %d], --requests ≥ 1", benchMaxDuration, benchMaxConcurrency)
	}
	if err := loopbackOnly(*base); err != nil {
		return err
	}
	var modes []bool // noSessions
	switch *mode {
	case "ed25519":
		modes = []bool{true}
	case "session":
		modes = []bool{false}
	case "both":
		modes = []bool{true, false}
	default:
		return fmt.Errorf("bench-status: unknown --mode %q", *mode)
	}
	ids, err := devseed.IDNumbers(time.Now())
	if err != nil {
		return err
	}
	tr := &http.Transport{MaxIdleConns: *conc, MaxIdleConnsPerHost: *conc, IdleConnTimeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	httpc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	reg, _, err := client.Register(ctx, *base, httpc, *code, "bench-status", key)
	if err != nil {
		return fmt.Errorf("bench-status: register: %w", err)
	}
	for _, noSessions := range modes {
		c := &client.Client{BaseURL: *base, HTTP: httpc, DeviceID: reg.DeviceID, Key: key, NoSessions: noSessions, Purpose: api.PurposeVenueEntry}
		name := "session"
		if noSessions {
			name = "ed25519"
		}
		r, err := runLookups(ctx, c, ids, *dur, *conc, *maxReq)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%-8s %d lookups in %.2fs by %d goroutines: %.0f lookups/s, p50 %.2f ms, p99 %.2f ms, %d errors\n",
			name, r.n, r.elapsed.Seconds(), *conc, float64(r.n)/r.elapsed.Seconds(),
			float64(r.p50.Microseconds())/1000, float64(r.p99.Microseconds())/1000, r.errors)
	}
	return nil
}

type lookupResult struct {
	n, errors int
	elapsed   time.Duration
	p50, p99  time.Duration
}

func runLookups(ctx context.Context, c *client.Client, ids []pii.IDNumber, dur time.Duration, conc, maxReq int) (lookupResult, error) {
	if _, err := c.Status(ctx, ids[0]); err != nil { // session set up outside the measurement
		return lookupResult{}, fmt.Errorf("bench-status: first lookup: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	var (
		mu     sync.Mutex
		lat    []time.Duration
		issued atomic.Int64
		errs   atomic.Int64
		wg     sync.WaitGroup
	)
	begin := time.Now()
	for g := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			for i := g; ctx.Err() == nil && issued.Add(1) <= int64(maxReq); i++ {
				t0 := time.Now()
				if _, err := c.Status(ctx, ids[i%len(ids)]); err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
					continue
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	r := lookupResult{n: len(lat), errors: int(errs.Load()), elapsed: time.Since(begin)}
	if len(lat) == 0 {
		return r, errors.New("bench-status: no lookup succeeded")
	}
	slices.Sort(lat)
	r.p50, r.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	return r, nil
}

// loopbackOnly refuses a URL whose host is not a loopback address.
func loopbackOnly(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("bench-status: bad --url %q", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("bench-status: --url must be a loopback address, not %q", host)
}

package server

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/shcommunity/kiosk/codesvc/api"
)

// metrics are the service's Prometheus metrics, in a registry of the
// Handler's own so that several
// handlers in one process (tests, a benchmark) do not collide. No label
// carries personal data: routes are patterns, never paths.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec   // by route and status
	latency  *prometheus.HistogramVec // by route
	intake   *prometheus.CounterVec   // enrolment items by outcome
	feedLag  prometheus.Histogram     // age of a device's feed position when it asks for more
}

func newMetrics(svc *Service) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "codeservice_http_requests_total", Help: "HTTP requests answered, by route pattern and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "codeservice_http_request_duration_seconds", Help: "Time from routing to the answer written, by route pattern.",
			Buckets: []float64{.0002, .0005, .001, .002, .005, .01, .02, .05, .1, .2, .5, 1, 2, 5},
		}, []string{"route"}),
		intake: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "codeservice_intake_items_total", Help: "Enrolment items answered, by outcome.",
		}, []string{"outcome"}),
		feedLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "codeservice_feed_lag_seconds", Help: "How far behind the service's clock a device's feed position was when it asked for the next page.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 10),
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.intake, m.feedLag,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if st, ok := svc.Store.(interface{ Stats() sql.DBStats }); ok {
		m.reg.MustRegister(poolCollectors(st.Stats)...)
	}
	return m
}

// poolCollectors report the store's connection pool.
func poolCollectors(stats func() sql.DBStats) []prometheus.Collector {
	gauge := func(name, help string, v func(sql.DBStats) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return v(stats()) })
	}
	counter := func(name, help string, v func(sql.DBStats) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return v(stats()) })
	}
	return []prometheus.Collector{
		gauge("codeservice_db_connections_open", "Connections to the database, in use or idle.", func(s sql.DBStats) float64 { return float64(s.OpenConnections) }),
		gauge("codeservice_db_connections_in_use", "Connections to the database in use.", func(s sql.DBStats) float64 { return float64(s.InUse) }),
		gauge("codeservice_db_connections_max", "The pool's bound on connections.", func(s sql.DBStats) float64 { return float64(s.MaxOpenConnections) }),
		counter("codeservice_db_waits_total", "Times a request waited for a free connection.", func(s sql.DBStats) float64 { return float64(s.WaitCount) }),
		counter("codeservice_db_wait_seconds_total", "Time requests spent waiting for a free connection.", func(s sql.DBStats) float64 { return s.WaitDuration.Seconds() }),
	}
}

// Metrics is the Prometheus exposition of the handler's metrics, for an
// operations listener that devices cannot reach (serve --ops-addr).
func (h *Handler) Metrics() http.Handler {
	return promhttp.HandlerFor(h.m.reg, promhttp.HandlerOpts{})
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

// route registers fn for pattern, counted and timed under the pattern.
func (h *Handler) route(pattern string, fn http.HandlerFunc) {
	h.routes = append(h.routes, pattern)
	obs := h.m.latency.WithLabelValues(pattern)
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		fn(sw, r)
		d := time.Since(t0)
		obs.Observe(d.Seconds())
		h.m.requests.WithLabelValues(pattern, statusLabel(sw.code)).Inc()
		if sw.code >= 500 {
			// Route and status only: never a path, a body or a header.
			h.log.Warn("Request answered with a server error", "route", pattern, "status", sw.code, "duration", d)
		}
	})
}

// statusLabel is the code's decimal text, without allocating for the
// usual ones.
func statusLabel(code int) string {
	switch code {
	case 200:
		return "200"
	case 201:
		return "201"
	case 400:
		return "400"
	case 401:
		return "401"
	case 403:
		return "403"
	case 404:
		return "404"
	case 409:
		return "409"
	case 500:
		return "500"
	case 503:
		return "503"
	}
	return strconv.Itoa(code)
}

// healthz is GET /healthz: the process is alive and serving HTTP. It
// touches nothing else, so a load balancer does not take an instance out
// because its database is slow (that is readyz's question).
func (h *Handler) healthz(w http.ResponseWriter, r *http.Request) {
	writeRaw(w, http.StatusOK, []byte(`{"status":"alive"}`+"\n"))
}

// readyTimeout bounds readyz's look at the database.
const readyTimeout = 2 * time.Second

// readyz is GET /readyz: the database answers and the keys are loaded (a
// signing key in use can be read and unwrapped). 503 with what is wrong
// otherwise, so a load balancer sends no request to an instance that
// would answer 503 unavailable.
func (h *Handler) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	checks := map[string]string{"database": "ok", "keys": "ok"}
	ready := true
	if p, ok := h.svc.Store.(interface{ Ping(context.Context) error }); ok {
		if err := p.Ping(ctx); err != nil {
			checks["database"], ready = "unreachable", false
		}
	}
	if _, err := h.svc.currentSigner(ctx); err != nil {
		checks["keys"], ready = "not loaded", false
	}
	if !ready {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "not_ready", "checks": checks})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "checks": checks})
}

// countIntake counts the answered enrolment items by outcome.
func (h *Handler) countIntake(res []api.EnrolmentResult) {
	for _, r := range res {
		h.m.intake.WithLabelValues(r.Outcome).Inc()
	}
}

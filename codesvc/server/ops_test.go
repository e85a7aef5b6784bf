package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/server"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestOperations: /healthz and /readyz answer, and the metrics count the
// requests by route pattern (never a path) and status, the intake by
// outcome, and report the database pool.
func TestOperations(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	if st, body := get(t, e.srv.URL+"/healthz"); st != 200 || !strings.Contains(body, `"alive"`) {
		t.Errorf("healthz = %d %s", st, body)
	}
	if st, body := get(t, e.srv.URL+"/readyz"); st != 200 || !strings.Contains(body, `"ready"`) {
		t.Errorf("readyz = %d %s", st, body)
	}
	id := e.resident("19480314", 1, "王小明")
	if _, err := e.c.Status(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.TokenStatus(ctx, "T0000000000000000000"); apiCode(err) != api.CodeUnknownToken {
		t.Fatalf("unknown token: %v", err)
	}
	ops := httptest.NewServer(e.h.Metrics())
	defer ops.Close()
	_, m := get(t, ops.URL)
	for _, want := range []string{
		`codeservice_http_requests_total{code="200",route="POST /v1/status"} 1`,
		`codeservice_http_requests_total{code="404",route="GET /v1/tokens/{token_id}"} 1`,
		`codeservice_intake_items_total{outcome="accepted"} 1`,
		`codeservice_http_request_duration_seconds_count{route="POST /v1/status"} 1`,
		`codeservice_db_connections_open `,
		`go_goroutines `,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(m, id.Reveal()) {
		t.Error("the metrics hold an ID number")
	}
}

// TestLogsHoldNoPersonalData: a day's worth of requests, good and bad,
// with every log line kept at debug level: no ID number or name in them.
func TestLogsHoldNoPersonalData(t *testing.T) {
	var buf bytes.Buffer
	e := newEnv(t, server.Options{Logger: slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ctx := context.Background()
	id := e.resident("19480314", 1, "王小明")
	e.c.Status(ctx, id)
	e.c.Status(ctx, idNumber(t, "19480314", 2))
	bad := e.payload(id, "王小明")
	bad.Phone = "not a phone"
	e.c.Enrol(ctx, []api.EnrolmentItem{e.sealItem("bad-item-0001", bad)})
	e.svc.Store.RevokeDevice(ctx, e.c.DeviceID, e.clk.Now())
	e.c.Status(ctx, id) // refused
	if buf.Len() == 0 {
		t.Fatal("nothing was logged; the test proves nothing")
	}
	for _, secret := range []string{id.Reveal(), id.Reveal()[6:14], "王小明", "13812345678"} {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("the log holds %q:\n%s", secret, buf.String())
		}
	}
}

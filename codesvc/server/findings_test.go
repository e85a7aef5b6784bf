package server_test

// The findings of the security review (docs/security.md, "Findings"),
// each as the attack it reproduced, sent to the real HTTP handler, and
// now refused.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/server"
)

// TestFinding5TimestampOverflow: a timestamp 2^64 nanoseconds (about 584
// years) ahead made time.Duration(now-ts)*time.Second wrap to a fraction
// of a second, so the request was inside the window, and its nonce, kept
// until that far-off timestamp left the window, was forgotten at the
// next restart while the timestamp still passed: a replayable request.
func TestFinding5TimestampOverflow(t *testing.T) {
	e := newEnv(t, server.Options{})
	body := []byte(`{"id_number":"` + idNumber(t, "19480314", 1).Reveal() + `"}`)
	now := e.clk.Now().Unix()
	const wrap = 18446744074 // seconds: just over 2^64 ns
	far := time.Unix(now+wrap, 0)
	if d := time.Duration(now-far.Unix()) * time.Second; d > server.Window || d < -server.Window {
		t.Fatalf("the attack's timestamp no longer wraps into the window (%v): fix the test", d)
	}
	for _, tc := range []struct {
		name       string
		ts         time.Time
		wantStatus int
		want       api.Code
	}{
		{"wrapping timestamp, 11 digits", far, 401, api.CodeAuthMalformed},
		{"largest 10-digit timestamp", time.Unix(9999999999, 0), 401, api.CodeClockSkew},
		{"one second past the window", time.Unix(now+int64(server.Window/time.Second)+1, 0), 401, api.CodeClockSkew},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, code := rawSigned(t, e, e.c, "POST", "/v1/status", body, body, tc.ts, nonce())
			if st != tc.wantStatus || code != tc.want {
				t.Errorf("got %d %s, want %d %s", st, code, tc.wantStatus, tc.want)
			}
		})
	}
	t.Run("inside the window still works", func(t *testing.T) {
		if st, code := rawSigned(t, e, e.c, "POST", "/v1/status", body, body, time.Unix(now+int64(server.Window/time.Second), 0), nonce()); st != 200 {
			t.Errorf("got %d %s, want 200", st, code)
		}
	})
}

// TestFinding8StrictJSON: encoding/json matched keys without regard to
// case and kept the last of two equal keys, so a body could mean one
// thing to the service and another to a proxy, a log or a second reader;
// a sealed enrolment could carry two actors. Both are refused now, in
// request bodies and in sealed payloads.
func TestFinding8StrictJSON(t *testing.T) {
	e := newEnv(t, server.Options{})
	a, b := idNumber(t, "19480314", 1).Reveal(), idNumber(t, "19500101", 2).Reveal()
	for _, tc := range []struct{ name, body string }{
		{"key in upper case", `{"ID_NUMBER":"` + a + `"}`},
		{"key in mixed case", `{"Id_Number":"` + a + `"}`},
		{"duplicate key", `{"id_number":"` + a + `","id_number":"` + b + `"}`},
		{"duplicate key, differing in case", `{"id_number":"` + a + `","ID_number":"` + b + `"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if st, code := signedDo(t, e, "POST", "/v1/status", tc.body); st != 400 || code != api.CodeBadRequest {
				t.Errorf("got %d %s, want 400 bad_request", st, code)
			}
		})
	}
	t.Run("nested duplicate in a sealed enrolment", func(t *testing.T) {
		p := e.payload(idNumber(t, "19550922", 7), "李秀英")
		good, _ := json.Marshal(p)
		// A second actor after the first: the last one would have won.
		raw := strings.Replace(string(good), `"actor":{`, `"actor":{"kind":"worker","worker_id":"w1"},"actor":{`, 1)
		resp, err := e.c.Enrol(context.Background(), []api.EnrolmentItem{e.sealItem("dup-actor-1", json.RawMessage(raw))})
		if err != nil {
			t.Fatal(err)
		}
		if r := resp.Results[0]; r.Outcome != api.OutcomeRejected || r.Reason != api.ReasonBadPayload {
			t.Errorf("got %+v, want rejected bad_payload", r)
		}
	})
	t.Run("exact keys still work", func(t *testing.T) {
		if st, code := signedDo(t, e, "POST", "/v1/status", fmt.Sprintf(` {"id_number": %q} `, a)); st != 200 {
			t.Errorf("got %d %s, want 200", st, code)
		}
	})
}

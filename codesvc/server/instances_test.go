package server_test

import (
	"context"
	"testing"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/server"
)

// backends are the databases the service runs on, each as a maker of a
// new database; every multi-instance test runs on each.
var backends = []struct {
	name string
	db   func(t testing.TB) opener
}{
	{"sqlite", sqliteDB},
	{"postgres", pgDB},
}

// TestTwoInstances: two service instances on one database share
// everything a device's requests need, so a load balancer may send any
// request to either. A session opened on A is used on B, a request
// replayed on B after A accepted it is refused, an enrolment sent to A
// and retried on B is stored once, and a device revoked through A is
// refused on B at once.
func TestTwoInstances(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			a := newEnvOn(t, server.Options{}, be.db(t))
			b := a.instance()
			id := idNumber(t, "19480314", 1)

			t.Run("session opened on A is used on B", func(t *testing.T) {
				if _, err := a.c.Status(ctx, id); err != nil {
					t.Fatal(err)
				}
				sid := a.c.SessionID()
				if sid == "" {
					t.Fatal("no session on A")
				}
				a.c.BaseURL = b.srv.URL
				defer func() { a.c.BaseURL = a.srv.URL }()
				if _, err := a.c.Status(ctx, id); err != nil {
					t.Fatalf("on B: %v", err)
				}
				if got := a.c.SessionID(); got != sid {
					t.Errorf("session on B %q, want A's %q", got, sid)
				}
			})

			t.Run("replay on B after A accepted", func(t *testing.T) {
				sid, key := rawSession(t, a, a.c)
				body := []byte(`{"id_number":"` + id.Reveal() + `","purpose":"counter_service"}`)
				now := a.clk.Now()
				if st, code := rawSessionDo(t, a, sid, key, "POST", "/v1/status", body, body, now, "nonce-two-instances-1"); st != 200 {
					t.Fatalf("on A: %d %s", st, code)
				}
				if st, code := rawSessionDo(t, b, sid, key, "POST", "/v1/status", body, body, now, "nonce-two-instances-1"); st != 401 || code != api.CodeReplay {
					t.Errorf("session request replayed on B: %d %s, want 401 replay", st, code)
				}
				if st, code := rawSigned(t, a, a.c, "POST", "/v1/status", body, body, now, "nonce-two-instances-2"); st != 200 {
					t.Fatalf("signed on A: %d %s", st, code)
				}
				if st, code := rawSigned(t, b, a.c, "POST", "/v1/status", body, body, now, "nonce-two-instances-2"); st != 401 || code != api.CodeReplay {
					t.Errorf("signed request replayed on B: %d %s, want 401 replay", st, code)
				}
			})

			t.Run("enrolment sent to A and retried on B is stored once", func(t *testing.T) {
				enrolee := idNumber(t, "19500101", 7)
				item := a.sealItem("two-instances-item-1", a.payload(enrolee, "张小三"))
				ra, err := a.c.Enrol(ctx, []api.EnrolmentItem{item})
				if err != nil {
					t.Fatal(err)
				}
				rb, err := b.c.Enrol(ctx, []api.EnrolmentItem{item})
				if err != nil {
					t.Fatal(err)
				}
				if got := ra.Results[0]; got.Outcome != api.OutcomeAccepted {
					t.Fatalf("on A: %s (%s), want accepted", got.Outcome, got.Reason)
				}
				if got := rb.Results[0]; got.Outcome != api.OutcomeDuplicate || got.Original != api.OutcomeAccepted || got.ResidentRef != ra.Results[0].ResidentRef {
					t.Errorf("retried on B: %+v, want a duplicate of A's accepted item (resident %s)", got, ra.Results[0].ResidentRef)
				}
				st, err := b.c.Status(ctx, enrolee)
				if err != nil || !st.Known || st.ResidentRef != ra.Results[0].ResidentRef {
					t.Errorf("status on B: %+v, %v; want the one resident A stored", st, err)
				}
			})

			t.Run("device revoked through A is refused on B at once", func(t *testing.T) {
				dev, _ := a.register("kiosk-revoked-on-a")
				if _, err := dev.Status(ctx, id); err != nil {
					t.Fatal(err)
				}
				sid := dev.SessionID()
				dev.BaseURL = b.srv.URL
				if _, err := dev.Status(ctx, id); err != nil || dev.SessionID() != sid {
					t.Fatalf("on B before revocation: %v (session %q, want %q)", err, dev.SessionID(), sid)
				}
				if err := a.svc.Store.RevokeDevice(ctx, dev.DeviceID, a.clk.Now()); err != nil {
					t.Fatal(err)
				}
				if _, err := dev.Status(ctx, id); apiCode(err) != api.CodeDeviceRevoked {
					t.Errorf("on B after revocation through A: %v, want device_revoked", err)
				}
			})
		})
	}
}

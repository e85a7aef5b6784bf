package server_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/kek"
	"github.com/shcommunity/kiosk/codesvc/store/pgstore"
	"github.com/shcommunity/kiosk/codesvc/store/pgstore/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// pgDB makes a new database on this test binary's throwaway PostgreSQL
// and returns its opener; without PostgreSQL the test fails, unless
// pgtest.SkipEnv says to skip.
func pgDB(t testing.TB) opener {
	t.Helper()
	return pgDBOn(t, pgtest.SharedFor(t))
}

// pgDBOn makes a new database on c.
func pgDBOn(t testing.TB, c *pgtest.Cluster) opener {
	t.Helper()
	dsn, err := c.NewDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, kek.Size)
	return func(t testing.TB) store.Store {
		t.Helper()
		st, err := pgstore.Open(context.Background(), dsn, key, pgstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
}

// stopAtIntake is a store whose database goes away at a named point: when
// an enrolment reaches the store, after the request was authenticated.
type stopAtIntake struct {
	store.Store
	stop func()
}

func (s *stopAtIntake) Intake(ctx context.Context, req store.IntakeRequest) (store.Enrolment, bool, error) {
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
	return s.Store.Intake(ctx, req)
}

func (s *stopAtIntake) Ping(ctx context.Context) error {
	return s.Store.(interface{ Ping(context.Context) error }).Ping(ctx)
}

func (s *stopAtIntake) Unavailable(err error) bool {
	return s.Store.(interface{ Unavailable(error) bool }).Unavailable(err)
}

// TestDatabaseGoesAway: PostgreSQL stops in the middle of requests. The
// service answers 503 unavailable (not 500), records nothing of the
// enrolment or the event it was writing, and serves again once the
// database is back, without a restart of its own; the enrolment sent
// again is then stored, once.
func TestDatabaseGoesAway(t *testing.T) {
	c, err := pgtest.Start() // its own server: this test stops it
	if errors.Is(err, pgtest.ErrSkipped) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	base := pgDBOn(t, c)
	hook := &stopAtIntake{}
	e := newEnvOn(t, server.Options{}, func(t testing.TB) store.Store {
		hook.Store = base(t)
		return hook
	})
	ctx := context.Background()
	id := e.resident("19480314", 1, "王小明")
	stop := func() {
		if err := c.Stop(); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("enrolment mid-request", func(t *testing.T) {
		item := e.sealItem("goes-away-item-1", e.payload(idNumber(t, "19500101", 2), "张小三"))
		hook.stop = stop
		_, err := e.c.Enrol(ctx, []api.EnrolmentItem{item})
		var ae *api.Error
		if !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable || ae.Code != api.CodeUnavailable {
			t.Fatalf("enrol with the database gone: %v, want 503 unavailable", err)
		}
		if _, err := e.c.Status(ctx, id); apiCode(err) != api.CodeUnavailable {
			t.Errorf("status with the database gone: %v, want unavailable", err)
		}
		if st, body := get(t, e.srv.URL+"/readyz"); st != 503 || !strings.Contains(body, `"database":"unreachable"`) {
			t.Errorf("readyz with the database gone: %d %s", st, body)
		}
		if st, _ := get(t, e.srv.URL+"/healthz"); st != 200 {
			t.Errorf("healthz with the database gone: %d, want 200 (the process is alive)", st)
		}
		if err := c.Restart(); err != nil {
			t.Fatal(err)
		}
		if st, body := get(t, e.srv.URL+"/readyz"); st != 200 {
			t.Errorf("readyz once the database is back: %d %s", st, body)
		}
		if _, err := e.c.Status(ctx, id); err != nil {
			t.Fatalf("status once the database is back: %v", err)
		}
		for i, want := range []string{api.OutcomeAccepted, api.OutcomeDuplicate} {
			resp, err := e.c.Enrol(ctx, []api.EnrolmentItem{item})
			if err != nil {
				t.Fatal(err)
			}
			if got := resp.Results[0].Outcome; got != want {
				t.Errorf("enrolment sent again (%d): %s, want %s (nothing was half-written)", i, got, want)
			}
		}
	})

	t.Run("event mid-transaction", func(t *testing.T) {
		r, evs, err := e.svc.Store.ResidentByKey(ctx, e.svc.ResidentKey(id))
		if err != nil {
			t.Fatal(err)
		}
		// The scheduler runs inside AddEvent's transaction, after the
		// event's row was written: the database goes away there.
		_, err = e.svc.Store.AddEvent(ctx, r.ID, store.Event{Kind: string(rules.ArrivalKeyArea), At: e.clk.Now(), RecordedAt: e.clk.Now(), Source: "test"},
			func([]store.Event) []time.Time { stop(); return nil })
		if err == nil || !hook.Unavailable(err) {
			t.Fatalf("AddEvent with the database gone: %v, want an unavailable error", err)
		}
		if err := c.Restart(); err != nil {
			t.Fatal(err)
		}
		_, after, err := e.svc.Store.ResidentByKey(ctx, e.svc.ResidentKey(id))
		if err != nil || len(after) != len(evs) {
			t.Errorf("events after the failed transaction: %d, %v; want the %d from before", len(after), err, len(evs))
		}
	})
}

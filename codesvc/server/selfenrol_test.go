package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/store"
)

// TestSelfEnrolmentLimits: a self-service kiosk gets at most PerDevice
// self-enrolments accepted in its window and a resident at most
// PerResident in hers; over a limit the item is answered rate_limited and
// nothing is recorded, so the same item sent again after the window is
// accepted. Counter enrolments are not limited, and a duplicate is still
// answered as a duplicate.
func TestSelfEnrolmentLimits(t *testing.T) {
	e := newEnv(t, server.Options{SelfLimits: store.SelfLimits{PerDevice: 3, DeviceWindow: time.Hour, PerResident: 2, ResidentWindow: 24 * time.Hour}})
	ctx := context.Background()
	send := func(item api.EnrolmentItem) string {
		t.Helper()
		resp, err := e.c.Enrol(ctx, []api.EnrolmentItem{item})
		if err != nil {
			t.Fatal(err)
		}
		r := resp.Results[0]
		if r.Outcome == api.OutcomeRejected {
			return r.Reason
		}
		return r.Outcome
	}
	self := func(clientID string, birth string, n int) api.EnrolmentItem {
		p := e.payload(idNumber(t, birth, n), "李秀英")
		kiosk(&p)
		return e.sealItem(clientID, p)
	}
	for i := range 3 {
		if got := send(self(fmt.Sprintf("self-dev-%d", i), "19550922", 10+i)); got != api.OutcomeAccepted {
			t.Fatalf("self-enrolment %d: %s, want accepted", i, got)
		}
	}
	over := self("self-dev-3", "19550922", 13)
	if got := send(over); got != api.OutcomeRateLimited {
		t.Fatalf("fourth self-enrolment within the hour: %s, want rate_limited", got)
	}
	if got := send(self("self-dev-0", "19550922", 10)); got != api.OutcomeDuplicate {
		t.Errorf("the first item again: %s, want duplicate", got)
	}
	counter := e.sealItem("counter-1", e.payload(idNumber(t, "19550922", 20), "周建国"))
	if got := send(counter); got != api.OutcomeAccepted {
		t.Errorf("a counter enrolment over the self-service limit: %s, want accepted", got)
	}
	e.clk.Add(time.Hour + time.Second)
	if got := send(over); got != api.OutcomeAccepted {
		t.Fatalf("the deferred item after the window: %s, want accepted", got)
	}

	// The resident limit: the same card twice is fine, a third time in
	// the day is not, from this device or another.
	other, _ := e.register("kiosk-2")
	other.Now = e.clk.Now
	again := func(c *client.Client, clientID string) string {
		t.Helper()
		p := e.payload(idNumber(t, "19481111", 5), "王淑芬")
		kiosk(&p)
		p.DeviceID = c.DeviceID
		resp, err := c.Enrol(ctx, []api.EnrolmentItem{e.sealItem(clientID, p)})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Results[0].Outcome
	}
	e.clk.Add(2 * time.Hour)
	if a, b := again(e.c, "same-card-1"), again(other, "same-card-2"); a != api.OutcomeAccepted || b != api.OutcomeAccepted {
		t.Fatalf("the same resident twice: %s, %s; want accepted twice", a, b)
	}
	if got := again(other, "same-card-3"); got != api.OutcomeRateLimited {
		t.Errorf("the same resident a third time in a day: %s, want rate_limited", got)
	}
	e.clk.Add(24 * time.Hour)
	if got := again(other, "same-card-3"); got != api.OutcomeAccepted {
		t.Errorf("the same item a day later: %s, want accepted", got)
	}
}

package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/pii"
)

// TestWatch: the stuck-status watchdog lists, for the device, each
// resident whose status should have changed and did not, or was wrong for
// a while, with the reason, and no one else.
func TestWatch(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	day := 24 * time.Hour
	add := func(id pii.IDNumber, kind rules.EventKind, ago time.Duration) {
		t.Helper()
		if _, err := e.svc.AddEvent(ctx, id, kind, e.clk.Now().Add(-ago), "test"); err != nil {
			t.Fatal(err)
		}
	}
	stuck := idNumber(t, "19400501", 11)  // arrival ended a day ago; an open close contact keeps her yellow
	done := idNumber(t, "19400501", 12)   // arrival ended a day ago; green
	late := idNumber(t, "19400501", 13)   // an arrival recorded three days after it happened
	fresh := idNumber(t, "19400501", 14)  // a close contact three days old
	filed := idNumber(t, "19400501", 15)  // a correction waiting 24 hours and more
	filed2 := idNumber(t, "19400501", 16) // a correction waiting 2 hours
	refs := map[string]string{}
	for _, id := range []pii.IDNumber{stuck, done, late, fresh, filed, filed2} {
		refs[e.enrol(id, "李秀英").ResidentRef] = id.Masked()
	}
	// Events are recorded as they happen, except the late one.
	t0 := e.clk.Now()
	at := func(d time.Duration) { e.clk.Add(t0.Add(d).Sub(e.clk.Now())) }
	add(stuck, rules.CloseContactStart, 0)
	at(5 * day)
	add(stuck, rules.ArrivalKeyArea, 0)
	add(done, rules.ArrivalKeyArea, 0)
	at(17 * day)
	add(fresh, rules.CloseContactStart, 0)
	at(19*day + time.Hour)
	if _, err := e.c.FileCorrection(e.worker(), e.sealCorrection("corr-w001", filed, "the test was negative")); err != nil {
		t.Fatal(err)
	}
	at(20*day - 2*time.Hour)
	if _, err := e.c.FileCorrection(e.worker(), e.sealCorrection("corr-w002", filed2, "the test was negative")); err != nil {
		t.Fatal(err)
	}
	at(20 * day)
	add(late, rules.ArrivalKeyArea, 3*day)
	// Another device's resident, stuck as well, is not this device's.
	other, _ := e.register("kiosk-2")
	otherID := idNumber(t, "19400501", 17)
	e.enrolOn(other, "other-w001", e.payload(otherID, "孙丽"))
	add(otherID, rules.CloseContactStart, 30*day)
	at(20*day + time.Hour)

	list, err := e.c.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ who, reason, detail string }
	var got []row
	for _, w := range list.Residents {
		got = append(got, row{refs[w.ResidentRef], w.Reason, w.Detail})
		if w.MaskedID == "" || w.MaskedName == "" || w.Since.IsZero() || w.Colour == "" {
			t.Errorf("entry without its masked forms, instant or colour: %+v", w)
		}
	}
	want := []row{ // oldest first
		{stuck.Masked(), api.WatchContactOpen, ""},                        // due at day 14
		{late.Masked(), api.WatchLateEvent, string(rules.ArrivalKeyArea)}, // happened at day 17
		{stuck.Masked(), api.WatchStillYellow, rules.ReasonCloseContact},  // arrival ended at day 19
		{filed.Masked(), api.WatchCorrectionPending, ""},                  // filed at day 19, 1 h
	}
	if len(got) != len(want) {
		t.Fatalf("watch list %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

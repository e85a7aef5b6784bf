package syncer_test

import (
	"context"
	"testing"

	"github.com/shcommunity/kiosk/pii"
)

// TestOnlineFollowsEveryCall checks that Summary().Online changes with
// each call to the service between syncs, not only with a sync: the
// engine's own status look-ups, and calls other parts of the kiosk make
// with the remote's client (here the worker list, as the token and venue
// calls do).
func TestOnlineFollowsEveryCall(t *testing.T) {
	s := startService(t)
	k := newKiosk(t, s, "", start)
	ctx := context.Background()
	id := resident(t, 70, 1)
	k.enrol(t, id, 0)
	if err := k.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	steps := []struct {
		name string
		do   func()
		want bool
	}{
		{"after a sync", func() {}, true},
		{"status with the network cut", func() { s.cut(); k.eng.Status(ctx, id) }, false},
		{"status with the network back", func() { s.restore(); k.eng.Status(ctx, id) }, true},
		{"client call with the network cut", func() { s.cut(); k.rm.C.Workers(ctx) }, false},
		{"client call with the network back", func() { s.restore(); k.rm.C.Workers(ctx) }, true},
		{"status through a 500", func() { s.faults.set(fault500); k.eng.Status(ctx, id) }, false},
		// The service refusing the request itself (an ID number it
		// rejects) is the service answering.
		{"status refused as a bad request", func() { s.faults.set(faultNone); k.eng.Status(ctx, pii.IDNumber("310101194801010000")) }, true},
		// A call its caller gave up on says nothing about the service.
		{"cancelled call with the network cut", func() { s.cut(); k.eng.Status(cancelled, id); k.rm.C.Workers(cancelled) }, true},
		{"cancelled call after an offline call", func() { k.eng.Status(ctx, id); k.eng.Status(cancelled, id) }, false},
	}
	for _, st := range steps {
		st.do()
		sum := k.summary(t)
		if sum.Online != st.want {
			t.Errorf("%s: Online = %v, want %v", st.name, sum.Online, st.want)
		}
	}
	if sum := k.summary(t); sum.LastError != "" {
		t.Errorf("LastError = %q after calls that were not syncs, want the last sync's (none)", sum.LastError)
	}
}

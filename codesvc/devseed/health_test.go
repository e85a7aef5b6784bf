package devseed_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/devseed"
	"github.com/shcommunity/kiosk/codesvc/healthcloud"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/server/servertest"
)

// TestHealthSeedsTheSampleCloud: every seeded resident but those of
// NoHealthRecord has a record, with her check-up due two weeks after now;
// a service without the sample health cloud is refused.
func TestHealthSeedsTheSampleCloud(t *testing.T) {
	ctx := context.Background()
	cloud := &healthcloud.Sample{}
	svc := servertest.New(t, server.Options{Now: func() time.Time { return now }, HealthCloud: cloud})
	residents, err := devseed.Seed(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	if err := devseed.Health(svc); err != nil {
		t.Fatal(err)
	}
	with := 0
	for _, r := range residents {
		rec, err := cloud.Record(ctx, svc.HealthSubject(r.ID))
		switch {
		case devseed.NoHealthRecord[r.Label]:
			if !errors.Is(err, healthcloud.ErrNoRecord) {
				t.Errorf("%s: %+v, %v; want no record", r.Label, rec, err)
			}
		case err != nil:
			t.Errorf("%s: %v", r.Label, err)
		default:
			with++
			if rec.FamilyDoctor == "" || !rec.NextCheckUp.Equal(time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("%s: %+v; want a doctor and the check-up on 03-15", r.Label, rec)
			}
		}
	}
	if with == 0 || with == len(residents) {
		t.Errorf("%d of %d residents have a record; want some with and some without", with, len(residents))
	}
	if err := devseed.Health(newService(t)); err == nil {
		t.Error("Health on a service without the sample health cloud: no error")
	}
}

package devseed

import (
	"fmt"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/healthcloud"
	"github.com/shcommunity/kiosk/codesvc/server"
)

// NoHealthRecord lists the enrolled deck cards the sample health cloud
// has no record of, so that the demo shows the "no record" screen.
var NoHealthRecord = map[string]bool{"family-member": true}

// centres are the invented community health centres of the sample
// records, by deck label; a card not listed gets the first.
var centres = map[string][3]string{
	"resident-green":  {"陈医生", "南京东路街道社区卫生服务中心", "021-0000 0101"},
	"resident-yellow": {"刘医生", "田林街道社区卫生服务中心", "021-0000 0202"},
	"resident-red":    {"吴医生", "五角场街道社区卫生服务中心", "021-0000 0303"},
}

// Health puts an invented health-cloud record into the service's sample
// health cloud (Options.HealthCloud, a *healthcloud.Sample) for every
// resident Seed creates but those in NoHealthRecord, dated around the
// service's now: a family doctor and centre, last year's influenza dose,
// this year's check-up not yet done and due in two weeks, a follow-up
// visit in a week and a pneumococcal dose due in a month. Nobody has
// agreed to share yet: each resident gives her consent at the kiosk.
func Health(svc *server.Service) error {
	cloud, ok := svc.HealthCloud().(*healthcloud.Sample)
	if !ok {
		return fmt.Errorf("devseed: the service's health cloud is %T, not the sample", svc.HealthCloud())
	}
	now := svc.Now()
	cards, ids, err := deck(now)
	if err != nil {
		return err
	}
	day := func(d int) time.Time {
		y, m, dd := now.AddDate(0, 0, d).Date()
		return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	}
	for i, c := range cards {
		if NotEnrolled[c.Label] || NoHealthRecord[c.Label] {
			continue
		}
		who, ok := centres[c.Label]
		if !ok {
			who = centres["resident-green"]
		}
		cloud.Put(svc.HealthSubject(ids[i]), healthcloud.Record{FamilyDoctor: who[0], Centre: who[1], CentrePhone: who[2],
			LastCheckUp: day(-380), NextCheckUp: day(14), FollowUp: day(7),
			Vaccinations: []api.Vaccination{{Date: day(-400), Vaccine: api.VaccineInfluenza}, {Date: day(-40), Vaccine: api.VaccineInfluenza}},
			Due:          []api.Reminder{{Kind: api.ReminderVaccine, Date: day(30), Vaccine: api.VaccinePneumococcal}}})
	}
	return nil
}

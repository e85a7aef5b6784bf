package healthcloud

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
)

// ErrNoRecord: the health cloud has no record of the resident.
var ErrNoRecord = errors.New("health cloud: no record of the resident")

// Record is what the health cloud shares about one resident.
type Record struct {
	FamilyDoctor string // the contracted family doctor (家庭医生)
	Centre       string // her community health centre
	CentrePhone  string
	// LastCheckUp is the date of her last free annual check-up (zero:
	// none), NextCheckUp the next date offered.
	LastCheckUp  time.Time
	NextCheckUp  time.Time
	Vaccinations []api.Vaccination
	// FollowUp is the family doctor's next follow-up visit; zero for none.
	FollowUp time.Time
	// Due lists vaccines due, each from its date.
	Due []api.Reminder
}

// Directory answers for a resident by her pseudonym.
type Directory interface {
	// Record returns the resident's record, or ErrNoRecord.
	Record(ctx context.Context, subject string) (Record, error)
}

// None is a Directory with no records: a service not connected to a
// health cloud.
type None struct{}

// Record implements Directory.
func (None) Record(context.Context, string) (Record, error) { return Record{}, ErrNoRecord }

// Sample is an in-memory Directory. The zero value is empty and ready.
type Sample struct {
	mu sync.RWMutex
	m  map[string]Record
}

// Put sets the record of the resident with this pseudonym.
func (s *Sample) Put(subject string, r Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]Record)
	}
	s.m[subject] = r
}

// Record implements Directory.
func (s *Sample) Record(_ context.Context, subject string) (Record, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.m[subject]
	if !ok {
		return Record{}, ErrNoRecord
	}
	return r, nil
}

// CheckUpAge is the age from which the annual check-up is free
// (老年人免费体检).
const CheckUpAge = 65

// Services is the record as a kiosk shows it on day now to a resident of
// the given age (ok false: unknown): the check-up only from CheckUpAge,
// and the reminders: this year's check-up if it is not done, the
// follow-up visit and the vaccines due, each once its date is near
// (within remindAhead) or past.
func (r Record) Services(now time.Time, age int, ageKnown bool) api.HealthServices {
	out := api.HealthServices{FamilyDoctor: r.FamilyDoctor, Centre: r.Centre, CentrePhone: r.CentrePhone,
		Vaccinations: append([]api.Vaccination{}, r.Vaccinations...), Reminders: []api.Reminder{}}
	if ageKnown && age >= CheckUpAge {
		done := !r.LastCheckUp.IsZero() && r.LastCheckUp.Year() == now.Year()
		out.CheckUp = &api.CheckUp{Year: now.Year(), Done: done, Next: r.NextCheckUp}
		if !done {
			out.Reminders = append(out.Reminders, api.Reminder{Kind: api.ReminderCheckUp, Date: r.NextCheckUp})
		}
	}
	if !r.FollowUp.IsZero() && !r.FollowUp.Before(now.AddDate(0, 0, -1)) {
		out.Reminders = append(out.Reminders, api.Reminder{Kind: api.ReminderFollowUp, Date: r.FollowUp})
	}
	for _, d := range r.Due {
		if d.Date.Before(now.Add(remindAhead)) {
			out.Reminders = append(out.Reminders, d)
		}
	}
	return out
}

// remindAhead is how long before its date a vaccine due is shown.
const remindAhead = 60 * 24 * time.Hour

package flow

import (
	"context"
	"errors"
	"time"
)

// The steps of a resident's own questions, after her paper code, while
// her card is on the reader.
const (
	// StepLooking: her question is on its way to the service.
	StepLooking Step = "looking"
	// StepAccess: 谁查询过我, who looked her up in the last 30 days,
	// grouped by place and purpose, one page at a time.
	StepAccess Step = "access"
	// StepHealthConsent: the one-time consent to see her health services
	// here (recorded with HealthConsentVersion), with 同意 and 不同意.
	StepHealthConsent Step = "health_consent"
	// StepHealth: 我的健康服务, her family doctor, check-up, vaccinations
	// and what is due.
	StepHealth Step = "health"
	// StepNoHealthRecord: the health cloud has no record of her.
	StepNoHealthRecord Step = "no_health_record"
)

// HealthConsentVersion names the consent text the health-consent screen
// shows (package i18n, HealthConsent*): the service records it with her
// agreement. A change of the words is a new version, here and in the
// service's api.HealthConsentVersion (package wire's tests hold them
// together).
const HealthConsentVersion = "health-services-2026-11"

// AccessGroup is one line of 谁查询过我: the accesses to her code at one
// place for one purpose, how many, the first and the last. Purpose is
// the service's code for it (docs/api.md, "Purposes and access
// records"), which package i18n words.
type AccessGroup struct {
	Place       string
	Purpose     string
	Count       int
	First, Last time.Time
}

// HealthServices is what the health cloud shares with her, as the
// service answers it: the family doctor and her community health
// centre, the free annual check-up (only from 65), the doses given and
// what is due. The codes of a vaccine and of a reminder's kind are the
// service's (docs/api.md), which package i18n words.
type HealthServices struct {
	FamilyDoctor, Centre, CentrePhone string
	CheckUp                           *CheckUp
	Vaccinations                      []Vaccination
	Reminders                         []Reminder
	// ConsentVersion is the consent text she agreed to.
	ConsentVersion string
}

// CheckUp is this year's free check-up: done, or when it is next
// offered.
type CheckUp struct {
	Year int
	Done bool
	Next time.Time
}

// Vaccination is one dose given.
type Vaccination struct {
	Date    time.Time
	Vaccine string
}

// Reminder is one thing due from Date: a check-up, a family doctor's
// follow-up, or a dose of Vaccine.
type Reminder struct {
	Kind    string
	Date    time.Time
	Vaccine string
}

// The kinds of a Reminder, as the service writes them.
const (
	ReminderCheckUp  = "check_up"
	ReminderVaccine  = "vaccine"
	ReminderFollowUp = "doctor_follow_up"
)

// AccessPageSize is how many groups of access records one page shows in
// large type.
const AccessPageSize = 4

// PrivacyBackend answers a resident's own questions at a self-service
// kiosk. Nothing it returns is cached: each answer comes from the service
// while her card is on the reader, and leaves with her. A Backend that is
// also a PrivacyBackend offers the questions on the done screen.
type PrivacyBackend interface {
	// AccessRecords is who looked her up in the last 30 days, grouped by
	// place and purpose, the latest first.
	AccessRecords(ctx context.Context, r Resident) (AccessList, error)
	// HealthServices is what the health cloud shares with her; it
	// returns ErrConsentRequired until she agreed (or after she withdrew
	// at a counter), ErrNoHealthRecord when the health cloud does not
	// know her.
	HealthServices(ctx context.Context, r Resident) (HealthServices, error)
	// AgreeHealth records her agreement to the consent text of version.
	AgreeHealth(ctx context.Context, r Resident, version string) error
}

// SheetPrinter prints a resident's own answers on a slip of words in
// large type; a Printer that is one offers 打印 on those screens.
type SheetPrinter interface {
	PrintAccess(ctx context.Context, who Who, a AccessList) error
	PrintHealth(ctx context.Context, who Who, h HealthServices) error
}

// Who is the resident as a sheet names her: masked.
type Who struct {
	MaskedName, MaskedID string
}

// Errors a PrivacyBackend returns for the flow to act on.
var (
	// ErrConsentRequired: she has not agreed to see her health services
	// here, or withdrew: the consent screen, and nothing else.
	ErrConsentRequired = errors.New("health services: consent required")
	// ErrNoHealthRecord: the health cloud has no record of her.
	ErrNoHealthRecord = errors.New("health services: no record")
)

// AccessList is who looked a resident up since Since.
type AccessList struct {
	Since  time.Time
	Groups []AccessGroup
	More   bool // there were more groups than the service lists
}

// AccessView is the page of an AccessList on screen.
type AccessView struct {
	Since time.Time
	Rows  []AccessGroup // this page's groups
	Page  int           // from 0
	Pages int           // at least 1
	Total int           // groups in the list; 0 says "nobody"
	More  bool
}

// SheetState is what became of 打印 on a question's screen.
type SheetState string

// The sheet states.
const (
	SheetNone     SheetState = ""
	SheetPrinting SheetState = "printing"
	SheetPrinted  SheetState = "printed"
	SheetFailed   SheetState = "failed"
)

// privateStep reports whether s shows one of her answers.
func privateStep(s Step) bool {
	return s == StepLooking || s == StepAccess || s == StepHealthConsent || s == StepHealth || s == StepNoHealthRecord
}

// privacy is the backend's PrivacyBackend, or nil.
func (st *selfState) privacy() PrivacyBackend {
	p, _ := st.Backend.(PrivacyBackend)
	return p
}

// asking reports whether she may ask a question now: the flow has a
// PrivacyBackend, her own card is on the reader, and her paper code is
// done (or she is on another question's screen).
func (st *selfState) asking() bool {
	return st.own() && !st.busy &&
		(st.view.Step == StepDone || privateStep(st.view.Step) && st.view.Step != StepLooking)
}

// own reports whether her own card, read and valid, is on the reader of
// a kiosk that answers her questions.
func (st *selfState) own() bool {
	_, ok := st.card.Resident()
	return ok && st.privacy() != nil && st.view.CardOn
}

// her is the resident of the card on the reader.
func (st *selfState) her() Resident {
	r, _ := st.card.Resident()
	return r
}

// AccessRecords is 谁查询过我.
func (s *SelfService) AccessRecords() {
	s.do(func(st *selfState) {
		st.touch()
		if !st.asking() {
			return
		}
		r := st.her()
		st.looking()
		st.async(func(ctx context.Context) func(*selfState) {
			a, err := st.privacy().AccessRecords(ctx, r)
			return func(st *selfState) {
				if !st.answered() {
					return
				}
				if err != nil {
					st.serviceFailed("Access records not read", err)
					return
				}
				st.access = a
				st.view.Step = StepAccess
				st.showPage(0)
			}
		}, true)
	})
}

// HealthServices is 我的健康服务: the services, or the consent screen
// first, or the "no record" screen.
func (s *SelfService) HealthServices() {
	s.do(func(st *selfState) {
		st.touch()
		if !st.asking() {
			return
		}
		st.health(st.her(), "")
	})
}

// AgreeHealth is 同意 on the health-consent screen: her agreement is
// recorded with HealthConsentVersion, then her services are shown.
func (s *SelfService) AgreeHealth() {
	s.on(StepHealthConsent, func(st *selfState) {
		if st.asking() {
			st.health(st.her(), HealthConsentVersion)
		}
	})
}

// DeclineHealth is 不同意 on the health-consent screen: nothing is
// recorded and she is back at her paper code.
func (s *SelfService) DeclineHealth() {
	s.on(StepHealthConsent, func(st *selfState) { st.backToCode() })
}

// NextPage and PrevPage turn the pages of 谁查询过我.
func (s *SelfService) NextPage() { s.turn(1) }

// PrevPage: see NextPage.
func (s *SelfService) PrevPage() { s.turn(-1) }

func (s *SelfService) turn(d int) {
	s.on(StepAccess, func(st *selfState) { st.showPage(st.view.Access.Page + d) })
}

// PrintSheet is 打印 on 谁查询过我 or 我的健康服务: what is on screen goes
// on a slip in large type.
func (s *SelfService) PrintSheet() {
	s.do(func(st *selfState) {
		st.touch()
		sp, ok := st.Printer.(SheetPrinter)
		if !ok || st.view.Sheet == SheetPrinting || st.view.Step != StepAccess && st.view.Step != StepHealth {
			return
		}
		who := Who{MaskedName: st.view.MaskedName, MaskedID: st.view.MaskedID}
		step, a, h := st.view.Step, st.access, st.view.Health
		st.view.Sheet = SheetPrinting
		st.publish()
		st.async(func(ctx context.Context) func(*selfState) {
			var err error
			if step == StepAccess {
				err = sp.PrintAccess(ctx, who, a)
			} else {
				err = sp.PrintHealth(ctx, who, *h)
			}
			return func(st *selfState) {
				if st.view.Step != step {
					return
				}
				st.view.Sheet = SheetPrinted
				if err != nil {
					st.log.Warn("Sheet not printed", "err", err)
					st.view.Sheet, st.view.SheetProblem = SheetFailed, PrintProblem(err)
				}
				st.publish()
			}
		}, true)
	})
}

// BackToCode is 返回 on her questions' screens: back to her paper code,
// with nothing of the answers left on screen.
func (s *SelfService) BackToCode() {
	s.do(func(st *selfState) {
		st.touch()
		if privateStep(st.view.Step) && st.view.Step != StepLooking {
			st.backToCode()
		}
	})
}

// health asks for her services, after recording her agreement to version
// when it is set.
func (st *selfState) health(r Resident, version string) {
	st.looking()
	st.async(func(ctx context.Context) func(*selfState) {
		pb := st.privacy()
		if version != "" {
			if err := pb.AgreeHealth(ctx, r, version); err != nil {
				return func(st *selfState) {
					if st.answered() {
						st.serviceFailed("Health consent not recorded", err)
					}
				}
			}
		}
		h, err := pb.HealthServices(ctx, r)
		return func(st *selfState) {
			if !st.answered() {
				return
			}
			switch {
			case errors.Is(err, ErrConsentRequired):
				st.view.Step = StepHealthConsent
			case errors.Is(err, ErrNoHealthRecord):
				st.view.Step = StepNoHealthRecord
			case err != nil:
				st.serviceFailed("Health services not read", err)
				return
			default:
				st.view.Step, st.view.Health = StepHealth, &h
			}
			st.publish()
		}
	}, true)
}

// looking shows that her question is on its way.
func (st *selfState) looking() {
	st.clearAnswers()
	st.view.Step = StepLooking
	st.busy = true
	st.publish()
}

// answered takes an answer in: it is shown only if she is still there,
// card on the reader, waiting for it.
func (st *selfState) answered() bool {
	st.busy = false
	if st.view.Step != StepLooking || !st.view.CardOn {
		return false
	}
	return true
}

// showPage shows page p of the access list, kept within the pages.
func (st *selfState) showPage(p int) {
	gs := st.access.Groups
	pages := max(1, (len(gs)+AccessPageSize-1)/AccessPageSize)
	p = min(max(p, 0), pages-1)
	lo, hi := p*AccessPageSize, min((p+1)*AccessPageSize, len(gs))
	st.view.Access = AccessView{Since: st.access.Since, Rows: gs[lo:hi:hi], Page: p, Pages: pages, Total: len(gs), More: st.access.More}
	st.publish()
}

// clearAnswers drops her answers from the view and the flow.
func (st *selfState) clearAnswers() {
	st.access = AccessList{}
	st.view.Access, st.view.Health = AccessView{}, nil
	st.view.Sheet, st.view.SheetProblem = SheetNone, ProblemNone
}

// backToCode returns to the done screen of her paper code.
func (st *selfState) backToCode() {
	st.clearAnswers()
	st.busy = false
	st.view.Step = StepDone
	st.publish()
	st.armIdle()
}

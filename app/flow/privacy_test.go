package flow_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
)

// privacyBackend is a fakeBackend that answers a resident's own
// questions: her access list, and her health services once she agreed.
type privacyBackend struct {
	*fakeBackend
	mu       sync.Mutex
	groups   []flow.AccessGroup
	consent  map[string]string // plain ID number: version agreed
	records  map[string]flow.HealthServices
	asked    int // access or health questions received
	agreed   []string
	agreeErr error
}

func newPrivacyBackend() *privacyBackend {
	return &privacyBackend{fakeBackend: newFakeBackend(), consent: map[string]string{}, records: map[string]flow.HealthServices{}}
}

func (b *privacyBackend) AccessRecords(ctx context.Context, r flow.Resident) (flow.AccessList, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.asked++
	return flow.AccessList{Since: asOf.Add(-30 * 24 * time.Hour), Groups: b.groups}, nil
}

func (b *privacyBackend) HealthServices(ctx context.Context, r flow.Resident) (flow.HealthServices, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.asked++
	if b.consent[r.Number.Reveal()] == "" {
		return flow.HealthServices{}, flow.ErrConsentRequired
	}
	h, ok := b.records[r.Number.Reveal()]
	if !ok {
		return flow.HealthServices{}, flow.ErrNoHealthRecord
	}
	return h, nil
}

func (b *privacyBackend) AgreeHealth(ctx context.Context, r flow.Resident, version string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.agreeErr != nil {
		return b.agreeErr
	}
	b.agreed = append(b.agreed, version)
	b.consent[r.Number.Reveal()] = version
	return nil
}

func (b *privacyBackend) withdraw(id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.consent, id)
}

func (b *privacyBackend) questions() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.asked
}

// sheetPrinter is a fakePrinter that prints sheets too.
type sheetPrinter struct {
	*fakePrinter
	mu     sync.Mutex
	access []flow.AccessList
	health []flow.HealthServices
	who    []flow.Who
}

func (p *sheetPrinter) PrintAccess(ctx context.Context, who flow.Who, a flow.AccessList) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.access, p.who = append(p.access, a), append(p.who, who)
	return nil
}

func (p *sheetPrinter) PrintHealth(ctx context.Context, who flow.Who, h flow.HealthServices) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.health, p.who = append(p.health, h), append(p.who, who)
	return nil
}

func privacyHarness(t *testing.T) (*harness, *privacyBackend, *sheetPrinter) {
	h := newHarness(t)
	b := newPrivacyBackend()
	b.fakeBackend = h.b
	sp := &sheetPrinter{fakePrinter: h.p}
	h.s.Backend, h.s.Printer = b, sp
	return h, b, sp
}

func groups(n int) []flow.AccessGroup {
	out := make([]flow.AccessGroup, n)
	for i := range out {
		at := asOf.Add(-time.Duration(i) * time.Hour)
		out[i] = flow.AccessGroup{Place: fmt.Sprintf("场所%d", i), Purpose: "venue_entry", Count: 1, First: at, Last: at}
	}
	return out
}

// TestAccessRecordsPaged: after her paper code, with her card on the
// reader, 谁查询过我 shows her list a page at a time; the pages stop at
// both ends; 打印 prints the whole list, masked; lifting the card takes
// the list off the screen.
func TestAccessRecordsPaged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, b, sp := privacyHarness(t)
		b.groups = groups(2*flow.AccessPageSize + 1)
		h.start()
		defer h.stop()
		h.place(card("张三丰", greenID), nil)
		if v := h.s.View(); v.Step != flow.StepDone || !v.CanAsk {
			t.Fatalf("step %q, can ask %v; want done and the questions offered", v.Step, v.CanAsk)
		}
		v := h.do(h.s.AccessRecords)
		if v.Step != flow.StepAccess || v.Access.Pages != 3 || v.Access.Page != 0 || len(v.Access.Rows) != flow.AccessPageSize ||
			v.Access.Total != len(b.groups) || v.Access.Rows[0].Place != "场所0" {
			t.Fatalf("access view = %+v", v.Access)
		}
		h.do(h.s.PrevPage)
		if p := h.s.View().Access.Page; p != 0 {
			t.Errorf("before the first page: page %d", p)
		}
		h.do(h.s.NextPage)
		h.do(h.s.NextPage)
		h.do(h.s.NextPage)
		if a := h.s.View().Access; a.Page != 2 || len(a.Rows) != 1 || a.Rows[0].Place != fmt.Sprintf("场所%d", 2*flow.AccessPageSize) {
			t.Errorf("last page = %+v", a)
		}
		if v := h.do(h.s.PrintSheet); v.Sheet != flow.SheetPrinted || len(sp.access) != 1 || len(sp.access[0].Groups) != len(b.groups) ||
			sp.who[0].MaskedName != "张*丰" {
			t.Errorf("after 打印: sheet %q, printed %d lists, who %+v", v.Sheet, len(sp.access), sp.who)
		}
		h.remove()
		if v := h.s.View(); v.Step != flow.StepDone || v.Access.Total != 0 || len(v.Access.Rows) != 0 || v.CanAsk {
			t.Errorf("after the card was lifted: step %q, access %+v, can ask %v", v.Step, v.Access, v.CanAsk)
		}
		h.do(h.s.AccessRecords)
		if n := b.questions(); n != 1 || h.s.View().Step != flow.StepDone {
			t.Errorf("asking without the card: %d questions sent, step %q", n, h.s.View().Step)
		}
	})
}

// TestAccessRecordsEmpty: nobody looked her up: the list says so on one
// page.
func TestAccessRecordsEmpty(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, _, _ := privacyHarness(t)
		h.start()
		defer h.stop()
		h.place(card("张三丰", greenID), nil)
		if v := h.do(h.s.AccessRecords); v.Step != flow.StepAccess || v.Access.Total != 0 || v.Access.Pages != 1 {
			t.Errorf("empty list: step %q, %+v", v.Step, v.Access)
		}
	})
}

// TestHealthConsentOnce: the first 我的健康服务 asks her consent; 同意
// records it with the text's version and shows her services; the next
// visit goes straight to them; 不同意 records nothing.
func TestHealthConsentOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, b, sp := privacyHarness(t)
		b.records[greenID] = flow.HealthServices{FamilyDoctor: "陈医生"}
		h.start()
		defer h.stop()
		h.place(card("张三丰", greenID), nil)
		if v := h.do(h.s.HealthServices); v.Step != flow.StepHealthConsent || v.Health != nil {
			t.Fatalf("first time: step %q, health %+v; want the consent screen and nothing else", v.Step, v.Health)
		}
		if v := h.do(h.s.DeclineHealth); v.Step != flow.StepDone || len(b.agreed) != 0 {
			t.Fatalf("不同意: step %q, agreed %v", v.Step, b.agreed)
		}
		h.do(h.s.HealthServices)
		if v := h.do(h.s.AgreeHealth); v.Step != flow.StepHealth || v.Health == nil || v.Health.FamilyDoctor != "陈医生" ||
			len(b.agreed) != 1 || b.agreed[0] != flow.HealthConsentVersion {
			t.Fatalf("同意: step %q, health %+v, agreed %v", v.Step, v.Health, b.agreed)
		}
		h.do(h.s.PrintSheet)
		if len(sp.health) != 1 || sp.health[0].FamilyDoctor != "陈医生" {
			t.Errorf("打印: %d health sheets", len(sp.health))
		}
		if v := h.do(h.s.BackToCode); v.Step != flow.StepDone || v.Health != nil {
			t.Errorf("返回: step %q, health %+v", v.Step, v.Health)
		}
		h.remove()
		h.place(card("张三丰", greenID), nil)
		if v := h.do(h.s.HealthServices); v.Step != flow.StepHealth || len(b.agreed) != 1 {
			t.Errorf("second visit: step %q, agreed %d times; want her services at once", v.Step, len(b.agreed))
		}
	})
}

// TestHealthBadInput: a resident the health cloud does not know gets the
// "no record" screen; a consent withdrawn at a counter between two
// visits brings back the consent screen and shows nothing; a service
// failure while agreeing is a problem, not her services.
func TestHealthBadInput(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, b, _ := privacyHarness(t)
		b.records[greenID] = flow.HealthServices{FamilyDoctor: "陈医生"}
		b.consent[greenID], b.consent[yellowID] = flow.HealthConsentVersion, flow.HealthConsentVersion
		h.start()
		defer h.stop()
		h.place(card("李秀英", yellowID), nil)
		if v := h.do(h.s.HealthServices); v.Step != flow.StepNoHealthRecord || v.Health != nil {
			t.Errorf("no record: step %q, health %+v", v.Step, v.Health)
		}
		h.remove()
		h.place(card("张三丰", greenID), nil)
		if v := h.do(h.s.HealthServices); v.Step != flow.StepHealth {
			t.Fatalf("before the withdrawal: step %q", v.Step)
		}
		h.remove()
		b.withdraw(greenID)
		h.place(card("张三丰", greenID), nil)
		if v := h.do(h.s.HealthServices); v.Step != flow.StepHealthConsent || v.Health != nil {
			t.Errorf("after the withdrawal: step %q, health %+v; want the consent screen only", v.Step, v.Health)
		}
		b.agreeErr = flow.ErrServiceUnavailable
		if v := h.do(h.s.AgreeHealth); v.Step != flow.StepError || v.Problem != flow.ProblemServiceDown || v.Health != nil {
			t.Errorf("agreeing while the service is down: step %q, problem %q", v.Step, v.Problem)
		}
	})
}

// TestQuestionsSpeak: each screen of her questions says its prompt once
// when it appears (turning a page says nothing again), 打印 says that the
// slip is out, and no answer is ever a prompt: the words are the same
// for everyone.
func TestQuestionsSpeak(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, b, _ := privacyHarness(t)
		b.groups = groups(flow.AccessPageSize + 1)
		h.start()
		defer h.stop()
		h.place(card("张三丰", greenID), nil)
		from := len(h.saidSoFar())
		h.do(h.s.AccessRecords)
		h.do(h.s.NextPage)
		h.do(h.s.PrintSheet)
		h.do(h.s.BackToCode)
		h.do(h.s.HealthServices)
		h.do(h.s.DeclineHealth)
		h.remove()
		h.place(card("李秀英", yellowID), nil)
		h.do(h.s.HealthServices)
		h.do(h.s.AgreeHealth)
		b.mu.Lock()
		b.records[greenID], b.consent[greenID] = flow.HealthServices{FamilyDoctor: "陈医生"}, flow.HealthConsentVersion
		b.groups = nil
		b.mu.Unlock()
		h.remove()
		h.place(card("张三丰", greenID), nil)
		h.do(h.s.HealthServices)
		h.do(h.s.BackToCode)
		h.do(h.s.AccessRecords)
		var got []flow.Prompt
		for _, p := range h.saidSoFar()[from:] {
			switch p {
			case flow.PromptChecking, flow.PromptPrinting, flow.PromptTakeSlip:
				continue // her paper codes and the looking between
			}
			got = append(got, p)
		}
		want := []flow.Prompt{flow.PromptAccessRecords, flow.PromptSheetPrinted, flow.PromptHealthConsent,
			flow.PromptHealthConsent, flow.PromptNoHealthRecord, flow.PromptHealthServices, flow.PromptAccessNone}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("said %v, want %v", got, want)
		}
	})
}

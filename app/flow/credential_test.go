package flow_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/pii"
)

// credentialBackend is a fakeBackend that issues medical-visit
// credentials, or fails with err.
type credentialBackend struct {
	*fakeBackend
	mu    sync.Mutex
	asked []flow.Resident
	err   error
}

func (b *credentialBackend) MedicalCredential(ctx context.Context, r flow.Resident) (flow.Ticket, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.asked = append(b.asked, r)
	if b.err != nil {
		return flow.Ticket{}, b.err
	}
	t := flow.Ticket{Kind: flow.TicketCredential, MaskedName: r.Name.Masked(), MaskedID: r.Number.Masked(), QR: "SSJ1:TEST",
		TokenID: "CRED", IssuedAt: asOf, ExpiresAt: asOf.Add(24 * 3600e9), Serial: "0002", Source: r.Source}
	if r.CardNumber != "" {
		t.MaskedCardNumber = r.CardNumber.Masked()
	}
	return t, nil
}

func (b *credentialBackend) residents() []flow.Resident {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.asked)
}

func credentialHarness(t *testing.T) (*harness, *credentialBackend) {
	h := newHarness(t)
	b := &credentialBackend{fakeBackend: h.b}
	h.s.Backend = b
	return h, b
}

// TestMedicalCredentialSSC: after her paper code, with her
// social-security card in the reader, 打印就医凭证 asks for a credential
// with her card number and prints it with no colour; it is offered once
// per code and not without her card.
func TestMedicalCredentialSSC(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, b := credentialHarness(t)
		h.start()
		defer h.stop()
		h.insertSSC(sscCard("李秀英", yellowID), nil)
		if v := h.s.View(); v.Step != flow.StepDone || !v.CanCredential {
			t.Fatalf("step %q, can credential %v; want done and 打印就医凭证 offered", v.Step, v.CanCredential)
		}
		v := h.do(h.s.MedicalCredential)
		rs := b.residents()
		if len(rs) != 1 || rs[0].CardNumber != pii.IDNumber("D00000002") || rs[0].Number.Reveal() != yellowID {
			t.Fatalf("credentials asked for %+v; want one, with her card number", rs)
		}
		if v.Step != flow.StepDone || v.Ticket.Kind != flow.TicketCredential || v.Ticket.MaskedCardNumber != "D****0002" ||
			v.Ticket.Status.HasColour() || v.CanCredential {
			t.Errorf("after 打印就医凭证: %+v", v)
		}
		printed := printedBy(h.p)
		if len(printed) != 2 || printed[1].Kind != flow.TicketCredential {
			t.Errorf("printed %+v; want her code, then the credential", printed)
		}
		if said := h.saidSoFar(); said[len(said)-1] != flow.PromptSheetPrinted {
			t.Errorf("said last %q, want %q", said[len(said)-1], flow.PromptSheetPrinted)
		}
		h.do(h.s.ReadAloud)
		if said := h.saidSoFar(); said[len(said)-1] != flow.PromptSheetPrinted {
			t.Errorf("读给我听 on a credential said %q: it has no colour", said[len(said)-1])
		}
		h.do(h.s.MedicalCredential)
		if n := len(b.residents()); n != 1 {
			t.Errorf("a second touch asked %d times", n)
		}
	})
}

// TestMedicalCredentialRefused: without the card, or when the service
// cannot issue one, nothing is printed; the failure is the service's
// problem on screen.
func TestMedicalCredentialRefused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h, b := credentialHarness(t)
		h.start()
		defer h.stop()
		h.place(card("张三丰", greenID), nil)
		h.remove()
		h.do(h.s.MedicalCredential)
		if n := len(b.residents()); n != 0 || h.s.View().CanCredential {
			t.Errorf("card lifted: %d asked, offered %v", n, h.s.View().CanCredential)
		}
		h.place(card("张三丰", greenID), nil)
		b.err = flow.ErrServiceUnavailable
		if v := h.do(h.s.MedicalCredential); v.Step != flow.StepError || v.Problem != flow.ProblemServiceDown || len(printedBy(h.p)) != 2 {
			t.Errorf("service down: step %q, problem %q, %d printed", v.Step, v.Problem, len(printedBy(h.p)))
		}
		if rs := b.residents(); len(rs) != 1 || rs[0].CardNumber != "" {
			t.Errorf("an ID card's request: %+v; want no card number", rs)
		}
		if !errors.Is(b.err, flow.ErrServiceUnavailable) {
			t.Fatal("the fake lost its error")
		}
	})
}

// printedBy is what the fake printer printed so far.
func printedBy(p *fakePrinter) []flow.Ticket {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.printed)
}

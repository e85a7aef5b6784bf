package flow

import "context"

// CredentialBackend issues a medical-visit credential (就医凭证): a slip
// for a hospital's registration desk with a signed token of its own kind,
// valid for a day, that a venue refuses. A Backend that is one offers
// 打印就医凭证 on the done screen of a new paper code. There is no
// offline credential: only the service can issue one.
type CredentialBackend interface {
	// MedicalCredential issues one for the resident (with her
	// social-security card's number when she used that card) and returns
	// its ticket (TicketCredential).
	MedicalCredential(ctx context.Context, r Resident) (Ticket, error)
}

// credentialOffered reports whether 打印就医凭证 may be touched now: the
// backend issues credentials, her own card is on the reader, nothing is
// under way, and her new paper code is out (so the service answers).
func (st *selfState) credentialOffered() bool {
	_, ok := st.Backend.(CredentialBackend)
	_, hers := st.card.Resident()
	return ok && hers && st.view.CardOn && !st.busy && st.view.Step == StepDone && st.view.Ticket.Kind == TicketCode
}

// MedicalCredential is 打印就医凭证: a credential is asked for the
// resident whose card is on the reader and printed like her code, then
// shown on the done screen in its place.
func (s *SelfService) MedicalCredential() {
	s.do(func(st *selfState) {
		st.touch()
		if !st.credentialOffered() {
			return
		}
		cb := st.Backend.(CredentialBackend)
		r := st.her()
		st.view.Step = StepChecking
		st.busy = true
		st.publish()
		st.async(func(ctx context.Context) func(*selfState) {
			t, err := cb.MedicalCredential(ctx, r)
			return func(st *selfState) {
				if err != nil {
					st.busy = false
					st.serviceFailed("No medical-visit credential", err)
					return
				}
				st.log.Info("Medical-visit credential issued")
				st.print(t)
			}
		}, true)
	})
}

// credentialPrompt is what the credential's screens say: nothing while it
// prints (the screen says what is printing), then to take it.
func credentialPrompt(v SelfView) (string, Prompt) {
	key := string(v.Step) + "/credential"
	if v.Step == StepPrinting {
		return key, PromptNone
	}
	return key, PromptSheetPrinted
}

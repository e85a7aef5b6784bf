package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/sealbox"
)

// credentialKeep is how long a medical-visit credential's row stays
// after it expires, so a desk that scans it late is told "expired"
// rather than "unknown"; then IssueCredential purges it, sealed data and
// all.
const credentialKeep = 7 * 24 * time.Hour

// credentialSealed is what the service keeps of a credential only
// sealed: what a registration desk may see.
type credentialSealed struct {
	Name       string `json:"name"`
	Gender     string `json:"gender,omitempty"`
	BirthDate  string `json:"birth_date,omitempty"`
	CardNumber string `json:"card_number,omitempty"`
}

// validCardNumber reports whether s is a social-security card's number:
// nine capital letters or digits.
func validCardNumber(s string) bool {
	return len(s) == 9 && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z')
	}) < 0
}

// IssueCredential signs a medical-visit credential (就医凭证, valid
// token.CredentialValidity) for the enrolled resident with this ID
// number, presented with her social-security card whose number is card
// ("" for an ID card). It keeps the token ID, the resident, the times
// and, sealed to the service's own key, her enrolled name, gender, birth
// date and card number. It fails with ErrNotEnrolled, ErrUnknownWorker,
// or ErrInvalidField for a card number that is not nine capital letters
// or digits.
func (s *Service) IssueCredential(ctx context.Context, deviceID, workerID string, id, card pii.IDNumber) (api.CredentialResponse, error) {
	if card != "" && !validCardNumber(card.Reveal()) {
		return api.CredentialResponse{}, fmt.Errorf("%w: card_number must be nine capital letters or digits", ErrInvalidField)
	}
	r, _, err := s.forIssue(ctx, workerID, id)
	if err != nil {
		return api.CredentialResponse{}, err
	}
	// The look-up by key leaves out the sealed contact; the row has it.
	if r, _, _, err = s.Store.ResidentByID(ctx, r.ID); err != nil {
		return api.CredentialResponse{}, err
	}
	sg, err := s.currentSigner(ctx)
	if err != nil {
		return api.CredentialResponse{}, err
	}
	now := s.Now().Truncate(time.Second)
	tid, err := token.NewTokenID(s.opt.Rand)
	if err != nil {
		return api.CredentialResponse{}, err
	}
	c := token.Credential{TokenID: tid, IssuedAt: now, ExpiresAt: now.Add(token.CredentialValidity),
		MaskedName: token.CompactName(r.MaskedName, token.MaxCredentialNameBytes)}
	text, err := sg.SignCredential(c)
	if err != nil {
		return api.CredentialResponse{}, fmt.Errorf("sign credential: %w", err)
	}
	sealed, err := s.sealCredential(r, id, card, c.TokenIDString())
	if err != nil {
		return api.CredentialResponse{}, err
	}
	sc := store.Credential{ID: c.TokenIDString(), ResidentID: r.ID, KeyID: sg.KeyID(), IssuedAt: now, ExpiresAt: c.ExpiresAt,
		DeviceID: deviceID, WorkerID: workerID, Sealed: sealed}
	if err := s.Store.IssueCredential(ctx, sc, now.Add(-credentialKeep)); err != nil {
		return api.CredentialResponse{}, err
	}
	resp := api.CredentialResponse{TokenID: sc.ID, Text: text, IssuedAt: now, ExpiresAt: sc.ExpiresAt, KeyID: sc.KeyID,
		MaskedName: r.MaskedName, MaskedID: r.MaskedID}
	if card != "" {
		resp.MaskedCardNumber = card.Masked()
	}
	return resp, nil
}

// sealCredential seals what a desk may see of the resident to the
// service's own key, bound to the credential's token ID: her name as
// enrolled (from her sealed contact), gender and birth date from her ID
// number, and the card number.
func (s *Service) sealCredential(r store.Resident, id, card pii.IDNumber, tokenID string) ([]byte, error) {
	plain, err := sealbox.Open(s.sealing, r.ContactSealed, []byte(contactInfo))
	if err != nil {
		return nil, fmt.Errorf("resident's contact: %w", ErrUnsealable)
	}
	defer clear(plain)
	var ct contact
	if err := json.Unmarshal(plain, &ct); err != nil {
		return nil, fmt.Errorf("resident's contact: %w", ErrUnsealable)
	}
	cs := credentialSealed{Name: ct.Name, CardNumber: card.Reveal()}
	switch id.Gender() {
	case 1:
		cs.Gender = api.GenderMale
	case 2:
		cs.Gender = api.GenderFemale
	}
	if b, ok := id.BirthDate(); ok {
		cs.BirthDate = b.Format(time.DateOnly)
	}
	b, err := json.Marshal(cs)
	if err != nil {
		return nil, err
	}
	defer clear(b)
	return sealbox.Seal(s.sealing.Public(), b, []byte(api.CredentialSealInfo+tokenID))
}

// CredentialDetails is a hospital desk's look-up of a medical-visit
// credential by its token ID, with the key of the resident it is about.
// An expired credential, or one whose signing key was revoked, answers
// its state and times and nothing of the resident. store.ErrNotFound for
// an ID never issued or purged.
func (s *Service) CredentialDetails(ctx context.Context, tokenID string) (api.CredentialDetails, []byte, error) {
	c, err := s.Store.Credential(ctx, tokenID)
	if err != nil {
		return api.CredentialDetails{}, nil, err
	}
	r, _, _, err := s.Store.ResidentByID(ctx, c.ResidentID)
	if err != nil {
		return api.CredentialDetails{}, nil, err
	}
	out := api.CredentialDetails{TokenID: c.ID, State: api.StateActive, IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt}
	revoked, err := s.keyRevoked(ctx, c.KeyID)
	switch {
	case err != nil:
		return api.CredentialDetails{}, nil, err
	case revoked:
		out.State = api.StateRevoked
	case !s.Now().Before(c.ExpiresAt):
		out.State = api.StateExpired
	}
	if out.State != api.StateActive {
		return out, r.Key, nil
	}
	plain, err := sealbox.Open(s.sealing, c.Sealed, []byte(api.CredentialSealInfo+c.ID))
	if err != nil {
		return api.CredentialDetails{}, nil, fmt.Errorf("credential %s: %w", c.ID, ErrUnsealable)
	}
	defer clear(plain)
	var cs credentialSealed
	if err := json.Unmarshal(plain, &cs); err != nil {
		return api.CredentialDetails{}, nil, fmt.Errorf("credential %s: %w", c.ID, ErrUnsealable)
	}
	out.Name, out.Gender, out.BirthDate, out.CardNumber = cs.Name, cs.Gender, cs.BirthDate, cs.CardNumber
	return out, r.Key, nil
}

// issueCredential is POST /v1/credentials.
func (h *Handler) issueCredential(w http.ResponseWriter, r *http.Request, c *call) {
	var req api.CredentialRequest
	a, id, ok := h.forCard(w, r, c, &req, &req.Purpose, &req.IDNumber, &req.WorkerID)
	if !ok {
		return
	}
	resp, err := h.svc.IssueCredential(r.Context(), c.deviceID, a.worker, id, pii.IDNumber(req.CardNumber))
	err = h.recorded(r.Context(), aboutHer(err), a, err, h.svc.ResidentKey(id))
	h.answer(w, http.StatusCreated, resp, err)
}

// credentialDetails is GET /v1/credentials/{token_id}, a hospital desk's.
func (h *Handler) credentialDetails(w http.ResponseWriter, r *http.Request, c *call) {
	byToken(h, w, r, c, h.svc.CredentialDetails)
}

package api

import "time"

// CredentialRequest is POST /v1/credentials: a medical-visit credential
// (就医凭证) for the resident with this ID number, for a hospital's
// registration desk. CardNumber is her social-security card's own number
// (卡号, nine capital letters or digits) when she presented that card,
// and empty with an ID card; the service keeps it only sealed.
type CredentialRequest struct {
	IDNumber   string  `json:"id_number"`
	CardNumber string  `json:"card_number,omitempty"`
	Purpose    Purpose `json:"purpose"`
	WorkerID   string  `json:"worker_id,omitempty"`
}

// CredentialResponse is a freshly signed medical-visit credential: the
// QR text and what its slip prints beside it, all masked.
// MaskedCardNumber is empty when no card number was given.
type CredentialResponse struct {
	TokenID          string    `json:"token_id"`
	Text             string    `json:"text"` // the QR content, "SSJ1:…"
	IssuedAt         time.Time `json:"issued_at"`
	ExpiresAt        time.Time `json:"expires_at"`
	KeyID            string    `json:"key_id"`
	MaskedName       string    `json:"masked_name"`
	MaskedID         string    `json:"masked_id"`
	MaskedCardNumber string    `json:"masked_card_number,omitempty"`
}

// Genders of CredentialDetails.
const (
	GenderMale   = "male"
	GenderFemale = "female"
)

// CredentialDetails is GET /v1/credentials/{token_id}, a hospital
// registration desk's look-up: only what registration needs. The name is
// in full, because a registration is made in it; a desk shows it and
// never logs it. The personal fields are set only while State is
// StateActive; an expired credential answers its state and times alone.
type CredentialDetails struct {
	TokenID   string    `json:"token_id"`
	State     string    `json:"state"` // StateActive or StateExpired
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Name      string    `json:"name,omitempty"`
	Gender    string    `json:"gender,omitempty"`     // GenderMale, GenderFemale, or "" when the number does not say
	BirthDate string    `json:"birth_date,omitempty"` // YYYY-MM-DD, from the ID number
	// CardNumber is the social-security card's number, in full; empty
	// when the credential was issued on an ID card.
	CardNumber string `json:"card_number,omitempty"`
}

// CredentialSealInfo is the HPKE info string of what the service keeps
// sealed of a credential, followed by the credential's token ID, so a box
// copied to another row does not open.
const CredentialSealInfo = "codesvc-credential-v1:"

package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/verify"
	"github.com/shcommunity/kiosk/pii"
)

// IssueCredential asks for a medical-visit credential (就医凭证) for the
// resident; req.CardNumber is her social-security card's number when she
// presented it.
func (c *Client) IssueCredential(ctx context.Context, req api.CredentialRequest) (api.CredentialResponse, error) {
	req.Purpose = c.declared(ctx, req.Purpose)
	return call[api.CredentialResponse](ctx, c, http.MethodPost, "/v1/credentials", req)
}

// Credential is a hospital desk's look-up of a medical-visit credential
// by its token ID.
func (c *Client) Credential(ctx context.Context, tokenID string) (api.CredentialDetails, error) {
	return get[api.CredentialDetails](ctx, c, "/v1/credentials/"+url.PathEscape(tokenID), c.purposeQuery(ctx))
}

// Registration implements verify.Registry, for the purpose in ctx or the
// client's. The service's unknown_token answer matches
// verify.ErrUnknownToken (and stays an *api.Error too).
func (c *Client) Registration(ctx context.Context, tokenID string) (verify.Registration, error) {
	d, err := c.Credential(ctx, tokenID)
	if err != nil {
		return verify.Registration{}, unknownToken(err)
	}
	r := verify.Registration{State: d.State, Name: pii.Name(d.Name), CardNumber: pii.IDNumber(d.CardNumber)}
	switch d.Gender {
	case api.GenderMale:
		r.Gender = verify.GenderMale
	case api.GenderFemale:
		r.Gender = verify.GenderFemale
	}
	if d.BirthDate != "" {
		b, err := time.Parse(time.DateOnly, d.BirthDate)
		if err != nil {
			return verify.Registration{}, fmt.Errorf("credential: birth_date: %w", err)
		}
		r.BirthDate = b
	}
	return r, nil
}

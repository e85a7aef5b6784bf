package wire

import (
	"context"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
)

// MedicalCredential implements flow.CredentialBackend: the service issues
// a medical-visit credential for the resident, with her social-security
// card's number when she used that card. Only the service can: without a
// client, or when it does not answer, it is flow.ErrServiceUnavailable.
func (b *Backend) MedicalCredential(ctx context.Context, r flow.Resident) (flow.Ticket, error) {
	if b.Client == nil {
		return flow.Ticket{}, flow.ErrServiceUnavailable
	}
	p := api.PurposeSelfService
	if b.WorkerID != "" {
		p = api.PurposeCounter
	}
	ctx, cancel := context.WithTimeout(client.WithPurpose(ctx, p), b.timeout())
	defer cancel()
	c, err := b.Client.IssueCredential(ctx, api.CredentialRequest{IDNumber: r.Number.Reveal(), CardNumber: r.CardNumber.Reveal(),
		WorkerID: b.WorkerID})
	if err != nil {
		return flow.Ticket{}, classify(err)
	}
	return flow.Ticket{Kind: flow.TicketCredential, MaskedName: c.MaskedName, MaskedID: c.MaskedID,
		MaskedCardNumber: c.MaskedCardNumber, QR: c.Text, TokenID: c.TokenID, IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt,
		Serial: newSerial(), Source: r.Source}, nil
}

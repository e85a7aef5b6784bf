package client

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/pii"
)

type purposeKey struct{}

// WithPurpose returns a context whose requests about a resident declare
// p, for a call that goes through code that does not carry a purpose
// itself (a verifier's live check, the sync engine's status look-up). A
// purpose in a request's own body wins over it.
func WithPurpose(ctx context.Context, p api.Purpose) context.Context {
	return context.WithValue(ctx, purposeKey{}, p)
}

// PurposeOf is the purpose WithPurpose put in ctx, or "".
func PurposeOf(ctx context.Context) api.Purpose {
	p, _ := ctx.Value(purposeKey{}).(api.Purpose)
	return p
}

// purpose is the purpose a request declares: the context's, else the
// client's.
func (c *Client) purpose(ctx context.Context) api.Purpose {
	if p := PurposeOf(ctx); p != "" {
		return p
	}
	return c.Purpose
}

// declared is p if the request set one, else purpose.
func (c *Client) declared(ctx context.Context, p api.Purpose) api.Purpose {
	if p != "" {
		return p
	}
	return c.purpose(ctx)
}

// purposeQuery is the query of a GET that declares the purpose.
func (c *Client) purposeQuery(ctx context.Context) url.Values {
	return url.Values{api.ParamPurpose: {string(c.purpose(ctx))}}
}

// pageQuery is the query of a GET of one page after cursor, at most limit
// entries: the purpose, and the cursor and the limit when set.
func (c *Client) pageQuery(ctx context.Context, cursor string, limit int) url.Values {
	q := c.purposeQuery(ctx)
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	return q
}

// AccessRecords asks who looked the resident up in the last
// api.AccessWindow (谁查询过我); at a counter, workerID is the worker
// serving her.
func (c *Client) AccessRecords(ctx context.Context, id pii.IDNumber, workerID string) (api.AccessResponse, error) {
	req := api.AccessRequest{IDNumber: id.Reveal(), Purpose: c.purpose(ctx), WorkerID: workerID}
	return call[api.AccessResponse](ctx, c, http.MethodPost, "/v1/access-records", req)
}

// HealthServices asks for the resident's health services; the service
// answers consent_required until she agreed, no_health_record when the
// health cloud has none.
func (c *Client) HealthServices(ctx context.Context, id pii.IDNumber, workerID string) (api.HealthServices, error) {
	req := api.HealthRequest{IDNumber: id.Reveal(), Purpose: c.purpose(ctx), WorkerID: workerID}
	return call[api.HealthServices](ctx, c, http.MethodPost, "/v1/health-services", req)
}

// HealthConsent records the resident's agreement (given, to the text of
// version) or its withdrawal.
func (c *Client) HealthConsent(ctx context.Context, id pii.IDNumber, given bool, version, workerID string) (api.HealthConsent, error) {
	req := api.HealthConsentRequest{IDNumber: id.Reveal(), Purpose: c.purpose(ctx), WorkerID: workerID, Given: given, Version: version}
	return call[api.HealthConsent](ctx, c, http.MethodPost, "/v1/health-consent", req)
}

// ResidentCodes asks for the resident's status and paper codes, for the
// worker workerID serving her at a counter (the context carries her
// session and api.PurposeCounter).
func (c *Client) ResidentCodes(ctx context.Context, id pii.IDNumber, workerID string) (api.CodesResponse, error) {
	req := api.CodesRequest{IDNumber: id.Reveal(), Purpose: c.purpose(ctx), WorkerID: workerID}
	return call[api.CodesResponse](ctx, c, http.MethodPost, "/v1/resident-codes", req)
}

// Export reads one page of the export to the health cloud after cursor,
// as the raw body and its X-Export-Signature, which the caller checks
// against the service's trust root (VerifyExport) before it trusts the
// page.
func (c *Client) Export(ctx context.Context, cursor string, limit int) (body []byte, signature string, err error) {
	var raw rawResponse
	if err := c.do(ctx, http.MethodGet, "/v1/export?"+c.pageQuery(ctx, cursor, limit).Encode(), nil, &raw, true); err != nil {
		return nil, "", err
	}
	return raw.body, raw.header.Get(api.HeaderExportSignature), nil
}

// rawResponse is an answer kept as it came, with its headers.
type rawResponse struct {
	body   []byte
	header http.Header
}

// VerifyExport checks an export page's signature against the service's
// trust root and decodes it.
func VerifyExport(root ed25519.PublicKey, body []byte, signature string) (api.ExportPage, error) {
	sig, err := base64.RawURLEncoding.DecodeString(signature)
	if err != nil || !ed25519.Verify(root, api.ExportSignedText(body), sig) {
		return api.ExportPage{}, ErrExportSignature
	}
	var page api.ExportPage
	if err := api.DecodeBytes(body, &page); err != nil {
		return api.ExportPage{}, fmt.Errorf("export page: %w", err)
	}
	return page, nil
}

// ErrExportSignature: an export page whose signature does not verify
// against the service's trust root.
var ErrExportSignature = errors.New("export page: signature does not verify")

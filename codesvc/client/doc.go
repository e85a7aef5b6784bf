// Package client is the Go client of the code service's /v1 API
// (docs/api.md). It authenticates requests as the device: under a session
// (HMAC-SHA256 of api.CanonicalString with a key agreed through an
// Ed25519-signed X25519 exchange, docs/api.md "Sessions") when the service
// offers one, otherwise with an Ed25519 signature per request. It keeps
// track of the service's clock from the X-Server-Time header, and returns
// failures as *api.Error so callers act on stable codes. It implements
// verify.Live for the venue check.
package client

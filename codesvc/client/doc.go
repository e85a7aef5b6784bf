// Package client is the Go client of the code service's /v1 API
// (docs/api.md). It signs every request with the device's Ed25519 key
// (api.CanonicalString), keeps track of the service's clock from the
// X-Server-Time header, and returns failures as *api.Error so callers act
// on stable codes. It implements verify.Live for the venue check.
package client

// Package syncer is the kiosk's sync engine: it writes every change that
// must reach the code service to the outbox in the same transaction as the
// change, pushes the outbox in order with the client IDs as idempotency
// keys, pulls the status feed, the revocations and the trust list by
// cursor, answers status questions without ever showing a stale green,
// keeps the call list, and logs community workers in offline.
//
// The wire protocol is the reference code service's /v1 API (package
// codesvc/api, docs/api.md); the design, its failure model and its
// anchors (CommCare's ordered submission and quarantine, ODK's
// client-generated instance IDs, DHIS2's "sync on reconnect" bug) are in
// docs/sync.md.
package syncer

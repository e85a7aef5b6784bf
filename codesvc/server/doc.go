// Package server is the reference central code service: the HTTP/JSON
// API of docs/api.md over a store.Store, plus the operations the admin
// commands share with it.
//
// Service holds the logic (device registration, sealed enrolment intake,
// status lookups through rules.Evaluate, paper-code tokens, the feed, the
// trust list, corrections, workers); Handler puts it on HTTP with signed
// requests (api.CanonicalString) or sessions (HMAC-SHA256 of the same
// string, docs/api.md "Sessions"), strict JSON decoding, size limits and
// stable error codes. Sessions and the replay cache live in the store,
// not in the process, so several instances may serve one database
// (docs/api.md, "Shared state: several instances"). Colours are never cached: every answer is computed by
// rules.Evaluate at the moment of the request, and scheduled changes are
// derived from the events (store.Scheduler) rather than applied by a job.
package server

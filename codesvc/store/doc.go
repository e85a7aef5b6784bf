// Package store defines the code service's storage: the domain records it
// keeps (devices, residents keyed by a keyed hash of the ID number, events,
// tokens, prints, enrolments, corrections, workers, keys) and the Store
// interface the server uses. Every method that changes anything is one
// transaction: a caller never sees half of a change.
//
// The interface is shaped by the service's use cases rather than by tables
// so that a networked database can implement it later; sqlitestore is the
// reference implementation. No personal data is stored in the clear: a
// resident is a key (HMAC-SHA256 of the ID number), masked forms for paper,
// and a contact record sealed to the service's own sealing key.
package store

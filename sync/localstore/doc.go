// Package localstore is the kiosk's on-disk state: one SQLite file holding
// the outbox, the status cache, the paper codes this kiosk printed, the
// call list, the community workers (for offline login), the hash-chained
// audit log and the device's settings.
//
// It follows the data rules of the system description (docs/sync.md and
// /ARCHITECTURE.md, "Invariants"): no plain name or ID number is written
// outside a payload sealed to the code service's public key (package
// sealbox, RFC 9180); residents are looked up by a keyed hash
// (HMAC-SHA256, RFC 2104, with a per-device secret); acknowledged outbox
// items are purged after a retention period. The SQLite settings follow
// the SQLite documentation on WAL mode, synchronous and quick_check
// (https://sqlite.org/pragma.html) and the project's storage conventions
// (ARCHITECTURE.md, "Conventions"): the database is opened in one place,
// the schema is numbered embedded migrations, and every write goes
// through InTx.
package localstore

// Package sqlitestore implements store.Store on SQLite through
// mattn/go-sqlite3, following the project's storage conventions
// (ARCHITECTURE.md, "Conventions"): SQLite is opened through
// internal/sqldb with each setting explained (open.go), every write goes
// through sqldb.InTx, and the schema is a set of numbered, embedded
// migrations applied by sqldb's runner (migrations/README.md).
//
// It keeps two pools on the same file: a single-connection writer (writes
// are serialised anyway, and BEGIN IMMEDIATE takes the write lock up front
// so two writers never deadlock on a lock upgrade) and a read-only pool for
// the hot read path (status lookups, device checks), whose statements are
// prepared once. WAL lets readers run beside the writer.
//
// Private keys and secrets (the secrets and signing_keys tables) are
// stored wrapped with a key-encryption key that is not in the database
// (kek.go): AES-256-GCM (NIST SP 800-38D) with the row's table and key as
// additional data, so a copy of the file signs nothing and opens no sealed
// enrolment, and a wrapped value moved to another row does not open.
package sqlitestore

// Package sqldb is what the kiosk's local store (sync/localstore) and the
// code service's store (codesvc/store/sqlitestore) share about SQL: the
// one place SQLite is opened (Open, with WAL, foreign keys, a busy timeout
// and immediate transactions), the one transaction helper (InTx, which
// rolls back on an error or a panic), the one migration runner
// (Migrations: numbered SQL files embedded in the binary, each applied
// once in its own transaction and recorded in a schema_migrations table,
// safe when two processes start at once), the one way a time is stored
// (ToDB and FromDB: integer Unix nanoseconds, 0 for "not set") and the one
// loop that reads a query's rows (All).
//
// The runner's Dialect is the seam for a PostgreSQL store: it names the
// lock every runner on a database takes first and how statements take
// their arguments; README.md says how to write a migration.
//
// The SQLite settings follow the SQLite documentation on WAL mode, locking
// and the pragmas (https://sqlite.org/wal.html,
// https://sqlite.org/lang_transaction.html, https://sqlite.org/pragma.html).
// It imports only the standard library and the SQLite driver, and knows
// nothing of either store.
package sqldb

// Package sqlitestore is the code service's store on SQLite through
// mattn/go-sqlite3: the statements of package sqlstore in SQLite's
// dialect, on a file opened through internal/sqldb with each setting
// explained (open.go), with the schema as numbered, embedded migrations
// applied by sqldb's runner (migrations/README.md). It is the store of
// serve --dev, the demo and a single small site; pgstore is the one for
// several instances.
//
// It keeps two pools on the same file: a single-connection writer (writes
// are serialised anyway, and BEGIN IMMEDIATE takes the write lock up front
// so two writers never deadlock on a lock upgrade) and a read-only pool for
// the hot read path (status lookups, device and session checks). WAL lets
// readers run beside the writer, and several processes on one file share
// sessions and nonces through it as instances on PostgreSQL do.
//
// Private keys and secrets are stored wrapped with a key-encryption key
// that is not in the database (codesvc/store/kek), kept in a key file next
// to it unless the environment gives it; a database from before wrapping
// is wrapped when it is first opened (kek.go).
package sqlitestore

// Package pgstore implements store.Store on PostgreSQL through pgx's
// database/sql driver (github.com/jackc/pgx/v5/stdlib), for a service that
// runs as several identical instances on one database. The statements are
// package sqlstore's, shared with the SQLite store; this package gives
// them PostgreSQL's dialect, opens the pool, applies its migrations
// (migrations/README.md) with internal/sqldb's runner and checks the
// key-encryption key (codesvc/store/kek), which wraps private keys,
// secrets and session keys exactly as in the SQLite store.
//
// Writes take turns on one transaction-scoped advisory lock, as on
// SQLite's single writer: the feed relies on changes committing in the
// order of their sequence numbers. Reads, the replay cache's one-statement
// insert and the status lookup do not take it, and run in parallel on
// every instance.
package pgstore

// Package sqlstore is the code service's store.Store written once in the
// SQL that SQLite and PostgreSQL share, through database/sql, following
// the project's storage conventions (ARCHITECTURE.md, "Conventions"):
// every write is one transaction (sqldb.InTx), secrets, private keys and
// session keys are wrapped with the key-encryption key (codesvc/store/kek)
// and times are Unix nanoseconds (sqldb.ToDB).
//
// What differs between the engines is a Dialect: placeholders (? or $n),
// the one aggregate the status lookup uses, a write lock for an engine
// whose writers run in parallel, and which errors mean a unique key or a
// database out of reach. sqlitestore and pgstore open their database,
// migrate it with their own files (one scheme: the same numbers and names)
// and hand the pools to New; the contract suite in package store runs
// every test on both.
//
// The hot path (the status lookup's resident, the session with its
// device, the device of a signed request, the nonce insert) uses
// statements prepared once.
package sqlstore

// Package kek keeps the code service's private keys and secrets out of its
// database in the clear, for every store alike: they are wrapped with a
// key-encryption key (KEK) that is not in the database, with AES-256-GCM
// (NIST SP 800-38D) and the row's table and key as additional data, so a
// copy of the database signs nothing and opens no sealed enrolment, and a
// wrapped value moved to another row does not open.
//
// The KEK comes from a key file next to a SQLite database (LoadFile,
// created with mode 0600 on first use) or from the CODESERVICE_KEK
// environment variable (Parse), as a platform's secret store injects it.
// Check verifies a KEK against a database's check row and wraps any value
// still in the clear, in the caller's transaction, in either store's SQL.
package kek

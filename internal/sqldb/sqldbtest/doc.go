// Package sqldbtest helps the stores' tests check that databases of
// earlier releases keep working: it unpacks such a database, kept
// gzip-compressed in a store's testdata folder, into a file of the test's
// own, and reads the schema_migrations table the runner keeps. Only tests
// import it.
package sqldbtest

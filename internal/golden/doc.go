// Package golden keeps what a test expects in a file of its testdata
// folder: the test reads the file back, or rewrites it first when run
// with -update. Only tests import it.
package golden

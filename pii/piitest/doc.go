// Package piitest makes the valid ID numbers that tests give their
// invented residents. Only tests import it.
package piitest

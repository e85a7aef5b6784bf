// Package crashpoint names the places in the kiosk's write and sync paths
// where a crash test makes the process die: after an enqueue commits,
// around a push's HTTP request, before the push's acknowledgement
// commits, in the middle of a feed page and of a trust-list update, and
// between a slip leaving for the printer and its print being recorded.
// The code calls Hit at each point.
//
// Only a binary built with the build tag crashpoints can die there: it
// reads KIOSK_CRASH_AT ("point:k") when it starts and kills itself
// (SIGKILL on Unix) at the k-th pass through that point, after one line
// on standard error that says so, so that a crash lands at the same place
// on any machine, however fast. Without the tag (every binary the project
// ships) Hit is an empty function the compiler removes at each call site,
// Armed is the constant false and nothing reads the variable:
// BenchmarkHit compares a loop with a point in it against the same loop
// without.
package crashpoint

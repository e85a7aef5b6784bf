//go:build unix

package server_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) this process has used. A
// benchmark divides its increase by the lookups: unlike lookups/s, that
// cost barely moves with the load other programs put on a shared machine.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return -1
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

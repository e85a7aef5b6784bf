//go:build !linux

package pgtest

import (
	"errors"
	"time"
)

var errNoProc = errors.New("process times are read from /proc, which only Linux has")

// CPU is the processor time the server has used so far (Linux only).
func (c *Cluster) CPU() (time.Duration, error) { return 0, errNoProc }

// ProcessCPU reads a process's processor time (Linux only).
func ProcessCPU(pid int, children bool) (time.Duration, int, error) { return 0, 0, errNoProc }

package pgtest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of /proc/<pid>/stat's times: USER_HZ, 100 on
// every Linux that Debian ships.
const clockTick = 10 * time.Millisecond

// CPU is the processor time the server has used so far: the postmaster
// and every backend, live or ended (an ended backend's time is in its
// parent's children times). A benchmark divides its increase by the
// requests to count the database's share of a request's cost.
func (c *Cluster) CPU() (time.Duration, error) {
	b, err := os.ReadFile(filepath.Join(c.data(), "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		return 0, fmt.Errorf("postmaster.pid: %w", err)
	}
	own, _, err := ProcessCPU(pid, true)
	if err != nil {
		return 0, err
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		t, ppid, err := ProcessCPU(child, false)
		if err == nil && ppid == pid {
			own += t
		}
	}
	return own, nil
}

// ProcessCPU reads a process's user and system time from
// /proc/<pid>/stat, with its waited-for children's when children is set,
// and its parent's ID.
func ProcessCPU(pid int, children bool) (time.Duration, int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// The command name in parentheses may hold spaces: fields count from
	// the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state): ppid is field 4, utime 14, stime 15,
	// cutime 16, cstime 17.
	if len(f) < 15 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	num := func(field int) int64 { n, _ := strconv.ParseInt(f[field-3], 10, 64); return n }
	ticks := num(14) + num(15)
	if children {
		ticks += num(16) + num(17)
	}
	return time.Duration(ticks) * clockTick, int(num(4)), nil
}

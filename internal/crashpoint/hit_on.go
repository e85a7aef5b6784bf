//go:build crashpoints

package crashpoint

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
)

// Enabled reports whether this binary was built with the tag crashpoints.
const Enabled = true

var state = struct {
	mu     sync.Mutex
	target Point
	at     int
	armed  bool
	passes map[Point]int
}{passes: map[Point]int{}}

func init() {
	v := os.Getenv(EnvVar)
	if v == "" {
		return
	}
	name, k, ok := strings.Cut(v, ":")
	n, err := strconv.Atoi(k)
	p, known := Parse(name)
	if !ok || err != nil || n < 1 || !known {
		fmt.Fprintf(os.Stderr, "crashpoint: %s=%q is not point:k with a known point and k ≥ 1\n", EnvVar, v)
		os.Exit(2)
	}
	state.target, state.at, state.armed = p, n, true
}

// Hit marks a pass through p and, at the pass KIOSK_CRASH_AT names,
// says so on standard error and kills the process.
func Hit(p Point) {
	state.mu.Lock()
	state.passes[p]++
	die := state.armed && p == state.target && state.passes[p] == state.at
	state.mu.Unlock()
	if !die {
		return
	}
	fmt.Fprintf(os.Stderr, "crashpoint: killed at %s pass %d\n", p, state.at)
	if self, err := os.FindProcess(os.Getpid()); err == nil {
		self.Kill() // SIGKILL: no deferred function runs, nothing is flushed
	}
	select {} // the kill is on its way; nothing more may happen here
}

// Armed reports whether a crash was asked for (KIOSK_CRASH_AT).
func Armed() bool { return state.armed }

// Passes returns how many times each point was passed so far.
func Passes() map[Point]int {
	state.mu.Lock()
	defer state.mu.Unlock()
	out := make(map[Point]int, len(state.passes))
	for p, n := range state.passes {
		out[p] = n
	}
	return out
}

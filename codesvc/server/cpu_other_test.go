//go:build !unix

package server_test

import "time"

// processCPU is unknown here; the benchmark then omits cpu_us/lookup.
func processCPU() time.Duration { return -1 }

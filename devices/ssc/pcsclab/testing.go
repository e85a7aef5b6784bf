package pcsclab

import (
	"context"
	"os"
)

// SkipEnv names the variable that, set to 1, makes the tests of the real
// PC/SC stack skip instead of failing where pcscd cannot run.
const SkipEnv = "KIOSK_SKIP_PCSC"

// Skipped reports whether SkipEnv asks to skip the real stack.
func Skipped() bool { return os.Getenv(SkipEnv) == "1" }

// StartForTests is Start for a test binary's TestMain: nothing when
// Skipped, the default lab otherwise.
func StartForTests() (*Lab, error) {
	if Skipped() {
		return nil, nil
	}
	return Start(context.Background(), nil)
}

// M is the part of testing.M that RunTests uses.
type M interface{ Run() int }

// RunTests is the body of a test binary's TestMain: it starts the lab
// with StartForTests into *lab and *err, runs the tests, stops the lab
// that *lab then holds and returns the code to exit with.
func RunTests(m M, lab **Lab, err *error) int {
	*lab, *err = StartForTests()
	code := m.Run()
	if *lab != nil {
		(*lab).Stop()
	}
	return code
}

// TB is the part of testing.TB that Need uses (this package does not
// import testing).
type TB interface {
	Helper()
	Skipf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Need returns the lab StartForTests gave, skips the test when Skipped,
// and fails it with what went wrong and what to do when the lab could
// not start.
func Need(tb TB, l *Lab, err error) *Lab {
	tb.Helper()
	if Skipped() {
		tb.Skipf("%s=1: the real PC/SC stack is not tested", SkipEnv)
	}
	if err != nil || l == nil {
		tb.Fatalf("cannot start pcscd with the vpcd driver (scripts/deps.sh installs them; %s=1 skips these tests): %v", SkipEnv, err)
	}
	return l
}

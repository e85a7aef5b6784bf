package campaign_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/shcommunity/kiosk/app/campaign"
	"github.com/shcommunity/kiosk/internal/crashpoint"
)

var (
	kills = flag.Int("campaign.kills", 50, "kills the crash campaign makes (make crash: 1000)")
	seed  = flag.Uint64("campaign.seed", 1, "the crash campaign's seed")
)

// TestMain makes this test binary the campaign's kiosk when ChildEnv is
// set.
func TestMain(m *testing.M) {
	if os.Getenv(campaign.ChildEnv) == "1" {
		if err := campaign.Child(context.Background(), os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "campaign child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestCrashCampaign kills the kiosk at every crash point, many times, and
// requires that nothing was lost, duplicated or marked printed without
// its slip. A kill lands at a named pass of a named point, so the test
// proves the same on any machine; `make crash` runs it with a thousand
// kills.
func TestCrashCampaign(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the campaign's kiosk kills itself with SIGKILL")
	}
	tab, err := campaign.Run(context.Background(), campaign.Options{
		Binary: childBinary(t), Args: []string{"-test.run=^$"},
		Kills: *kills, Seed: *seed, Dir: t.TempDir(), Progress: testWriter{t},
	})
	t.Logf("\n%s", tab)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range crashpoint.All() {
		if tab.Kills[p] == 0 {
			t.Errorf("no kill at %s", p)
		}
	}
	if tab.TotalKills() < *kills {
		t.Errorf("%d kills, want %d", tab.TotalKills(), *kills)
	}
	if !tab.Clean() {
		t.Error("the campaign lost, duplicated or mis-marked something (see the table)")
	}
	if tab.Committed == 0 || tab.Prints == 0 {
		t.Errorf("the kiosk committed %d enrolments and recorded %d prints: the campaign exercised nothing", tab.Committed, tab.Prints)
	}
}

// childBinary is this package's test binary built with the tag
// crashpoints (and the race detector when this one has it), or this very
// binary when it has the tag already.
func childBinary(t *testing.T) string {
	t.Helper()
	if crashpoint.Enabled {
		bin, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		return bin
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the go command is needed to build the campaign's kiosk: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "campaign-child.test")
	args := []string{"test", "-c", "-tags", "crashpoints", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.Command(goBin, append(args, ".")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the campaign's kiosk: %v\n%s", err, out)
	}
	return bin
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(string(b))
	return len(b), nil
}

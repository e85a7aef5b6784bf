package main

import (
	"os"
	"testing"

	"github.com/shcommunity/kiosk/devices/ssc/pcsclab"
)

var (
	lab    *pcsclab.Lab
	labErr error
)

func TestMain(m *testing.M) {
	// The child of TestReadSSCNoService must not start a lab: its PC/SC
	// socket is meant to lead nowhere.
	if os.Getenv("KIOSKCTL_CHILD") == "1" {
		os.Exit(m.Run())
	}
	os.Exit(pcsclab.RunTests(m, &lab, &labErr))
}

// needLab returns the private pcscd, or fails (skips with
// KIOSK_SKIP_PCSC=1).
func needLab(t *testing.T) *pcsclab.Lab {
	t.Helper()
	return pcsclab.Need(t, lab, labErr)
}

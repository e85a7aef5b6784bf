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
	if os.Getenv("KIOSKCTL_CHILD") != "1" {
		lab, labErr = pcsclab.StartForTests()
	}
	code := m.Run()
	if lab != nil {
		lab.Stop()
	}
	os.Exit(code)
}

// needLab returns the private pcscd, or fails (skips with
// KIOSK_SKIP_PCSC=1).
func needLab(t *testing.T) *pcsclab.Lab {
	t.Helper()
	return pcsclab.Need(t, lab, labErr)
}

package main

import (
	"context"
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
	if os.Getenv("KIOSK_SKIP_PCSC") != "1" && os.Getenv("KIOSKCTL_CHILD") != "1" {
		lab, labErr = pcsclab.Start(context.Background(), nil)
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
	if os.Getenv("KIOSK_SKIP_PCSC") == "1" {
		t.Skip("KIOSK_SKIP_PCSC=1: the real PC/SC stack is not tested")
	}
	if labErr != nil {
		t.Fatalf("cannot start pcscd with the vpcd driver (scripts/deps.sh installs them; KIOSK_SKIP_PCSC=1 skips): %v", labErr)
	}
	return lab
}

package main

import (
	"testing"

	"github.com/shcommunity/kiosk/app/config"
)

// TestDoctorContactReader: the doctor checks the contact reader the
// kiosk's configuration names; "off" (no contact reader) expects none.
func TestDoctorContactReader(t *testing.T) {
	for _, tc := range []struct{ setting, want string }{
		{"ACS ACR39U", "ACS ACR39U"},
		{"", ""},
		{config.ContactOff, ""},
	} {
		cfg := config.Default()
		cfg.ContactReader = tc.setting
		if got := doctorConfig(cfg, "config.json").ContactReader; got != tc.want {
			t.Errorf("contact_reader %q: the doctor checks %q, want %q", tc.setting, got, tc.want)
		}
	}
}

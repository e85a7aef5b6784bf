package provision_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/shcommunity/kiosk/app/config"
	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/provision"
	"github.com/shcommunity/kiosk/codesvc/api"
)

var good = provision.Request{URL: "https://codes.example:8443", Code: "ABCD-EFGH", Fingerprint: strings.Repeat("A2", api.FingerprintLen/2),
	Centre: "田林街道", Mode: flow.ModeCounter}

func TestValidate(t *testing.T) {
	if err := good.Validate(); err != nil {
		t.Fatalf("a good request: %v", err)
	}
	for field, r := range map[string]provision.Request{
		"url":         func() provision.Request { r := good; r.URL = "ftp://codes.example"; return r }(),
		"code":        func() provision.Request { r := good; r.Code = ""; return r }(),
		"fingerprint": func() provision.Request { r := good; r.Fingerprint = "A2A2-1111"; return r }(),
		"centre":      func() provision.Request { r := good; r.Centre = "  "; return r }(),
		"mode":        func() provision.Request { r := good; r.Mode = "kiosk"; return r }(),
		"paper":       func() provision.Request { r := good; r.Paper = "57"; return r }(),
	} {
		err := r.Validate()
		var fe *provision.FieldError
		if !errors.Is(err, provision.ErrInvalid) || !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("bad %s: %v", field, err)
		}
	}
}

func TestApply(t *testing.T) {
	cfg := config.Default()
	cfg.Reader.USB, cfg.Printer.Port = "1A86:7523", "/dev/ttyUSB1"
	r := good
	r.Reader, r.Paper = "/dev/ttyUSB0", "80"
	got := r.Apply(cfg)
	want := cfg
	want.ServiceURL, want.Centre, want.Mode, want.PrinterProfile = good.URL, good.Centre, flow.ModeCounter, "80mm"
	want.Reader.Port, want.Reader.USB = "/dev/ttyUSB0", "" // the port chosen replaces the USB id
	if got != want {
		t.Errorf("Apply\n got %+v\nwant %+v", got, want)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("the configuration applied: %v", err)
	}
}

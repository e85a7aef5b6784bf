package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/shcommunity/kiosk/app/config"
	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
)

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "config.json")
	if _, err := config.Load(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v, want os.ErrNotExist", err)
	}
	c := config.Default()
	c.Mode, c.Lang, c.Centre, c.ServiceURL = flow.ModeVenue, i18n.EN, "田林街道", "https://codes.example:8443"
	c.Reader.USB = "1A86:7523"
	if err := config.Save(path, c); err != nil {
		t.Fatal(err)
	}
	got, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != c {
		t.Errorf("loaded %+v, want %+v", got, c)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{`{}`, true},
		{`{"mode":"counter","printer_profile":"80mm"}`, true},
		{`{"lang":"C"}`, true},
		{`{"mode":"kitchen"}`, false},
		{`{"scale":9}`, false},
		{`{"printer_profile":"76mm"}`, false},
		{`{"service_url":"ftp://x"}`, false},
		{`{"reader":{"usb":"zz"}}`, false},
		{`{"modes":"self"}`, false},
		{`{} {}`, false},
		{`[`, false},
	} {
		_, err := config.Parse([]byte(tc.in))
		if (err == nil) != tc.ok {
			t.Errorf("Parse(%s) = %v, want ok %v", tc.in, err, tc.ok)
		}
		if err != nil && !errors.Is(err, config.ErrInvalid) {
			t.Errorf("Parse(%s) = %v, want ErrInvalid", tc.in, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`{}`, `{"mode":"venue","scale":1.5}`, `{"reader":{"usb":"1A86:7523","baud":9600}}`, `{"service_url":"http://[::1]:80"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := config.Parse(data)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted a config Validate refuses: %v", err)
		}
		if c.Profile().Dots == 0 {
			t.Fatal("accepted config has no printer profile")
		}
	})
}

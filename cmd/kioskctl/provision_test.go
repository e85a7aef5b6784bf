package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shcommunity/kiosk/app/config"
	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/server/servertest"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

// codeService is a reference code service on httptest, as an
// administrator runs it: it issues one-time codes with its fingerprint.
type codeService struct {
	svc *server.Service
	url string
}

func startService(t *testing.T) *codeService {
	t.Helper()
	svc := servertest.New(t, server.Options{})
	return &codeService{svc: svc, url: servertest.Serve(t, svc).URL}
}

func (s *codeService) code(t *testing.T, role api.Role) string {
	t.Helper()
	code, _, err := s.svc.ProvisionDevice(context.Background(), "kioskctl test", role)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// freshMachine points the user's configuration and data directories at
// empty ones, as on a machine the kiosk was just installed on.
func freshMachine(t *testing.T) (configDir, dataDir string) {
	t.Helper()
	dir := t.TempDir()
	configDir, dataDir = filepath.Join(dir, "config"), filepath.Join(dir, "data")
	t.Setenv("XDG_CONFIG_HOME", configDir)
	t.Setenv("XDG_DATA_HOME", dataDir)
	t.Setenv("HOME", dir)
	return configDir, dataDir
}

func TestProvision(t *testing.T) {
	configDir, dataDir := freshMachine(t)
	s := startService(t)
	_, readerPath := startReader(t)
	_, _, printerPath := startPrinter(t)
	code := s.code(t, api.RoleSelfService)

	// The README's command, with no configuration file anywhere yet.
	exit, out, errOut := runCtl("provision", "--url", s.url, "--code", code, "--fingerprint", s.svc.Fingerprint(nil),
		"--centre", "田林街道社区事务受理中心", "--mode", "self", "--reader", readerPath, "--printer", printerPath, "--paper", "80")
	if exit != exitOK {
		t.Fatalf("provision: exit %d\nstdout %s\nstderr %s", exit, out, errOut)
	}
	path := filepath.Join(configDir, "shcommunity-kiosk", "config.json")
	if !strings.Contains(out, "Registered as device D") || !strings.Contains(out, path) {
		t.Errorf("output %q", out)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("the configuration written: %v", err)
	}
	want := config.Default()
	want.ServiceURL, want.Centre, want.Mode, want.PrinterProfile = s.url, "田林街道社区事务受理中心", flow.ModeSelf, "80mm"
	want.Reader.Port, want.Printer.Port = readerPath, printerPath
	if cfg != want {
		t.Errorf("configuration\n got %+v\nwant %+v", cfg, want)
	}
	// The identity is where the kiosk looks for it: the database in the
	// data directory, its key in the key file beside the configuration's.
	st, err := localstore.Open(context.Background(), filepath.Join(dataDir, "shcommunity-kiosk", "kiosk.db"),
		localstore.Options{KeyFile: filepath.Join(configDir, "shcommunity-kiosk-keys", "kiosk.key")})
	if err != nil {
		t.Fatalf("the kiosk's database: %v", err)
	}
	id, err := syncer.LoadIdentity(context.Background(), st)
	st.Close()
	if err != nil || !strings.Contains(out, id.DeviceID) {
		t.Errorf("identity %q (%v); output %q", id.DeviceID, err, out)
	}

	// The doctor agrees: registered, the service answers, the reader and
	// the printer (paper 80 mm) answer on the ports chosen.
	exit, out, _ = runCtl("doctor")
	for _, line := range []string{"OK    card reader", "OK    printer", "OK    registration", "OK    device accepted"} {
		if !strings.Contains(out, line) {
			t.Errorf("doctor after provisioning lacks %q (exit %d):\n%s", line, exit, out)
		}
	}

	// Once provisioned, a second run refuses rather than replace the
	// identity.
	exit, _, errOut = runCtl("provision", "--url", s.url, "--code", s.code(t, api.RoleSelfService), "--fingerprint",
		s.svc.Fingerprint(nil), "--centre", "x", "--mode", "self")
	if exit != exitUsage || !strings.Contains(errOut, "already registered as device "+id.DeviceID) {
		t.Errorf("second provision: exit %d, stderr %q", exit, errOut)
	}
}

func TestProvisionFailures(t *testing.T) {
	configDir, _ := freshMachine(t)
	s := startService(t)
	fp := s.svc.Fingerprint(nil)
	good := func(over ...string) []string {
		args := map[string]string{"--url": s.url, "--code": "ABCD-EFGH", "--fingerprint": fp, "--centre": "测试", "--mode": "venue"}
		for i := 0; i+1 < len(over); i += 2 {
			args[over[i]] = over[i+1]
		}
		out := []string{"provision"}
		for _, k := range []string{"--url", "--code", "--fingerprint", "--centre", "--mode"} {
			out = append(out, k, args[k])
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		args   []string
		exit   int
		stderr string
	}{
		{"no url", good("--url", ""), exitUsage, "url"},
		{"plain http off loopback", good("--url", "http://codes.example"), exitUsage, "plain http"},
		{"no code", good("--code", " "), exitUsage, "code"},
		{"short fingerprint", good("--fingerprint", "ABCD"), exitUsage, "fingerprint"},
		{"no centre", good("--centre", ""), exitUsage, "centre"},
		{"bad mode", good("--mode", "kiosk"), exitUsage, "--mode self, counter or venue"},
		{"bad paper", append(good(), "--paper", "72"), exitUsage, "--paper 58 or --paper 80"},
		{"unknown code", good(), exitProvision, "ask the administrator for a new one"},
		{"another service's fingerprint", good("--fingerprint", strings.Repeat("A", api.FingerprintLen)), exitProvision, "fingerprint"},
		{"service out of reach", good("--url", "http://127.0.0.1:1"), exitProvision, "check the URL and the network"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exit, _, errOut := runCtl(tc.args...)
			if exit != tc.exit || !strings.Contains(errOut, tc.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", exit, errOut, tc.exit, tc.stderr)
			}
		})
	}
	// Nothing was written by any of them.
	if _, err := config.Load(filepath.Join(configDir, "shcommunity-kiosk", "config.json")); err == nil {
		t.Error("a failed provisioning wrote a configuration")
	}
}

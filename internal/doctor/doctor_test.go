package doctor_test

import (
	"bytes"
	"context"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/server/servertest"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
	"github.com/shcommunity/kiosk/devices/idcard/idcardsim"
	"github.com/shcommunity/kiosk/devices/serialport"
	"github.com/shcommunity/kiosk/devices/ssc"
	"github.com/shcommunity/kiosk/internal/doctor"
	"github.com/shcommunity/kiosk/internal/golden"
	"github.com/shcommunity/kiosk/internal/ptypair"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

var update = flag.Bool("update", false, "rewrite golden files")

// kiosk is a kiosk on simulated hardware: a reader and a printer on
// pseudo-terminals, a code service on httptest and a registered local
// database.
type kiosk struct {
	cfg     doctor.Config
	reader  *ptypair.Pair
	printer *escpossim.Printer
	srv     *httptest.Server
	svc     *server.Service
	device  string
}

// newKiosk starts the kiosk; the service's clock runs offset from the
// test's (the service refuses timestamps from before it started, so the
// offset is set before it starts).
func newKiosk(t *testing.T, offset time.Duration) *kiosk {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	dir := t.TempDir()
	k := &kiosk{}

	rp, err := ptypair.Open()
	if err != nil {
		t.Fatalf("reader pty: %v", err)
	}
	t.Cleanup(func() { rp.Close() })
	sim := idcardsim.New(idcardsim.SampleDeck(), &idcardsim.Options{Unpaced: true})
	go sim.Serve(ctx, rp.Master)
	k.reader = rp

	k.printer = escpossim.New(escpos.Profile58)
	k.printer.Baud = 0
	printerPath := ptypair.Serve(t, k.printer.Serve)

	svc := servertest.At(t, filepath.Join(dir, "codes.db"), server.Options{
		Now: func() time.Time { return time.Now().Add(offset) },
	})
	k.srv = servertest.Serve(t, svc)

	dbPath := filepath.Join(dir, "kiosk.db")
	ls, err := localstore.Open(ctx, dbPath, localstore.Options{KeyFile: filepath.Join(dir, "keys", "kiosk.key")})
	if err != nil {
		t.Fatalf("local store: %v", err)
	}
	code, _, err := svc.ProvisionDevice(ctx, "doctor test", api.RoleSelfService)
	if err != nil {
		t.Fatalf("provision: %v", err)
	}
	id, err := syncer.Register(ctx, ls, client.Provisioning{BaseURL: k.srv.URL, Code: code, Fingerprint: svc.Fingerprint(nil),
		Name: "doctor test kiosk"})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	k.svc, k.device = svc, id.DeviceID
	if err := ls.Close(); err != nil {
		t.Fatal(err)
	}

	k.cfg = doctor.Config{
		Reader:     doctor.Device{Port: rp.Path},
		Printer:    doctor.Device{Port: printerPath},
		ServiceURL: k.srv.URL,
		DBPath:     dbPath,
		KeyFile:    filepath.Join(dir, "keys", "kiosk.key"),
		Timeout:    2 * time.Second,
		ListPorts: func() ([]serialport.Info, error) {
			return []serialport.Info{
				{Name: "/dev/ttyUSB0", USB: true, VID: "1A86", PID: "7523"},
				{Name: "/dev/ttyUSB1", USB: true, VID: "0403", PID: "6001", SerialNumber: "A10K1ABC"},
			}, nil
		},
		PCSCReaders: func() ([]string, error) { return []string{"ACS ACR39U ICC Reader 00 00"}, nil },
	}
	return k
}

// want is the expected outcome of one check: its level and words the
// line must contain.
type want struct {
	level doctor.Level
	words []string
}

func TestDoctorOnSimulators(t *testing.T) {
	p, err := ptypair.Open()
	if err != nil {
		t.Skipf("the simulators need pseudo-terminals: %v", err)
	}
	p.Close()
	allGood := map[string]want{
		doctor.CheckPorts:    {doctor.OK, []string{"2 found", "/dev/ttyUSB0 1A86:7523 CH340", "FTDI serial A10K1ABC"}},
		doctor.CheckReader:   {doctor.OK, []string{"security module answers", "SAM 05.01-20100720-"}},
		doctor.CheckContact:  {doctor.OK, []string{"ACS ACR39U ICC Reader 00 00: present"}},
		doctor.CheckPrinter:  {doctor.OK, []string{"ready"}},
		doctor.CheckDatabase: {doctor.OK, []string{"intact"}},
		doctor.CheckAudit:    {doctor.OK, []string{"intact"}},
		doctor.CheckOutbox:   {doctor.OK, []string{"0 waiting"}},
		doctor.CheckIdentity: {doctor.OK, []string{"registered as device"}},
		doctor.CheckTrust:    {doctor.OK, []string{"version"}},
		doctor.CheckService:  {doctor.OK, []string{"answers"}},
		doctor.CheckDevice:   {doctor.OK, []string{"accepts"}},
		doctor.CheckClock:    {doctor.OK, []string{"within"}},
	}
	tests := []struct {
		name   string
		fault  func(t *testing.T, k *kiosk)
		offset time.Duration // of the service's clock
		wantOK bool
		want   map[string]want // differences from allGood; a nil entry means absent
	}{
		{name: "all good", wantOK: true},
		{
			name:  "reader unplugged",
			fault: func(t *testing.T, k *kiosk) { k.reader.Close() },
			want:  map[string]want{doctor.CheckReader: {doctor.Fail, []string{"not found", "Do: plug the reader in"}}},
		},
		{
			name:  "reader not configured",
			fault: func(t *testing.T, k *kiosk) { k.cfg.Reader = doctor.Device{} },
			want:  map[string]want{doctor.CheckReader: {doctor.Fail, []string{"no reader port"}}},
		},
		{
			name: "pcscd not running",
			fault: func(t *testing.T, k *kiosk) {
				k.cfg.PCSCReaders = func() ([]string, error) { return nil, ssc.ErrNoService }
			},
			wantOK: true, // the kiosk does not rely on the contact reader until the settings name one
			want:   map[string]want{doctor.CheckContact: {doctor.Warn, []string{"PC/SC service not running", "Do: ", "pcscd"}}},
		},
		{
			name: "contact reader required, service not running",
			fault: func(t *testing.T, k *kiosk) {
				k.cfg.ContactReader = "ACR39U"
				k.cfg.PCSCReaders = func() ([]string, error) { return nil, ssc.ErrNoService }
			},
			want: map[string]want{doctor.CheckContact: {doctor.Fail, []string{"PC/SC service not running"}}},
		},
		{
			name:   "no contact reader",
			fault:  func(t *testing.T, k *kiosk) { k.cfg.PCSCReaders = func() ([]string, error) { return nil, nil } },
			wantOK: true,
			want:   map[string]want{doctor.CheckContact: {doctor.Warn, []string{"no smart-card reader is connected", "plug the contact card reader in"}}},
		},
		{
			name:  "configured contact reader missing",
			fault: func(t *testing.T, k *kiosk) { k.cfg.ContactReader = "OMNIKEY" },
			want:  map[string]want{doctor.CheckContact: {doctor.Fail, []string{`no reader named like "OMNIKEY"`, "ACS ACR39U"}}},
		},
		{
			name:  "printer out of paper",
			fault: func(t *testing.T, k *kiosk) { k.printer.SetPaperOut(true) },
			want:  map[string]want{doctor.CheckPrinter: {doctor.Fail, []string{"out of paper", "Do: put in a new roll of 58 mm paper"}}},
		},
		{
			name:  "printer cover open",
			fault: func(t *testing.T, k *kiosk) { k.printer.SetCoverOpen(true) },
			want:  map[string]want{doctor.CheckPrinter: {doctor.Fail, []string{"cover open", "close the paper cover"}}},
		},
		{
			name:   "printer paper low",
			fault:  func(t *testing.T, k *kiosk) { k.printer.SetPaperNearEnd(true) },
			wantOK: true,
			want:   map[string]want{doctor.CheckPrinter: {doctor.Warn, []string{"running low"}}},
		},
		{
			name:  "printer silent",
			fault: func(t *testing.T, k *kiosk) { k.printer.SetMute(true) },
			want:  map[string]want{doctor.CheckPrinter: {doctor.Fail, []string{"no answer from the printer"}}},
		},
		{
			name: "reader silent",
			fault: func(t *testing.T, k *kiosk) {
				p, err := ptypair.Open() // a port with nothing behind it
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { p.Close() })
				k.cfg.Reader.Port = p.Path
			},
			want: map[string]want{doctor.CheckReader: {doctor.Fail, []string{"no answer from the reader", "not the printer's"}}},
		},
		{
			name: "device revoked",
			fault: func(t *testing.T, k *kiosk) {
				if err := k.svc.Store.RevokeDevice(context.Background(), k.device, time.Now()); err != nil {
					t.Fatal(err)
				}
			},
			want: map[string]want{doctor.CheckDevice: {doctor.Fail, []string{"has revoked device", "ask the service administrator"}}},
		},
		{
			name: "another service",
			fault: func(t *testing.T, k *kiosk) {
				other := newKiosk(t, 0) // its service has never heard of this kiosk
				k.cfg.ServiceURL = other.srv.URL
			},
			want: map[string]want{doctor.CheckDevice: {doctor.Fail, []string{"does not know device", "test or live service"}}},
		},
		{
			name:  "service down",
			fault: func(t *testing.T, k *kiosk) { k.srv.Close() },
			want: map[string]want{
				doctor.CheckService: {doctor.Fail, []string{"cannot reach it", "Do: check the network"}},
				doctor.CheckDevice:  {}, doctor.CheckClock: {},
			},
		},
		{
			name:   "service clock 2 minutes ahead",
			offset: 2 * time.Minute,
			wantOK: true,
			want:   map[string]want{doctor.CheckClock: {doctor.Warn, []string{"2 min behind the service's", "NTP"}}},
		},
		{
			name:   "service clock an hour behind",
			offset: -time.Hour,
			want:   map[string]want{doctor.CheckClock: {doctor.Fail, []string{"1.0 h ahead of the service's", "time zone"}}},
		},
		{
			name: "damaged database",
			fault: func(t *testing.T, k *kiosk) {
				b, err := os.ReadFile(k.cfg.DBPath)
				if err != nil {
					t.Fatal(err)
				}
				for i := 100; i < len(b) && i < 8192; i++ {
					b[i] = 0xA5
				}
				if err := os.WriteFile(k.cfg.DBPath, b, 0o600); err != nil {
					t.Fatal(err)
				}
			},
			want: map[string]want{
				doctor.CheckDatabase: {doctor.Fail, []string{"damaged", "restore the last backup"}},
				doctor.CheckAudit:    {}, doctor.CheckOutbox: {}, doctor.CheckIdentity: {}, doctor.CheckTrust: {}, doctor.CheckDevice: {},
			},
		},
		{
			name:  "no database",
			fault: func(t *testing.T, k *kiosk) { k.cfg.DBPath = filepath.Join(t.TempDir(), "missing.db") },
			want: map[string]want{
				doctor.CheckDatabase: {doctor.Fail, []string{"no database yet", "register it"}},
				doctor.CheckAudit:    {}, doctor.CheckOutbox: {}, doctor.CheckIdentity: {}, doctor.CheckTrust: {}, doctor.CheckDevice: {},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newKiosk(t, tt.offset)
			if tt.fault != nil {
				tt.fault(t, k)
			}
			var out bytes.Buffer
			ok, err := doctor.Run(context.Background(), k.cfg, &out)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			report := out.String()
			if ok != tt.wantOK {
				t.Errorf("ok = %v, want %v\n%s", ok, tt.wantOK, report)
			}
			lines := strings.Split(strings.TrimSpace(report), "\n")
			last := lines[len(lines)-1]
			if wantPrefix := map[bool]string{true: "RESULT: OK", false: "RESULT: NOT OK"}[tt.wantOK]; !strings.HasPrefix(last, wantPrefix) {
				t.Errorf("last line = %q, want it to start %q", last, wantPrefix)
			}
			for check, w := range allGood {
				if d, ok := tt.want[check]; ok {
					w = d
				}
				line := lineFor(lines, check)
				if w.words == nil {
					if line != "" {
						t.Errorf("%s: got line %q, want none", check, line)
					}
					continue
				}
				if line == "" {
					t.Errorf("%s: no line in report\n%s", check, report)
					continue
				}
				if got := strings.Fields(line)[0]; got != w.level.String() {
					t.Errorf("%s: level %s, want %s: %q", check, got, w.level, line)
				}
				for _, word := range w.words {
					if !strings.Contains(line, word) {
						t.Errorf("%s: line %q lacks %q", check, line, word)
					}
				}
				if w.level != doctor.OK && !strings.Contains(line, " Do: ") {
					t.Errorf("%s: line %q says nothing to do", check, line)
				}
			}
		})
	}
}

// lineFor finds the report line of a check: level, then the check name.
func lineFor(lines []string, check string) string {
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 1 && strings.HasPrefix(strings.TrimSpace(l[len(f[0]):]), check+" ") {
			return l
		}
	}
	return ""
}

func TestReportFormat(t *testing.T) {
	rep := doctor.Report{
		At: time.Date(2026, 3, 1, 9, 30, 0, 0, time.FixedZone("CST", 8*3600)),
		Results: []doctor.Result{
			{Check: doctor.CheckReader, Level: doctor.OK, Detail: "/dev/ttyUSB0: the reader's security module answers."},
			{Check: doctor.CheckPrinter, Level: doctor.Fail, Detail: "/dev/ttyUSB1: out of paper.", Fix: "put in a new roll of 58 mm paper."},
			{Check: doctor.CheckClock, Level: doctor.Warn, Detail: "this computer's clock is 2 min behind the service's.", Fix: "turn on automatic time (NTP)."},
		},
	}
	var buf bytes.Buffer
	if _, err := rep.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	// The header names the build and platform, which vary; the golden
	// file holds the rest.
	got := buf.String()
	_, body, _ := strings.Cut(got, "\n")
	if !strings.HasPrefix(got, "kiosk doctor ") || !strings.Contains(got, "2026-03-01 09:30:00 +0800") {
		t.Errorf("header = %q", strings.SplitN(got, "\n", 2)[0])
	}
	want, err := golden.Want(filepath.Join("testdata", "report.golden"), []byte(body), *update)
	if err != nil {
		t.Fatal(err)
	}
	if body != string(want) {
		t.Errorf("report body:\n%s\nwant:\n%s", body, want)
	}
	if rep.OK() {
		t.Error("OK() = true with a FAIL line")
	}
}

func TestLevelString(t *testing.T) {
	for l, want := range map[doctor.Level]string{doctor.OK: "OK", doctor.Warn: "WARN", doctor.Fail: "FAIL", 7: "Level(7)"} {
		if got := l.String(); got != want {
			t.Errorf("Level(%d).String() = %q, want %q", int(l), got, want)
		}
	}
}

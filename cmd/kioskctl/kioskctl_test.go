package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/app/config"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
	"github.com/shcommunity/kiosk/devices/escpos/qrtest"
	"github.com/shcommunity/kiosk/devices/idcard/idcardsim"
	"github.com/shcommunity/kiosk/devices/slip"
	"github.com/shcommunity/kiosk/internal/ptypair"
)

// startReader serves the reader simulator on a fresh pty and returns the
// path kioskctl opens.
func startReader(t *testing.T) (*idcardsim.Sim, string) {
	t.Helper()
	sim := idcardsim.New(idcardsim.SampleDeck(), nil)
	return sim, ptypair.Serve(t, sim.Serve)
}

// startPrinter serves the printer simulator on a fresh pty and returns
// it, the slips it prints and the path kioskctl opens.
func startPrinter(t *testing.T) (*escpossim.Printer, <-chan escpossim.Slip, string) {
	t.Helper()
	sim := escpossim.New(escpos.Profile58)
	slips := make(chan escpossim.Slip, 4)
	sim.OnSlip = func(s escpossim.Slip) { slips <- s }
	return sim, slips, ptypair.Serve(t, sim.Serve)
}

func runCtl(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// readPlaced places the card with the label on a fresh reader and reads
// it with read-card; it returns the reader's path and what read-card
// printed, decoded and as it was.
func readPlaced(t *testing.T, label string) (string, cardJSON, string) {
	t.Helper()
	sim, path := startReader(t)
	if err := sim.Place(label); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCtl("read-card", "--port", path, "--wait", "5s")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var got cardJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	return path, got, out
}

func TestReadCard(t *testing.T) {
	path, got, out := readPlaced(t, "resident-green")
	want := cardJSON{Type: "resident", Name: "张*丰", Gender: got.Gender, Nation: "汉", Number: "3*************0019",
		Authority: "上海市公安局黄浦分局", ValidFrom: "2012-06-01", ValidTo: "长期", Valid: true, PhotoLen: 1024}
	if got != want {
		t.Errorf("card JSON\n got %+v\nwant %+v", got, want)
	}
	if strings.Contains(out, "310101194803140019") || strings.Contains(out, "张三丰") || strings.Contains(out, "福州路") {
		t.Errorf("personal data printed without --reveal:\n%s", out)
	}

	code, out, _ := runCtl("read-card", "--port", path, "--reveal")
	if code != exitOK || !strings.Contains(out, `"number": "310101194803140019"`) || !strings.Contains(out, "张三丰") {
		t.Errorf("--reveal: exit %d\n%s", code, out)
	}
}

// TestReadCardPermit: a 港澳台 residence permit's pass number (masked
// unless --reveal) and issue count are printed.
func TestReadCardPermit(t *testing.T) {
	path, got, out := readPlaced(t, "hk-permit")
	if got.Type != "hmt" || got.IssueCount != "01" || got.PassNumber == "" || strings.Contains(out, "H12345678") {
		t.Errorf("permit: type %q, issue count %q, pass number %q\n%s", got.Type, got.IssueCount, got.PassNumber, out)
	}
	code, out, _ := runCtl("read-card", "--port", path, "--reveal")
	if code != exitOK || !strings.Contains(out, `"pass_number": "H12345678"`) {
		t.Errorf("--reveal: exit %d\n%s", code, out)
	}
}

func TestReadCardExpired(t *testing.T) {
	sim, path := startReader(t)
	sim.Place("expired")
	code, out, errOut := runCtl("read-card", "--port", path)
	if code != exitBadCard {
		t.Fatalf("expired card: exit %d, want %d; stderr %q", code, exitBadCard, errOut)
	}
	if !strings.Contains(out, `"valid": false`) || !strings.Contains(errOut, "renew") {
		t.Errorf("expired card: stdout %q stderr %q", out, errOut)
	}
}

func TestReadCardNoCard(t *testing.T) {
	_, path := startReader(t)
	code, _, errOut := runCtl("read-card", "--port", path, "--wait", "400ms")
	if code != exitNoCard || !strings.Contains(errOut, "place the ID card") {
		t.Fatalf("no card: exit %d, stderr %q", code, errOut)
	}
}

func TestReadCardSilentReader(t *testing.T) {
	sim, path := startReader(t)
	sim.Inject(idcardsim.FaultSilence, 100)
	code, _, errOut := runCtl("read-card", "--port", path, "--wait", "1s")
	if code != exitNoCard || !strings.Contains(errOut, "what to do") {
		t.Fatalf("silent reader: exit %d, stderr %q", code, errOut)
	}
}

func TestPortErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"read-card", "--port", "/dev/does-not-exist-kiosk"}, exitPort},
		{[]string{"printer-status", "--port", "/dev/does-not-exist-kiosk"}, exitPort},
		{[]string{"read-card"}, exitUsage},
		{[]string{"read-card", "--port", "a", "--usb", "1A86:7523"}, exitUsage},
		{[]string{"print-sample", "--port", "x", "--profile", "57"}, exitUsage},
		{[]string{"dance"}, exitUsage},
		{nil, exitUsage},
	} {
		code, _, errOut := runCtl(tt.args...)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tt.args, code, tt.code, errOut)
		}
	}
}

func TestPrinterStatus(t *testing.T) {
	sim, _, path := startPrinter(t)
	code, out, errOut := runCtl("printer-status", "--port", path)
	if code != exitOK || !strings.Contains(out, "ready") {
		t.Fatalf("ready printer: exit %d, out %q, err %q", code, out, errOut)
	}
	sim.SetPaperOut(true)
	code, _, errOut = runCtl("printer-status", "--port", path)
	if code != exitPrinterBad || !strings.Contains(errOut, "paper") {
		t.Fatalf("no paper: exit %d, stderr %q", code, errOut)
	}
}

func TestPrintSample(t *testing.T) {
	sim, slips, path := startPrinter(t)
	start := time.Now()
	code, out, errOut := runCtl("print-sample", "--port", path, "--profile", "58")
	if code != exitOK {
		t.Fatalf("print-sample: exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "printed a sample slip") {
		t.Errorf("output %q", out)
	}
	select {
	case s := <-slips:
		text, err := qrtest.Decode(s.Image)
		if err != nil {
			t.Fatalf("sample slip's QR: %v", err)
		}
		if want := slip.Sample(start, "KIOSKCTL").QR; !strings.HasPrefix(text, "SAMPLE SLIP FROM KIOSKCTL") || len(text) != len(want) {
			t.Errorf("QR = %q, want the sample content", text)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the simulator printed no slip")
	}
	sim.SetCoverOpen(true)
	if code, _, errOut := runCtl("print-sample", "--port", path); code != exitPrinterBad || !strings.Contains(errOut, "cover") {
		t.Fatalf("cover open: exit %d, stderr %q", code, errOut)
	}
	if sim.Printed() != 1 {
		t.Errorf("printed %d slips, want 1", sim.Printed())
	}
}

func TestDoctor(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCtl("doctor", "--config", dir+"/none.json"); code != exitUsage || !strings.Contains(errOut, "no configuration") {
		t.Fatalf("missing config: exit %d, stderr %q", code, errOut)
	}
	// A kiosk whose reader is on a live simulator but whose printer port,
	// service and database are all missing: the report must say so line
	// by line and the exit status must say unhealthy.
	_, readerPath := startReader(t)
	cfg := `{"mode":"self","lang":"zh","centre":"测试","service_url":"http://127.0.0.1:1",
		"reader":{"port":"` + readerPath + `"},"printer":{"port":"/dev/does-not-exist-kiosk"},
		"printer_profile":"58mm","store":"` + dir + `/kiosk.db"}`
	if err := os.WriteFile(dir+"/config.json", []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCtl("doctor", "--config", dir+"/config.json")
	if code != exitUnhealthy {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr: %s", code, exitUnhealthy, out, errOut)
	}
	for _, want := range []string{"OK    card reader", "FAIL  printer", "FAIL  database", "RESULT: NOT OK"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// The contact reader's line comes from the PC/SC service: the private
	// pcscd of lab_test.go and its vpcd readers.
	l := needLab(t)
	_, out, _ = runCtl("doctor", "--config", dir+"/config.json", "--contact-reader", l.Readers[0].Name)
	if want := "OK    contact reader   " + l.Readers[0].Name + ": present"; !strings.Contains(out, want) {
		t.Errorf("report lacks %q:\n%s", want, out)
	}
	_, out, _ = runCtl("doctor", "--config", dir+"/config.json", "--contact-reader", "OMNIKEY")
	if want := `FAIL  contact reader   no reader named like "OMNIKEY"`; !strings.Contains(out, want) {
		t.Errorf("report lacks %q:\n%s", want, out)
	}
}

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

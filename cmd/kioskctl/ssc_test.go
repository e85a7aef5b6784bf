package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/devices/ssc"
	"github.com/shcommunity/kiosk/devices/ssc/sscsim"
)

// The read-ssc tests read the virtual card through a private pcscd
// (lab_test.go); KIOSK_SKIP_PCSC=1 skips them.

func TestReadSSC(t *testing.T) {
	l := needLab(t)
	sim := sscsim.New(sscsim.SampleDeck(), &sscsim.Options{Addr: l.Readers[0].Addr})
	defer sim.Close()
	if err := sim.Insert("ssc-green"); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCtl("read-ssc", "--reader", l.Readers[0].Name, "--wait", "10s")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var got sscJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	want := sscJSON{Reader: l.Readers[0].Name, CardNumber: "D****0001", Name: "张*丰", Number: "3*************0019",
		Gender: got.Gender, Nation: "汉", BirthPlace: "31****", Issued: "2019-03-01", ValidTo: "2029-03-01",
		Expiry: "valid", Valid: true, APDUs: 11}
	if got != want {
		t.Errorf("JSON\n got %+v\nwant %+v", got, want)
	}
	for _, secret := range []string{"310101194803140019", "张三丰", "D00000001", "1948"} {
		if strings.Contains(out, secret) {
			t.Errorf("personal data %q printed without --reveal:\n%s", secret, out)
		}
	}
	code, out, _ = runCtl("read-ssc", "--reader", l.Readers[0].Name, "--reveal")
	if code != exitOK || !strings.Contains(out, `"number": "310101194803140019"`) || !strings.Contains(out, `"birth": "1948-03-14"`) {
		t.Errorf("--reveal: exit %d\n%s", code, out)
	}
}

func TestReadSSCFailures(t *testing.T) {
	l := needLab(t)
	sim := sscsim.New(sscsim.SampleDeck(), &sscsim.Options{Addr: l.Readers[1].Addr})
	defer sim.Close()
	reader := l.Readers[1].Name
	if code, _, errOut := runCtl("read-ssc", "--reader", reader, "--wait", "300ms"); code != exitNoCard || !strings.Contains(errOut, "no card inserted") {
		t.Errorf("no card: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCtl("read-ssc", "--reader", "no such reader"); code != exitPort || !strings.Contains(errOut, "no smart-card reader") {
		t.Errorf("no reader: exit %d, %q", code, errOut)
	}
	for label, wantCode := range map[string]int{"bank-card": exitNoCard, "ssc-locked": exitNoCard, "ssc-expired": exitBadCard} {
		if err := sim.Insert(label); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runCtl("read-ssc", "--reader", reader, "--wait", "10s")
		if code != wantCode || !strings.Contains(errOut, "what to do:") {
			t.Errorf("%s: exit %d, want %d\n%s%s", label, code, wantCode, out, errOut)
		}
		sim.Remove()
		waitEmpty(t, reader)
	}
}

// waitEmpty waits until pcscd has seen the card go, so that the next
// card is not read in its place.
func waitEmpty(t *testing.T, reader string) {
	t.Helper()
	p, err := ssc.OpenPCSC()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var st ssc.ReaderState
	for st, err = p.Wait(ctx, reader, st, time.Second); err == nil && st.Present; st, err = p.Wait(ctx, reader, st, time.Second) {
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestReadSSCNoService runs kioskctl as a child whose PC/SC socket leads
// nowhere: what a technician sees when pcscd is not running.
func TestReadSSCNoService(t *testing.T) {
	if os.Getenv("KIOSKCTL_CHILD") == "1" {
		code, _, errOut := runCtl("read-ssc")
		os.Stderr.WriteString(errOut)
		os.Exit(code)
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestReadSSCNoService$")
	cmd.Env = append(os.Environ(), "KIOSKCTL_CHILD=1", "PCSCLITE_CSOCK_NAME="+t.TempDir()+"/none.comm")
	out, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != exitPort || !strings.Contains(string(out), "PC/SC service not running") || !strings.Contains(string(out), "pcscd") {
		t.Fatalf("exit %v, output %q; want exit 3 and the service named", err, out)
	}
}

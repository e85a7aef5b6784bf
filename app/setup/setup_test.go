package setup_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/setup"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
	"github.com/shcommunity/kiosk/devices/escpos/qrtest"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/idcard/idcardsim"
	"github.com/shcommunity/kiosk/devices/serialport"
	"github.com/shcommunity/kiosk/devices/slip"
	"github.com/shcommunity/kiosk/internal/ptypair"
)

func TestReaderOnSimulator(t *testing.T) {
	sim := idcardsim.New(idcardsim.SampleDeck(), nil)
	path := ptypair.Serve(t, sim.Serve)
	var d setup.Devices // the real serial driver, on the pty
	ctx := context.Background()

	if err := sim.Place("resident-green"); err != nil {
		t.Fatal(err)
	}
	got, err := d.TestReader(ctx, path, 0, 5*time.Second)
	if err != nil {
		t.Fatalf("test read: %v", err)
	}
	if want := (setup.Reading{MaskedName: "张*丰", MaskedID: "3*************0019"}); got != want {
		t.Errorf("test read = %+v, want %+v", got, want)
	}

	if err := sim.Place("expired"); err != nil {
		t.Fatal(err)
	}
	got, err = d.TestReader(ctx, path, 0, 5*time.Second)
	if err != nil || got.Problem == nil || setup.FaultOf(got.Problem) != i18n.SetupCardExpired {
		t.Errorf("expired card: reading %+v, err %v; want the card with its problem", got, err)
	}

	sim.Remove()
	_, err = d.TestReader(ctx, path, 0, 10*time.Millisecond)
	if !errors.Is(err, idcard.ErrNoCard) || setup.FaultOf(err) != i18n.SetupNoCard {
		t.Errorf("no card: %v (%s), want idcard.ErrNoCard", err, setup.FaultOf(err))
	}
}

func TestPrinterOnSimulator(t *testing.T) {
	sim := escpossim.New(escpos.Profile80)
	slips := make(chan escpossim.Slip, 2)
	sim.OnSlip = func(s escpossim.Slip) { slips <- s }
	path := ptypair.Serve(t, sim.Serve)
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	d := setup.Devices{Now: func() time.Time { return at }}
	ctx := context.Background()

	if err := d.TestPrinter(ctx, path, 0, escpos.Profile80); err != nil {
		t.Fatalf("test print: %v", err)
	}
	s := <-slips
	text, err := qrtest.Decode(s.Image)
	if err != nil {
		t.Fatalf("the test slip's QR: %v", err)
	}
	if want := slip.Sample(at, "FIRST RUN").QR; text != want {
		t.Errorf("QR = %q, want %q", text, want)
	}
	if w := s.Image.Bounds().Dx(); w != escpos.Profile80.Dots {
		t.Errorf("slip %d dots wide, want the 80 mm paper's %d", w, escpos.Profile80.Dots)
	}

	sim.SetPaperOut(true)
	if err := d.TestPrinter(ctx, path, 0, escpos.Profile80); setup.FaultOf(err) != i18n.SetupPaperOut {
		t.Errorf("paper out: %v (%s)", err, setup.FaultOf(err))
	}
	sim.SetPaperOut(false)
	sim.SetCoverOpen(true)
	if err := d.TestPrinter(ctx, path, 0, escpos.Profile80); setup.FaultOf(err) != i18n.SetupCoverOpen {
		t.Errorf("cover open: %v (%s)", err, setup.FaultOf(err))
	}
	if n := sim.Printed(); n != 1 {
		t.Errorf("the simulator printed %d slips, want 1", n)
	}
}

func TestPortFaults(t *testing.T) {
	var d setup.Devices
	ctx := context.Background()
	if _, err := d.TestReader(ctx, " ", 0, time.Second); !errors.Is(err, setup.ErrNoPort) || setup.FaultOf(err) != i18n.SetupNoPort {
		t.Errorf("no port: %v", err)
	}
	err := d.TestPrinter(ctx, "/dev/does-not-exist-kiosk", 0, escpos.Profile58)
	if !errors.Is(err, serialport.ErrNotFound) || setup.FaultOf(err) != i18n.SetupPortMissing {
		t.Errorf("missing port: %v (%s)", err, setup.FaultOf(err))
	}
	if got := setup.FaultOf(errors.New("something else")); got != i18n.SetupFailed {
		t.Errorf("an unknown error's fault = %s", got)
	}
	if got := setup.FaultOf(nil); got != "" {
		t.Errorf("no error's fault = %s", got)
	}
	for _, k := range []i18n.Key{i18n.SetupPortBusy, i18n.SetupPortPermission, i18n.SetupUnplugged, i18n.SetupReaderSilent,
		i18n.SetupPrinterSilent, i18n.SetupPrinterFault, i18n.SetupCardInvalid} {
		if i18n.T(i18n.ZH, k) == string(k) || i18n.T(i18n.EN, k) == string(k) {
			t.Errorf("fault %s has no words", k)
		}
	}
}

func TestPortsAndLabels(t *testing.T) {
	d := setup.Devices{List: func() ([]setup.Port, error) {
		return []setup.Port{{Name: "/dev/ttyUSB0", VIDPID: "1A86:7523", Product: "USB Serial"}, {Name: "/dev/ttyS0"}}, nil
	}}
	ports, err := d.Ports()
	if err != nil {
		t.Fatal(err)
	}
	if got := ports[0].Label(); got != "/dev/ttyUSB0  1A86:7523  USB Serial" {
		t.Errorf("label %q", got)
	}
	if got := ports[1].Label(); got != "/dev/ttyS0" {
		t.Errorf("label %q", got)
	}
}

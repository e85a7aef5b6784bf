package escpossim_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/devices/conn"
	"github.com/shcommunity/kiosk/devices/escpos"
	"github.com/shcommunity/kiosk/devices/escpos/escpossim"
	"github.com/shcommunity/kiosk/devices/escpos/qrtest"
	"github.com/shcommunity/kiosk/devices/slip"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/internal/ptypair"
	"github.com/shcommunity/kiosk/pii"
)

type rig struct {
	sim   *escpossim.Printer
	drv   *escpos.Printer
	slips chan escpossim.Slip
	host  conn.Conn
}

// start runs a simulator on one end of a link and returns a driver on the
// other: "pipe" is net.Pipe, "pty" a pseudo-terminal opened by path like
// a serial port.
func start(t *testing.T, link string, p escpos.Profile) *rig {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &rig{sim: escpossim.New(p), slips: make(chan escpossim.Slip, 8)}
	r.sim.Dir = t.TempDir()
	r.sim.OnSlip = func(s escpossim.Slip) { r.slips <- s }
	var dev interface {
		Read([]byte) (int, error)
		Write([]byte) (int, error)
	}
	switch link {
	case "pipe":
		host, d := net.Pipe()
		r.host, dev = host, d
		t.Cleanup(func() { host.Close(); d.Close() })
	case "pty":
		pair, err := ptypair.Open()
		if err != nil {
			t.Fatalf("ptypair: %v", err)
		}
		// O_NONBLOCK puts the file in the runtime poller, so read
		// deadlines work as they do on a serial port.
		f, err := os.OpenFile(pair.Path, os.O_RDWR|syscall.O_NOCTTY|syscall.O_NONBLOCK, 0)
		if err != nil {
			pair.Close()
			t.Fatal(err)
		}
		r.host, dev = f, pair.Master
		t.Cleanup(func() { f.Close(); pair.Close() })
	}
	done := make(chan error, 1)
	go func() { done <- r.sim.Serve(ctx, dev) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	r.drv = escpos.NewPrinter(r.host, p)
	r.drv.StatusTimeout = time.Second // generous: two busy cores under -race
	return r
}

func sample() slip.Slip {
	at := time.Date(2026, 5, 1, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))
	return slip.Slip{
		Name: pii.Name("张三丰"), ID: pii.IDNumber("310101194803140019"),
		QR:       "HC1:6BFOXN*TS0BI$ZD-PHQ7I9AD66V5B22CH9M9ESI9XBHXK-%69LQOGI.*V76GCV4*XUA2P-FHT-HNTI4L6N$Q%UG/YL WO*Z7ON15 BM0VM.JQ$F4W17PG4.VAS5EG4V*BRL0K-RDY5RWOOH6PO9:TUQJAJG9-*NIRICVELZUZM9EN9-O9:PICIG805CZKHKB-43.E3KD3OAJ6*K6ZCY73JC3KD3ZQTWD3E.KLC8M3LP-89B9K+KB2KK3M*EDZI9$JAQJKKIJX2MM+GWHKSKE MCAOI8%MCU5VTQDPIMQK9*O7%NC.UTWA6QK.-T3-SY$NCU5CIQ 52744E09TBOC.UKMI$8R+1A7CPFRMLNKNM8JI0JPGN:0K7OOBRLY667SYHJL9B7VPO:SWLH1/S4KQQK0$5REQT5RN1FR%SHPLRKWJO8LQ84EBC$-P4A0V1BBR5XWB3OCGEK:$8HHOLQOZC4",
		IssuedAt: at, ValidUntil: at.AddDate(0, 0, 30),
		Centre: "黄浦区南京东路街道社区事务受理服务中心", Serial: "K07-0042",
		Colour: healthcode.Yellow, ColourAsOf: at,
	}
}

func waitSlip(t *testing.T, r *rig) escpossim.Slip {
	t.Helper()
	select {
	case s := <-r.slips:
		return s
	case <-time.After(5 * time.Second):
		t.Fatal("no slip printed")
	}
	return escpossim.Slip{}
}

func TestPrintSlip(t *testing.T) {
	raster58 := escpos.Profile{Name: "58mm-raster", Dots: 384, Baud: 115200}
	tests := []struct {
		link    string
		profile escpos.Profile
	}{
		{"pipe", escpos.Profile58},
		{"pty", escpos.Profile80},
		{"pipe", raster58},
	}
	for _, tt := range tests {
		t.Run(tt.link+"/"+tt.profile.Name, func(t *testing.T) {
			r := start(t, tt.link, tt.profile)
			s := sample()
			job, err := slip.Encode(s, tt.profile)
			if err != nil {
				t.Fatal(err)
			}
			before, err := r.drv.Status(context.Background())
			if err != nil || before != (escpos.Status{}) {
				t.Fatalf("status before = %+v, %v; want ready", before, err)
			}
			res, err := r.drv.Print(context.Background(), job)
			if err != nil {
				t.Fatalf("Print: %v", err)
			}
			if res.Bytes != len(job) || res.After != (escpos.Status{}) || res.PaperNearEnd {
				t.Errorf("result %+v", res)
			}
			got := waitSlip(t, r)
			if got.Seq != 1 || !bytes.Equal(got.Raw, job) {
				t.Errorf("slip %d with %d raw bytes, want 1 with the %d bytes sent", got.Seq, len(got.Raw), len(job))
			}
			f, err := os.Open(got.Path)
			if err != nil {
				t.Fatalf("PNG: %v", err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatal(err)
			}
			content, err := qrtest.Decode(img)
			if err != nil || content != s.QR {
				t.Errorf("QR on the printed PNG: %q, %v; want %q", content, err, s.QR)
			}
			preview, err := slip.Preview(s, tt.profile)
			if err != nil {
				t.Fatal(err)
			}
			if d := qrtest.Diff(img, preview); d != "" {
				t.Errorf("the printed PNG and the preview differ: %s", d)
			}
		})
	}
}

// midJob is a host connection that runs a function after the first chunk
// of a print job has gone out: a fault that strikes during the job.
type midJob struct {
	conn.Conn
	n    atomic.Int64
	once func()
}

func (m *midJob) Write(p []byte) (int, error) {
	n, err := m.Conn.Write(p)
	if m.n.Add(int64(n)) > 200 && m.once != nil {
		m.once()
		m.once = nil
	}
	return n, err
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name    string
		before  func(*escpossim.Printer)
		during  func(*escpossim.Printer)
		want    error
		printed int
		spoiled int
	}{
		{"paper out before", func(p *escpossim.Printer) { p.SetPaperOut(true) }, nil, escpos.ErrPaperOut, 0, 0},
		{"cover open before", func(p *escpossim.Printer) { p.SetCoverOpen(true) }, nil, escpos.ErrCoverOpen, 0, 0},
		{"offline before", func(p *escpossim.Printer) { p.SetOffline(true) }, nil, escpos.ErrOffline, 0, 0},
		{"cutter jammed before", func(p *escpossim.Printer) { p.SetCutterError(true) }, nil, escpos.ErrCutter, 0, 0},
		{"paper runs out during", nil, func(p *escpossim.Printer) { p.SetPaperOut(true) }, escpos.ErrPaperOut, 0, 1},
		{"cover opens during", nil, func(p *escpossim.Printer) { p.SetCoverOpen(true) }, escpos.ErrCoverOpen, 0, 1},
		{"near end is a warning", func(p *escpossim.Printer) { p.SetPaperNearEnd(true) }, nil, nil, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := start(t, "pipe", escpos.Profile58)
			job, err := slip.Encode(sample(), escpos.Profile58)
			if err != nil {
				t.Fatal(err)
			}
			if tt.before != nil {
				tt.before(r.sim)
			}
			drv := r.drv
			if tt.during != nil {
				drv = escpos.NewPrinter(&midJob{Conn: r.host, once: func() { tt.during(r.sim) }}, escpos.Profile58)
				drv.Chunk = 64
			}
			res, err := drv.Print(context.Background(), job)
			if tt.want == nil {
				if err != nil || !res.PaperNearEnd {
					t.Fatalf("Print = %+v, %v; want success with the near-end warning", res, err)
				}
				waitSlip(t, r)
			} else if !errors.Is(err, tt.want) {
				t.Fatalf("Print = %v, want %v", err, tt.want)
			}
			if tt.before != nil && tt.want != nil && res.Bytes != 0 {
				t.Errorf("%d bytes sent to a printer that could not print", res.Bytes)
			}
			// The simulator parses behind its receive layer: give it time.
			for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline) &&
				r.sim.Printed()+r.sim.Spoiled() < tt.printed+tt.spoiled; {
				time.Sleep(5 * time.Millisecond)
			}
			if got := r.sim.Printed(); got != tt.printed {
				t.Errorf("printed %d slips, want %d", got, tt.printed)
			}
			if got := r.sim.Spoiled(); got != tt.spoiled {
				t.Errorf("spoiled %d slips, want %d", got, tt.spoiled)
			}
		})
	}
}

func TestRefilledPrinterPrintsAgain(t *testing.T) {
	r := start(t, "pipe", escpos.Profile58)
	job, _ := slip.Encode(sample(), escpos.Profile58)
	r.sim.SetPaperOut(true)
	if _, err := r.drv.Print(context.Background(), job); !errors.Is(err, escpos.ErrPaperOut) {
		t.Fatalf("Print = %v, want ErrPaperOut", err)
	}
	r.sim.SetPaperOut(false)
	if _, err := r.drv.Print(context.Background(), job); err != nil {
		t.Fatalf("Print after refill: %v", err)
	}
	if s := waitSlip(t, r); s.Seq != 1 {
		t.Errorf("first slip has Seq %d, want 1", s.Seq)
	}
}

func TestNotResponding(t *testing.T) {
	for _, link := range []string{"pipe", "pty"} {
		t.Run(link, func(t *testing.T) {
			r := start(t, link, escpos.Profile58)
			r.drv.StatusTimeout = 50 * time.Millisecond
			r.sim.SetMute(true)
			if _, err := r.drv.Status(context.Background()); !errors.Is(err, escpos.ErrNotResponding) {
				t.Fatalf("Status = %v, want ErrNotResponding", err)
			}
			if _, err := r.drv.Print(context.Background(), []byte("A\n")); !errors.Is(err, escpos.ErrNotResponding) {
				t.Fatalf("Print = %v, want ErrNotResponding", err)
			}
			r.sim.SetMute(false)
			r.drv.StatusTimeout = time.Second
			if _, err := r.drv.Status(context.Background()); err != nil {
				t.Fatalf("Status after the printer came back: %v", err)
			}
		})
	}
}

func TestStatusPatternInsideRaster(t *testing.T) {
	// Raster rows holding 10 04 01 make the printer answer mid-command
	// (docs/escpos.md, "Real-time status: DLE EOT"); the driver must not
	// take that reply for a later answer.
	img := image.NewGray(image.Rect(0, 0, 24, 4))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	// Row 0: 0x10 0x04 0x01 = dots 3, 13, 23.
	for _, x := range []int{3, 13, 23} {
		img.Pix[x] = 0
	}
	job, err := escpos.NewBuilder(escpos.Profile58).Init().Raster(img).Cut(escpos.CutFull).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(job, []byte{0x10, 0x04, 0x01}) {
		t.Fatalf("job % x lacks the pattern", job)
	}
	r := start(t, "pipe", escpos.Profile58)
	r.sim.SetPaperNearEnd(true) // so the spurious reply differs from none
	if _, err := r.drv.Print(context.Background(), job); err != nil {
		t.Fatalf("Print: %v", err)
	}
	s := waitSlip(t, r)
	if s.Image.Bounds().Dy() != 4 {
		t.Errorf("slip %v, want the 4-row raster", s.Image.Bounds())
	}
	st, err := r.drv.Status(context.Background())
	if err != nil || !st.PaperNearEnd || st.Offline {
		t.Errorf("Status = %+v, %v", st, err)
	}
}

func TestServeStopsOnEOF(t *testing.T) {
	host, dev := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- escpossim.New(escpos.Profile58).Serve(context.Background(), dev) }()
	host.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve = %v, want nil when the host goes", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Serve did not return")
	}
}

package serialport

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"go.bug.st/serial"
	"go.bug.st/serial/enumerator"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		closed bool
		want   error
	}{
		{"enoent", fmt.Errorf("open: %w", syscall.ENOENT), false, ErrNotFound},
		{"ebusy", syscall.EBUSY, false, ErrBusy},
		{"eacces", syscall.EACCES, false, ErrPermission},
		{"eio", syscall.EIO, false, ErrUnplugged},
		{"enxio", syscall.ENXIO, false, ErrUnplugged},
		{"enodev", syscall.ENODEV, false, ErrNotFound},
		{"other", io.ErrUnexpectedEOF, false, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := classify("open", "/dev/ttyUSB0", tt.err, tt.closed)
			var e *Error
			if !errors.As(err, &e) || e.Port != "/dev/ttyUSB0" || e.Op != "open" {
				t.Fatalf("classify = %#v, want an *Error naming the port", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("classify(%v) = %v, want %v", tt.err, err, tt.want)
			}
		})
	}
}

// The library's PortError codes cannot be built outside the library, so
// they are exercised through real opens and reads in port_test.go; here
// the code table is checked through a port error the library does build.
func TestClassifyLibraryBusy(t *testing.T) {
	var zero serial.PortError // the zero code is PortBusy in v1.8.0
	if err := classify("open", "COM3", &zero, false); !errors.Is(err, ErrBusy) {
		t.Fatalf("classify(PortBusy) = %v, want ErrBusy", err)
	}
}

func TestParseVIDPID(t *testing.T) {
	tests := []struct {
		in       string
		vid, pid string
		ok       bool
	}{
		{"1a86:7523", "1A86", "7523", true},
		{"0x0403:0x6001", "0403", "6001", true},
		{" 67b:2303 ", "067B", "2303", true},
		{"1a86", "", "", false},
		{"1a86:", "", "", false},
		{"zzzz:7523", "", "", false},
		{"12345:1", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			vid, pid, err := ParseVIDPID(tt.in)
			if (err == nil) != tt.ok || vid != tt.vid || pid != tt.pid {
				t.Fatalf("ParseVIDPID(%q) = %q, %q, %v; want %q, %q, ok=%v", tt.in, vid, pid, err, tt.vid, tt.pid, tt.ok)
			}
		})
	}
}

func TestFindUSB(t *testing.T) {
	listPorts = func(...func(vid, pid string) bool) ([]*enumerator.PortDetails, error) {
		return []*enumerator.PortDetails{
			{Name: "/dev/ttyS0"},
			{Name: "/dev/ttyUSB1", IsUSB: true, VID: "1a86", PID: "7523", SerialNumber: "B", Product: "USB Serial"},
			{Name: "/dev/ttyUSB0", IsUSB: true, VID: "1a86", PID: "7523", SerialNumber: "A", Product: "USB Serial"},
			{Name: "/dev/ttyACM0", IsUSB: true, VID: "0403", PID: "6001", SerialNumber: "FT1"},
		}, nil
	}
	t.Cleanup(func() { listPorts = enumerator.GetDetailedPortsList })

	ports, err := List()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ports[0].Name, "/dev/ttyACM0"; got != want || len(ports) != 4 {
		t.Errorf("List()[0] = %s, want %s (sorted)", got, want)
	}
	if got, want := ports[0].VIDPID(), "0403:6001"; got != want {
		t.Errorf("VIDPID() = %s, want %s", got, want)
	}
	tests := []struct {
		vidpid, serial string
		want           string
		wantErr        error
	}{
		{"0403:6001", "", "/dev/ttyACM0", nil},
		{"1A86:7523", "A", "/dev/ttyUSB0", nil},
		{"1a86:7523", "B", "/dev/ttyUSB1", nil},
		{"1a86:7523", "", "", errors.New("ambiguous")},
		{"10c4:ea60", "", "", ErrNotFound},
		{"1a86:7523", "C", "", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.vidpid+"/"+tt.serial, func(t *testing.T) {
			got, err := FindUSB(tt.vidpid, tt.serial)
			if tt.wantErr == nil {
				if err != nil || got.Name != tt.want {
					t.Fatalf("FindUSB = %s, %v; want %s", got.Name, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("FindUSB = %s, want an error", got.Name)
			}
			if errors.Is(tt.wantErr, ErrNotFound) != errors.Is(err, ErrNotFound) {
				t.Fatalf("FindUSB error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// fakeLibPort is a library port whose reads time out the library's way:
// (0, nil).
type fakeLibPort struct {
	serial.Port
	timeouts []time.Duration
}

func (f *fakeLibPort) SetReadTimeout(d time.Duration) error {
	f.timeouts = append(f.timeouts, d)
	return nil
}
func (f *fakeLibPort) Read([]byte) (int, error)    { time.Sleep(time.Millisecond); return 0, nil }
func (f *fakeLibPort) Write(b []byte) (int, error) { return len(b), nil }
func (f *fakeLibPort) SetMode(*serial.Mode) error  { return nil }
func (f *fakeLibPort) Close() error                { return nil }

func TestPacingFollowsBaud(t *testing.T) {
	fake := &fakeLibPort{}
	openPort = func(string, *serial.Mode) (serial.Port, error) { return fake, nil }
	t.Cleanup(func() { openPort = serial.Open })

	tests := []struct {
		name      string
		opts      Options
		wantPace  int // pacer baud after open; 0 = no pacer
		afterBaud int // pacer baud after SetBaud(9600)
	}{
		{"none", Options{}, 0, 0},
		{"line rate", Options{Baud: 115200, Pace: true}, 115200, 9600},
		{"fixed rate", Options{Baud: 115200, PaceBytesPerSecond: 2000}, 20000, 20000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Open("fake", &tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			baudOf := func() int {
				if p.pacer == nil {
					return 0
				}
				return p.pacer.Baud()
			}
			if got := baudOf(); got != tt.wantPace {
				t.Fatalf("pacer baud = %d, want %d", got, tt.wantPace)
			}
			if err := p.SetBaud(9600); err != nil {
				t.Fatal(err)
			}
			if got := baudOf(); got != tt.afterBaud {
				t.Fatalf("pacer baud after SetBaud(9600) = %d, want %d", got, tt.afterBaud)
			}
		})
	}
}

// The library's (0, nil) timeout never reaches the caller: Read keeps
// polling in short slices until the deadline and then reports it.
func TestLibraryTimeoutBecomesDeadline(t *testing.T) {
	fake := &fakeLibPort{}
	openPort = func(string, *serial.Mode) (serial.Port, error) { return fake, nil }
	t.Cleanup(func() { openPort = serial.Open })
	p, err := Open("fake", nil)
	if err != nil {
		t.Fatal(err)
	}
	p.SetReadDeadline(time.Now().Add(5 * time.Millisecond))
	n, err := p.Read(make([]byte, 4))
	if n != 0 || !isDeadline(err) {
		t.Fatalf("Read = %d, %v; want a deadline error", n, err)
	}
	for _, d := range fake.timeouts {
		if d <= 0 || d > pollSlice {
			t.Fatalf("library read timeout %v, want within (0, %v]", d, pollSlice)
		}
	}
}

func isDeadline(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

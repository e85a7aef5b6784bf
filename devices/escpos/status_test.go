package escpos_test

import (
	"errors"
	"testing"

	"github.com/shcommunity/kiosk/devices/escpos"
)

func TestParseStatus(t *testing.T) {
	all := []error{escpos.ErrOffline, escpos.ErrCoverOpen, escpos.ErrPaperOut, escpos.ErrCutter,
		escpos.ErrUnrecoverable, escpos.ErrAutoRecoverable, escpos.ErrMechanical}
	tests := []struct {
		name    string
		replies [4]byte
		want    escpos.Status
		errs    []error // conditions Err must match, and no others
	}{
		{"ready", [4]byte{0x12, 0x12, 0x12, 0x12}, escpos.Status{}, nil},
		// A printer out of paper (docs/escpos.md, "Real-time status: DLE
		// EOT").
		{"paper out", [4]byte{0x1A, 0x32, 0x12, 0x7E}, escpos.Status{Offline: true, PaperEndStop: true, PaperNearEnd: true, PaperEnd: true},
			[]error{escpos.ErrPaperOut, escpos.ErrOffline}},
		{"cover open", [4]byte{0x1A, 0x16, 0x12, 0x12}, escpos.Status{Offline: true, CoverOpen: true},
			[]error{escpos.ErrCoverOpen, escpos.ErrOffline}},
		{"near end only", [4]byte{0x12, 0x12, 0x12, 0x1E}, escpos.Status{PaperNearEnd: true}, nil},
		{"near end, one bit", [4]byte{0x12, 0x12, 0x12, 0x16}, escpos.Status{PaperNearEnd: true}, nil},
		{"cutter", [4]byte{0x1A, 0x52, 0x1A, 0x12}, escpos.Status{Offline: true, ErrorOccurred: true, CutterError: true},
			[]error{escpos.ErrCutter, escpos.ErrOffline}},
		{"unrecoverable", [4]byte{0x1A, 0x52, 0x32, 0x12}, escpos.Status{Offline: true, ErrorOccurred: true, Unrecoverable: true},
			[]error{escpos.ErrUnrecoverable, escpos.ErrOffline}},
		{"head overheated", [4]byte{0x12, 0x12, 0x52, 0x12}, escpos.Status{AutoRecoverable: true},
			[]error{escpos.ErrAutoRecoverable, escpos.ErrOffline}},
		{"mechanical", [4]byte{0x12, 0x12, 0x16, 0x12}, escpos.Status{MechanicalError: true},
			[]error{escpos.ErrMechanical, escpos.ErrOffline}},
		{"offline, no cause", [4]byte{0x1A, 0x12, 0x12, 0x12}, escpos.Status{Offline: true}, []error{escpos.ErrOffline}},
		{"drawer and button", [4]byte{0x56, 0x1A, 0x12, 0x12}, escpos.Status{DrawerOpen: true, FeedButton: true, FeedingByBtn: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := escpos.ParseStatus(tt.replies)
			if err != nil {
				t.Fatalf("ParseStatus(% x): %v", tt.replies, err)
			}
			if got != tt.want {
				t.Errorf("ParseStatus(% x)\n got %+v\nwant %+v", tt.replies, got, tt.want)
			}
			err = got.Err()
			if (err == nil) != (len(tt.errs) == 0) {
				t.Fatalf("Err() = %v, want conditions %v", err, tt.errs)
			}
			for _, e := range all {
				want := false
				for _, w := range tt.errs {
					want = want || w == e
				}
				if errors.Is(err, e) != want {
					t.Errorf("errors.Is(%v, %v) = %v, want %v", err, e, !want, want)
				}
			}
			var se *escpos.StatusError
			if len(tt.errs) > 0 && (!errors.As(err, &se) || se.Status != got) {
				t.Errorf("errors.As StatusError: %v", err)
			}
		})
	}
}

func TestStatusBytePattern(t *testing.T) {
	tests := []struct {
		b    byte
		want bool
	}{
		{0x12, true}, {0x1A, true}, {0x7E, true}, {0x72, true},
		{0x10, false}, // ASB first byte 0xx1xx00
		{0x11, false}, // XON
		{0x13, false}, // XOFF
		{0x00, false}, // GS r: 0xx0xxxx
		{0x02, false},
		{0x92, false}, // bit 7 set
	}
	for _, tt := range tests {
		if got := escpos.IsStatusByte(tt.b); got != tt.want {
			t.Errorf("IsStatusByte(%#02x) = %v, want %v", tt.b, got, tt.want)
		}
		var s escpos.Status
		if err := s.Set(escpos.StatusPrinter, tt.b); (err == nil) != tt.want || (err != nil && !errors.Is(err, escpos.ErrBadStatus)) {
			t.Errorf("Set(%#02x) = %v", tt.b, err)
		}
	}
	var s escpos.Status
	if err := s.Set(5, 0x12); !errors.Is(err, escpos.ErrInvalidArgument) {
		t.Errorf("Set(5, …) = %v, want ErrInvalidArgument", err)
	}
}

func TestStatusByteRoundTrip(t *testing.T) {
	// Every combination of the fourteen flags survives Byte then Set.
	for m := range 1 << 14 {
		bit := func(i int) bool { return m&(1<<i) != 0 }
		s := escpos.Status{
			DrawerOpen: bit(0), Offline: bit(1), WaitingRecovery: bit(2), FeedButton: bit(3),
			CoverOpen: bit(4), FeedingByBtn: bit(5), PaperEndStop: bit(6), ErrorOccurred: bit(7),
			MechanicalError: bit(8), CutterError: bit(9), Unrecoverable: bit(10), AutoRecoverable: bit(11),
			PaperNearEnd: bit(12), PaperEnd: bit(13),
		}
		var r [4]byte
		for n := range 4 {
			r[n] = s.Byte(escpos.StatusKind(n + 1))
		}
		got, err := escpos.ParseStatus(r)
		if err != nil || got != s {
			t.Fatalf("round trip of %+v via % x: got %+v, %v", s, r, got, err)
		}
	}
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte{0x12, 0x12, 0x12, 0x12})
	f.Add([]byte{0x1A, 0x32, 0x12, 0x7E})
	f.Add([]byte{0x10, 0x11, 0x13, 0x00})
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		var r [4]byte
		copy(r[:], b)
		s, err := escpos.ParseStatus(r)
		ok := true
		for _, c := range r {
			ok = ok && escpos.IsStatusByte(c)
		}
		if (err == nil) != ok {
			t.Fatalf("ParseStatus(% x) = %v; all bytes have the pattern: %v", r, err, ok)
		}
		if err != nil {
			if !errors.Is(err, escpos.ErrBadStatus) {
				t.Fatalf("ParseStatus(% x) error %v does not wrap ErrBadStatus", r, err)
			}
			return
		}
		// Replies 1 to 3 use every variable bit and come back exactly.
		for n := 1; n <= 3; n++ {
			if got := s.Byte(escpos.StatusKind(n)); got != r[n-1] {
				t.Errorf("Byte(%d) = %#02x, want %#02x", n, got, r[n-1])
			}
		}
		// A printer reported unable to print is never without an error.
		if (s.Offline || s.CoverOpen || s.PaperEnd || s.CutterError) && s.Err() == nil {
			t.Errorf("status %+v has no error", s)
		}
	})
}

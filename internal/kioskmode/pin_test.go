package kioskmode_test

import (
	"errors"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/internal/kioskmode"
)

// cheap keeps the tests quick; the cost comes from the hash string.
var cheap = api.Argon2Params{Time: 1, Memory: 8, Threads: 1}

func hash(t *testing.T, pin string) string {
	t.Helper()
	h, err := kioskmode.HashPINWith(pin, cheap)
	if err != nil {
		t.Fatalf("HashPINWith(%q): %v", pin, err)
	}
	return h
}

func TestValidPIN(t *testing.T) {
	tests := []struct {
		pin  string
		want error
	}{
		{"123456", nil},
		{"000000000000", nil},
		{"12345", kioskmode.ErrBadPIN},
		{"1234567890123", kioskmode.ErrBadPIN},
		{"12345a", kioskmode.ErrBadPIN},
		{"１２３４５６", kioskmode.ErrBadPIN}, // full-width digits
		{"", kioskmode.ErrBadPIN},
	}
	for _, tt := range tests {
		t.Run(tt.pin, func(t *testing.T) {
			if got := kioskmode.ValidPIN(tt.pin); !errors.Is(got, tt.want) {
				t.Errorf("ValidPIN(%q) = %v, want %v", tt.pin, got, tt.want)
			}
		})
	}
	if _, err := kioskmode.HashPINWith("12", cheap); !errors.Is(err, kioskmode.ErrBadPIN) {
		t.Errorf("HashPINWith(short) err = %v, want ErrBadPIN", err)
	}
}

func TestGuard(t *testing.T) {
	h := hash(t, "246810")
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	type step struct {
		pin     string
		advance time.Duration // before the attempt
		want    error
	}
	tests := []struct {
		name  string
		hash  string
		steps []step
	}{
		{"right PIN", h, []step{{"246810", 0, nil}}},
		{"wrong then right", h, []step{{"111111", 0, kioskmode.ErrWrongPIN}, {"246810", 0, nil}}},
		{"success resets the count", h, []step{
			{"1", 0, kioskmode.ErrWrongPIN}, {"2", 0, kioskmode.ErrWrongPIN}, {"246810", 0, nil},
			{"1", 0, kioskmode.ErrWrongPIN}, {"2", 0, kioskmode.ErrWrongPIN}, {"246810", 0, nil}}},
		{"lockout refuses even the right PIN", h, []step{
			{"1", 0, kioskmode.ErrWrongPIN}, {"2", 0, kioskmode.ErrWrongPIN}, {"3", 0, kioskmode.ErrLockedOut},
			{"246810", time.Minute, kioskmode.ErrLockedOut}}},
		{"lockout ends", h, []step{
			{"1", 0, kioskmode.ErrWrongPIN}, {"2", 0, kioskmode.ErrWrongPIN}, {"3", 0, kioskmode.ErrLockedOut},
			{"246810", 10 * time.Minute, nil}}},
		{"no PIN set", "", []step{{"246810", 0, kioskmode.ErrNoPIN}}},
		{"damaged hash", "$argon2id$garbage", []step{{"246810", 0, api.ErrBadHash}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &kioskmode.Guard{Hash: tt.hash, MaxAttempts: 3, Lockout: 10 * time.Minute, Now: clock}
			for i, s := range tt.steps {
				now = now.Add(s.advance)
				got := g.Check(s.pin)
				if s.want == nil && got != nil || !errors.Is(got, s.want) {
					t.Fatalf("step %d: Check(%q) = %v, want %v", i, s.pin, got, s.want)
				}
			}
		})
	}
}

func TestLockedErrorSaysUntil(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	g := &kioskmode.Guard{Hash: hash(t, "246810"), MaxAttempts: 1, Lockout: time.Minute, Now: func() time.Time { return now }}
	if got := g.Remaining(); got != 1 {
		t.Errorf("Remaining = %d, want 1", got)
	}
	err := g.Check("000000")
	var le *kioskmode.LockedError
	if !errors.As(err, &le) {
		t.Fatalf("Check = %v, want a *LockedError", err)
	}
	if want := now.Add(time.Minute); !le.Until.Equal(want) {
		t.Errorf("Until = %v, want %v", le.Until, want)
	}
	if got, want := le.Error(), "too many wrong exit PINs: try again after 09:01:00"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func BenchmarkCheckDefaultCost(b *testing.B) {
	h, err := kioskmode.HashPIN("246810")
	if err != nil {
		b.Fatal(err)
	}
	g := &kioskmode.Guard{Hash: h}
	for b.Loop() {
		if err := g.Check("246810"); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzValidPIN(f *testing.F) {
	for _, s := range []string{"123456", "12345", "12345a", "１２３４５６", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pin string) {
		err := kioskmode.ValidPIN(pin)
		digits := len(pin) >= kioskmode.MinPINLength && len(pin) <= kioskmode.MaxPINLength
		for _, r := range pin {
			digits = digits && r >= '0' && r <= '9'
		}
		if (err == nil) != digits {
			t.Errorf("ValidPIN(%q) = %v, want valid=%v", pin, err, digits)
		}
	})
}

package kioskmode_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/internal/kioskmode"
)

func TestValidHash(t *testing.T) {
	good := hash(t, "246810")
	tests := []struct {
		name string
		h    string
		ok   bool
	}{
		{"HashPINWith", good, true},
		{"empty", "", false},
		{"argon2i", "$argon2i$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", false},
		{"old version", "$argon2id$v=16$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", false},
		{"hostile memory", "$argon2id$v=19$m=99999999,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", false},
		{"no threads", "$argon2id$v=19$m=8,t=1,p=0$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", false},
		{"short salt", "$argon2id$v=19$m=8,t=1,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAA", false},
		{"bad base64", "$argon2id$v=19$m=8,t=1,p=1$!!!!!!!!!!!$AAAAAAAAAAAAAAAAAAAAAA", false},
		{"the PIN itself", "246810", false},
		{"minimal", "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := kioskmode.ValidHash(tt.h)
			if (err == nil) != tt.ok {
				t.Fatalf("ValidHash(%q) = %v, want ok %v", tt.h, err, tt.ok)
			}
			if err != nil && !errors.Is(err, api.ErrBadHash) {
				t.Errorf("ValidHash(%q) = %v, want api.ErrBadHash", tt.h, err)
			}
		})
	}
}

// FuzzValidHash checks that a string ValidHash accepts is one Guard can
// compare against (cheap parameters only, to keep the fuzzer fast).
func FuzzValidHash(f *testing.F) {
	for _, s := range []string{"", "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=8,t=1,p=1x$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if kioskmode.ValidHash(h) != nil {
			return
		}
		var m, tm uint32
		var p uint8
		var rest string
		if n, _ := fmt.Sscanf(h, "$argon2id$v=19$m=%d,t=%d,p=%d%s", &m, &tm, &p, &rest); n < 3 || m > 1024 || tm > 2 || p > 4 {
			return
		}
		if _, err := api.CheckPassword(h, "246810"); err != nil {
			t.Errorf("ValidHash accepted %q but CheckPassword says %v", h, err)
		}
	})
}

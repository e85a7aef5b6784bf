package kioskmode

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
)

// ExitShortcut is the key combination that opens the exit PIN dialog in
// kiosk mode. Residents are not told it; a worker types the PIN after it.
const ExitShortcut = "Ctrl+Alt+Shift+Q"

// PIN length bounds: digits only, so a touch keypad can enter it.
const (
	MinPINLength = 6
	MaxPINLength = 12
)

// Defaults of Guard.
const (
	DefaultMaxAttempts = 5
	DefaultLockout     = 5 * time.Minute
)

var (
	// ErrWrongPIN: the PIN does not match.
	ErrWrongPIN = errors.New("wrong exit PIN")
	// ErrNoPIN: no exit PIN is set, so kiosk mode cannot be left from
	// the screen; a technician sets one (kioskctl) or stops the program.
	ErrNoPIN = errors.New("no exit PIN is set: a technician must set one")
	// ErrLockedOut matches a *LockedError.
	ErrLockedOut = errors.New("too many wrong exit PINs")
	// ErrBadPIN: a PIN given to HashPIN is not 6 to 12 digits.
	ErrBadPIN = fmt.Errorf("exit PIN must be %d to %d digits", MinPINLength, MaxPINLength)
)

// LockedError says until when the exit dialog refuses every PIN.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return fmt.Sprintf("too many wrong exit PINs: try again after %s", e.Until.Format("15:04:05"))
}

// Is makes errors.Is(err, ErrLockedOut) true.
func (e *LockedError) Is(target error) bool { return target == ErrLockedOut }

// ValidPIN reports whether pin is acceptable as an exit PIN: MinPINLength
// to MaxPINLength ASCII digits.
func ValidPIN(pin string) error {
	if len(pin) < MinPINLength || len(pin) > MaxPINLength {
		return ErrBadPIN
	}
	for i := 0; i < len(pin); i++ {
		if pin[i] < '0' || pin[i] > '9' {
			return ErrBadPIN
		}
	}
	return nil
}

// HashPIN returns the hash to store in the settings for pin, with the
// workers' password cost (api.DefaultArgon2).
func HashPIN(pin string) (string, error) { return HashPINWith(pin, api.DefaultArgon2) }

// HashPINWith is HashPIN with explicit cost parameters (tests use cheap
// ones).
func HashPINWith(pin string, p api.Argon2Params) (string, error) {
	if err := ValidPIN(pin); err != nil {
		return "", err
	}
	return api.HashPassword(pin, p)
}

// Guard checks exit PINs and locks the dialog after MaxAttempts failures
// in a row for Lockout. The zero value with Hash set is ready to use; it
// is safe for concurrent use. The failure count lives in memory: a
// restart clears it, and a restart needs the PIN or a technician.
type Guard struct {
	// Hash is the stored PIN hash (HashPIN); empty means no PIN is set.
	Hash string
	// MaxAttempts is the failures allowed before a lockout; 0 means
	// DefaultMaxAttempts.
	MaxAttempts int
	// Lockout is how long the dialog stays locked; 0 means
	// DefaultLockout.
	Lockout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu          sync.Mutex
	failures    int
	lockedUntil time.Time
}

// Check returns nil if pin is the exit PIN. Otherwise it returns an error
// matching ErrWrongPIN, ErrLockedOut (a *LockedError; the PIN is not even
// compared), ErrNoPIN, or api.ErrBadHash for a damaged stored hash.
func (g *Guard) Check(pin string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if now.Before(g.lockedUntil) {
		return &LockedError{Until: g.lockedUntil}
	}
	if g.Hash == "" {
		return ErrNoPIN
	}
	ok, err := api.CheckPassword(g.Hash, pin)
	if err != nil {
		return fmt.Errorf("exit PIN: %w", err)
	}
	if ok {
		g.failures = 0
		return nil
	}
	g.failures++
	if g.failures >= g.maxAttempts() {
		g.failures = 0
		g.lockedUntil = now.Add(g.lockout())
		return &LockedError{Until: g.lockedUntil}
	}
	return ErrWrongPIN
}

// Remaining returns how many more wrong PINs lock the dialog.
func (g *Guard) Remaining() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.maxAttempts() - g.failures
}

func (g *Guard) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

func (g *Guard) maxAttempts() int {
	if g.MaxAttempts > 0 {
		return g.MaxAttempts
	}
	return DefaultMaxAttempts
}

func (g *Guard) lockout() time.Duration {
	if g.Lockout > 0 {
		return g.Lockout
	}
	return DefaultLockout
}

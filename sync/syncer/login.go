package syncer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/sync/localstore"
)

// Lockout policy for offline logins.
const (
	MaxLoginFailures = 5
	LockoutDuration  = 15 * time.Minute
)

// ErrBadLogin is the one answer for an unknown worker, a disabled one or
// a wrong password, so that the screen does not reveal which.
var ErrBadLogin = errors.New("worker id or password not accepted")

// LockedError says a worker is locked out, and until when. It matches
// ErrLocked.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return fmt.Sprintf("worker locked out until %s", e.Until.Format(time.RFC3339))
}

// ErrLocked matches every *LockedError.
var ErrLocked = errors.New("worker locked out")

// Is lets errors.Is(err, ErrLocked) match.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Login checks a worker's password against the slow hash cached from the
// service (argon2id, with the parameters in the hash: api.CheckPassword,
// the service's own check), without the network. After MaxLoginFailures
// consecutive failures the worker is locked out for LockoutDuration by
// the service-corrected clock, persisted so that a restart does not
// reset it. Every attempt is audited.
func (e *Engine) Login(ctx context.Context, workerID, password string) (localstore.Worker, error) {
	w, err := e.st.Worker(ctx, workerID)
	if errors.Is(err, localstore.ErrNotFound) {
		e.auditLogin(ctx, workerID, "login_unknown_worker")
		return localstore.Worker{}, ErrBadLogin
	}
	if err != nil {
		return localstore.Worker{}, err
	}
	now := e.clock.Now()
	if now.Before(w.LockedUntil) {
		e.auditLogin(ctx, workerID, "login_locked")
		return localstore.Worker{}, &LockedError{Until: w.LockedUntil}
	}
	ok, herr := api.CheckPassword(w.PasswordHash, password)
	if herr != nil || !ok || w.Disabled {
		failures, until := w.Failures+1, time.Time{}
		if failures >= MaxLoginFailures {
			failures, until = 0, now.Add(LockoutDuration)
		}
		err := e.st.InTx(ctx, func(tx *localstore.Tx) error {
			if err := tx.SetLoginState(workerID, failures, until); err != nil {
				return err
			}
			_, err := tx.Audit(workerID, "login_failed", localstore.ResidentKey{}, "")
			return err
		})
		if err != nil {
			return localstore.Worker{}, err
		}
		if !until.IsZero() {
			return localstore.Worker{}, &LockedError{Until: until}
		}
		return localstore.Worker{}, ErrBadLogin
	}
	err = e.st.InTx(ctx, func(tx *localstore.Tx) error {
		if err := tx.SetLoginState(workerID, 0, time.Time{}); err != nil {
			return err
		}
		_, err := tx.Audit(workerID, "login", localstore.ResidentKey{}, "offline check")
		return err
	})
	w.Failures, w.LockedUntil = 0, time.Time{}
	return w, err
}

func (e *Engine) auditLogin(ctx context.Context, workerID, action string) {
	e.st.InTx(ctx, func(tx *localstore.Tx) error {
		_, err := tx.Audit(workerID, action, localstore.ResidentKey{}, "")
		return err
	})
}

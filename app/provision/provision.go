package provision

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shcommunity/kiosk/app/config"
	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/setup"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

// Request is what provisioning takes, from the first-run screen or
// `kioskctl provision`: the service's URL, the one-time code and the
// service fingerprint an administrator gave together, the centre's name
// and the mode; and, when chosen, the reader's and the printer's ports
// and the paper width ("" keeps what the configuration has).
type Request struct {
	URL, Code, Fingerprint, Centre string
	Mode                           flow.Mode
	Reader, Printer                string
	// Paper is "58mm" or "80mm" (or "58", "80").
	Paper string
}

// ErrInvalid matches every error of Request.Validate, a *FieldError.
var ErrInvalid = errors.New("invalid provisioning request")

// ErrRegister matches an error of the registration itself: the service
// out of reach, the fingerprint not matching, the code refused. Nothing
// was written to the configuration.
var ErrRegister = errors.New("registration failed")

// FieldError is a request's field that cannot be used, and why.
type FieldError struct {
	Field string // "url", "code", "fingerprint", "centre", "mode", "paper"
	Err   error
}

func (e *FieldError) Error() string { return "provision: " + e.Field + ": " + e.Err.Error() }

// Unwrap returns ErrInvalid and the cause.
func (e *FieldError) Unwrap() []error { return []error{ErrInvalid, e.Err} }

// Validate checks the request before anything is sent: the URL as the
// client will accept it (https, or plain http to this machine only), a
// code, a fingerprint of the right form, a centre, one of the three modes
// and a paper width the printer profiles have.
func (r Request) Validate() error {
	bad := func(field string, err error) error { return &FieldError{Field: field, Err: err} }
	if err := client.CheckURL(strings.TrimSpace(r.URL)); err != nil {
		return bad("url", err)
	}
	if strings.TrimSpace(r.Code) == "" {
		return bad("code", errors.New("the one-time provisioning code is missing"))
	}
	if _, ok := api.NormalFingerprint(r.Fingerprint); !ok {
		return bad("fingerprint", fmt.Errorf("the service fingerprint has %d characters of A-Z and 2-7, in groups", api.FingerprintLen))
	}
	if strings.TrimSpace(r.Centre) == "" {
		return bad("centre", errors.New("the centre's name is missing"))
	}
	if flow.ParseMode(string(r.Mode)) != r.Mode {
		return bad("mode", fmt.Errorf("%q is not self, counter or venue", r.Mode))
	}
	if r.Paper != "" {
		if _, ok := setup.Paper(r.Paper); !ok {
			return bad("paper", fmt.Errorf("%q is not 58 or 80 (mm)", r.Paper))
		}
	}
	return nil
}

// Apply writes the request into a configuration: the service URL, the
// centre, the mode, and the ports and paper width that were chosen.
func (r Request) Apply(cfg config.Config) config.Config {
	cfg.ServiceURL, cfg.Centre, cfg.Mode = strings.TrimSpace(r.URL), strings.TrimSpace(r.Centre), r.Mode
	if r.Reader != "" {
		cfg.Reader.Port, cfg.Reader.USB, cfg.Reader.Serial = strings.TrimSpace(r.Reader), "", ""
	}
	if r.Printer != "" {
		cfg.Printer.Port, cfg.Printer.USB, cfg.Printer.Serial = strings.TrimSpace(r.Printer), "", ""
	}
	if p, ok := setup.Paper(r.Paper); ok {
		cfg.PrinterProfile = p.Name
	}
	return cfg
}

// Needed reports whether the kiosk still has to be provisioned: its
// store holds no identity, or its configuration no service URL. The
// kiosk shows the first-run screen then.
func Needed(ctx context.Context, st *localstore.Store, cfg config.Config) (bool, error) {
	_, err := syncer.LoadIdentity(ctx, st)
	if errors.Is(err, syncer.ErrNotRegistered) || (err == nil && cfg.ServiceURL == "") {
		return true, nil
	}
	return false, err
}

// Run validates r, registers the kiosk with the service (syncer.Register:
// the kiosk's new signing key and the service's keys go into st and its
// key file), then writes r into cfg and saves it at path. It returns the
// identity and the configuration as saved. A registration that fails
// writes nothing; a configuration that cannot be saved leaves the kiosk
// registered but without a service URL, so that the first-run screen
// comes back and a new code finishes it.
func Run(ctx context.Context, st *localstore.Store, cfg config.Config, path string, r Request, timeout time.Duration) (syncer.Identity, config.Config, error) {
	if err := r.Validate(); err != nil {
		return syncer.Identity{}, cfg, err
	}
	next := r.Apply(cfg)
	if err := next.Validate(); err != nil {
		return syncer.Identity{}, cfg, err
	}
	id, err := syncer.Register(ctx, st, client.Provisioning{BaseURL: next.ServiceURL, Code: strings.TrimSpace(r.Code),
		Fingerprint: r.Fingerprint, Name: next.Centre, Timeout: timeout})
	if err != nil {
		return syncer.Identity{}, cfg, fmt.Errorf("%w: %w", ErrRegister, err)
	}
	if err := config.Save(path, next); err != nil {
		return id, cfg, err
	}
	return id, next, nil
}

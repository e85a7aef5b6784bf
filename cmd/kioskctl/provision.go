package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shcommunity/kiosk/app/config"
	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/provision"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

// cmdProvision does what the first-run screen does, without a display:
// it registers the kiosk with the code service and writes the
// configuration the screen would write (app/provision), for scripted
// roll-outs.
func cmdProvision(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("kioskctl provision", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var r provision.Request
	fset.StringVar(&r.URL, "url", "", "the code service's `URL` (https://…; plain http only to this machine)")
	fset.StringVar(&r.Code, "code", "", "the one-time provisioning `code` from `codeservice admin device provision`")
	fset.StringVar(&r.Fingerprint, "fingerprint", "", "the service fingerprint printed with the code")
	fset.StringVar(&r.Centre, "centre", "", "the centre's `name`, printed on every slip")
	mode := fset.String("mode", "", "self, counter or venue")
	fset.StringVar(&r.Reader, "reader", "", "the card reader's serial `port` (kioskctl ports lists them; default: the configuration's)")
	fset.StringVar(&r.Printer, "printer", "", "the printer's serial `port` (default: the configuration's)")
	fset.StringVar(&r.Paper, "paper", "", "paper width: 58 or 80 (mm; default: the configuration's, else 58)")
	path := fset.String("config", "", "the kiosk's configuration file (default: the user's config directory)")
	if err := fset.Parse(args); err != nil {
		return fail(exitUsage, "", err)
	}
	if fset.NArg() > 0 {
		return fail(exitUsage, "", fmt.Errorf("unexpected argument %q", fset.Arg(0)))
	}
	r.Mode = flow.Mode(*mode)
	if err := r.Validate(); err != nil {
		return fail(exitUsage, fieldAdvice(err), err)
	}
	cfg, where, _, err := configOrDefault(*path)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, where)
	if err != nil {
		return err
	}
	defer st.Close()
	if needed, err := provision.Needed(ctx, st, cfg); err != nil {
		return err
	} else if !needed {
		id, _ := syncer.LoadIdentity(ctx, st)
		return fail(exitUsage, "to provision it again, wipe it first (packaging/PACKAGING.md, \"Wiping a kiosk\")",
			fmt.Errorf("this kiosk is already registered as device %s with %s", id.DeviceID, cfg.ServiceURL))
	}
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	id, saved, err := provision.Run(rctx, st, cfg, where, r, 30*time.Second)
	if err != nil {
		return provisionFailure(err)
	}
	fmt.Fprintf(stdout, "Registered as device %s with %s; the configuration is in %s (mode %s, reader %s, printer %s, paper %s).\n",
		id.DeviceID, saved.ServiceURL, where, saved.Mode, orNone(saved.Reader.Port), orNone(saved.Printer.Port), saved.PrinterProfile)
	fmt.Fprintln(stdout, "Next: kioskctl set-exit-pin, then kioskctl doctor.")
	return nil
}

// configOrDefault reads the configuration at path (the default one when
// path is ""), or the defaults when there is none yet (fresh), and says
// which file it is.
func configOrDefault(path string) (cfg config.Config, where string, fresh bool, err error) {
	if path == "" {
		if path, err = config.DefaultPath(); err != nil {
			return config.Config{}, "", false, err
		}
	}
	cfg, err = config.Load(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return config.Default(), path, true, nil
	case err != nil:
		return config.Config{}, path, false, fail(exitUsage, "fix or remove the configuration file; the kiosk's first-run screen or kioskctl provision writes a new one", err)
	}
	return cfg, path, false, nil
}

// openStore opens (or makes) the local database where the kiosk keeps
// it, with its key file.
func openStore(ctx context.Context, cfg config.Config, path string) (*localstore.Store, error) {
	where, err := cfg.ResolveStore(path)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(where.Path), 0o700); err != nil {
		return nil, fmt.Errorf("local database: %w", err)
	}
	st, err := localstore.Open(ctx, where.Path, localstore.Options{KeyFile: keyFile(cfg)})
	if err != nil {
		return nil, fail(exitInternal, "run `kioskctl doctor`: its database line says what is wrong", err)
	}
	return st, nil
}

// provisionFailure maps a failed provisioning to its exit code and what
// to do.
func provisionFailure(err error) error {
	var ae *api.Error
	switch {
	case errors.Is(err, provision.ErrInvalid):
		return fail(exitUsage, fieldAdvice(err), err)
	case errors.Is(err, client.ErrFingerprint):
		return fail(exitProvision, "check the fingerprint and the URL against what the administrator gave; the code was not sent and is still good", err)
	case errors.As(err, &ae) && ae.Status/100 == 4:
		return fail(exitProvision, "the code is unknown, used or expired (they last 24 h): ask the administrator for a new one", err)
	case errors.Is(err, provision.ErrRegister):
		return fail(exitProvision, "check the URL and the network (kioskctl doctor has a line for the service), then try again", err)
	}
	return err
}

// fieldAdvice says what to give for a field that cannot be used.
func fieldAdvice(err error) string {
	var fe *provision.FieldError
	if !errors.As(err, &fe) {
		return ""
	}
	switch fe.Field {
	case "url":
		return "give --url https://… as the administrator wrote it"
	case "mode":
		return "give --mode self, counter or venue"
	case "paper":
		return "give --paper 58 or --paper 80"
	}
	return "give --" + fe.Field + " as the administrator wrote it (" + strings.Join([]string{"--url", "--code", "--fingerprint", "--centre", "--mode"}, ", ") + " are required)"
}

func orNone(s string) string {
	if s == "" {
		return "not set"
	}
	return s
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/shcommunity/kiosk/app/config"
	"github.com/shcommunity/kiosk/app/wire"
	"github.com/shcommunity/kiosk/internal/doctor"
	"github.com/shcommunity/kiosk/sync/keystore"
)

// cmdDoctor checks the kiosk as configured (its config file) and prints
// one line per check; the exit status is 7 when a check failed.
func cmdDoctor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("kioskctl doctor", flag.ContinueOnError)
	fset.SetOutput(stderr)
	path := fset.String("config", "", "the kiosk's configuration file (default: the user's config directory)")
	contact := fset.String("contact-reader", "", "part of the PC/SC name of the contact reader the kiosk must have for social-security cards (default: the configuration's contact_reader; without either a missing reader only warns)")
	if err := fset.Parse(args); err != nil {
		return fail(exitUsage, "", err)
	}
	cfg, where, fresh, err := configOrDefault(*path)
	if err != nil {
		return err
	}
	if fresh {
		return fail(exitUsage, "start the kiosk once and provision it, or give --config", fmt.Errorf("no configuration at %s", where))
	}
	dc := doctorConfig(cfg, where)
	if *contact != "" {
		dc.ContactReader = *contact
	}
	ok, err := doctor.Run(ctx, dc, stdout)
	if err != nil {
		return err
	}
	if !ok {
		return fail(exitUnhealthy, "", errors.New("some checks failed (see the FAIL lines above)"))
	}
	return nil
}

// doctorConfig maps the kiosk's configuration onto what the doctor checks.
func doctorConfig(cfg config.Config, path string) doctor.Config {
	dev := func(d config.Device) doctor.Device {
		return doctor.Device{Port: d.Port, USB: d.USB, Serial: d.Serial, Baud: d.Baud}
	}
	contact := cfg.ContactReader
	if contact == config.ContactOff {
		contact = "" // no reader expected: a missing one only warns
	}
	return doctor.Config{
		ContactReader:  contact,
		Reader:         dev(cfg.Reader),
		Printer:        dev(cfg.Printer),
		PrinterProfile: cfg.Profile(),
		ServiceURL:     cfg.ServiceURL,
		DBPath:         cfg.StorePath(path),
		KeyFile:        keyFile(cfg),
		Purpose:        wire.ModePurpose(cfg.Mode),
	}
}

// keyFile is the kiosk's key file: the configuration's, else the
// default (sync/keystore), else none (the database check then says the
// keys are missing).
func keyFile(cfg config.Config) string {
	if cfg.KeyFile != "" {
		return cfg.KeyFile
	}
	p, _ := keystore.DefaultPath()
	return p
}

package doctor

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shcommunity/kiosk/devices/ssc"
)

// listPCSCReaders lists the readers the system's PC/SC service knows,
// through devices/ssc as the kiosk reaches them.
func listPCSCReaders() ([]string, error) {
	p, err := ssc.OpenPCSC()
	if err != nil {
		return nil, err
	}
	defer p.Close()
	return p.Readers()
}

// checkContactReader asks the PC/SC service for its readers: the service
// not running, no reader (or not the one configured), or the reader
// there. Without ContactReader in the settings the kiosk does not rely on
// the reader yet, and a missing one is only a warning.
func checkContactReader(cfg Config) Result {
	r := Result{Check: CheckContact}
	missing := Warn
	if cfg.ContactReader != "" {
		missing = Fail
	}
	readers, err := cfg.PCSCReaders()
	if err != nil {
		r.Level, r.Fix = missing, ssc.Remedy(err)+"."
		switch {
		case errors.Is(err, ssc.ErrNoService):
			r.Detail = "PC/SC service not running: no contact reader can be seen."
		default:
			r.Detail = fmt.Sprintf("the PC/SC service fails (%v).", err)
			r.Fix = "restart the PC/SC service (Linux: `sudo systemctl restart pcscd`; Windows: the Smart Card service)."
		}
		return r
	}
	var found []string
	for _, name := range readers {
		if strings.Contains(name, cfg.ContactReader) {
			found = append(found, name)
		}
	}
	switch {
	case len(readers) == 0:
		r.Level, r.Detail = missing, "the PC/SC service runs, but no smart-card reader is connected."
		r.Fix = ssc.Remedy(ssc.ErrNoReader) + "."
	case len(found) == 0:
		r.Level = missing
		r.Detail = fmt.Sprintf("no reader named like %q; the PC/SC service sees: %s.", cfg.ContactReader, strings.Join(readers, "; "))
		r.Fix = "plug in the configured reader, or correct its name in the settings."
	default:
		r.Detail = fmt.Sprintf("%s: present (PC/SC service running).", strings.Join(found, "; "))
	}
	return r
}

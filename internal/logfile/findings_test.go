package logfile_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/shcommunity/kiosk/internal/logfile"
	"github.com/shcommunity/kiosk/pii"
)

// TestFinding7LogScrubbing: the scrubber knew only 18-digit and 15-digit
// runs, so a 2017 foreign permanent resident number (three letters and
// twelve digits) and any number written with spaces or dashes reached the
// log in full; and stderr had a handler without the message scrubbing.
// Each now comes out masked, from the file handler, the stderr handler
// and the writer a command's last error goes through.
func TestFinding7LogScrubbing(t *testing.T) {
	numbers := map[string]string{
		"2017 foreign permanent resident": "USA123456789012",
		"resident, 6-8-4 spaces":          spaced(testID, " ", 6, 8),
		"resident, 4-4-4-4-2 spaces":      spaced(testID, " ", 4, 4, 4, 4),
		"resident, dashes":                spaced(testID, "-", 6, 8),
		"resident, ideographic spaces":    spaced(testID, "\u3000", 6, 8),
		"2017 foreign, spaced":            "USA 1234 5678 9012",
		"first generation, spaced":        spaced("110101900307425", " ", 6, 6),
		"residence permit, no separators": withCheck("81000019900307425"),
		"2023 foreign permanent, spaced":  spaced(withCheck("93315619800101123"), " ", 6, 8),
	}
	for name, n := range numbers {
		t.Run(name, func(t *testing.T) {
			compact := strings.ToUpper(stripSeps(n))
			outs := map[string]string{}
			var file, stderr, last bytes.Buffer
			for _, h := range []slog.Handler{logfile.NewHandler(&file, nil), logfile.NewTextHandler(&stderr, nil)} {
				slog.New(h).Info("card "+n+" read", "note", "holder "+n, "err", errors.New("refused "+n))
			}
			logfile.ScrubWriter(&last).Write([]byte("codeservice: event for " + n + ": refused\n"))
			outs["file"], outs["stderr"], outs["last error"] = file.String(), stderr.String(), last.String()
			for where, out := range outs {
				if l := leaks(out, compact); l != "" {
					t.Errorf("%s holds %q of %q:\n%s", where, l, n, out)
				}
				if !strings.Contains(out, pii.MaskID(compact)[:1]+"*") {
					t.Errorf("%s lacks the masked form:\n%s", where, out)
				}
			}
		})
	}
}

package logfile_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/shcommunity/kiosk/internal/logfile"
	"github.com/shcommunity/kiosk/pii"
)

// BenchmarkLogToFile is one typical record through the redacting handler
// into a rotating file (rotation included, at the default size).
func BenchmarkLogToFile(b *testing.B) {
	w, err := logfile.Open(logfile.Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	log := slog.New(logfile.NewHandler(w, slog.LevelInfo))
	id := pii.IDNumber(testID)
	b.ReportAllocs()
	for b.Loop() {
		log.Info("Card read", "reader", "/dev/ttyUSB0", "id", id, "elapsedMs", 412, "note", "slip printed")
	}
}

// BenchmarkHandlerOnly is the handler's cost without the disk.
func BenchmarkHandlerOnly(b *testing.B) {
	log := slog.New(logfile.NewHandler(io.Discard, slog.LevelInfo))
	b.ReportAllocs()
	for b.Loop() {
		log.Info("Card read", "reader", "/dev/ttyUSB0", "elapsedMs", 412, "note", "slip printed for 110101199003074258")
	}
}

func BenchmarkScrubClean(b *testing.B) {
	s := "sync round done: pushed 3 items, pulled 12 changes, cursor 00000000001234"
	b.ReportAllocs()
	for b.Loop() {
		logfile.Scrub(s)
	}
}

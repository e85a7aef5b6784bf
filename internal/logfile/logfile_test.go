package logfile_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/internal/logfile"
	"github.com/shcommunity/kiosk/pii"
)

func open(t *testing.T, opts logfile.Options) *logfile.Writer {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	w, err := logfile.Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return string(b)
}

func TestRotation(t *testing.T) {
	tests := []struct {
		name      string
		keep      int
		records   int
		wantFiles []string // newest first, by content
	}{
		{"keeps two", 2, 7, []string{"r6\n", "r4\nr5\n", "r2\nr3\n"}},
		{"keeps one", 1, 5, []string{"r4\n", "r2\nr3\n"}},
		{"keeps none", -1, 5, []string{"r4\n"}},
		{"no rotation needed", 3, 2, []string{"r0\nr1\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each record is 3 bytes; 6 bytes hold two of them.
			w := open(t, logfile.Options{Name: "k", MaxSize: 6, Keep: tt.keep})
			for i := range tt.records {
				if _, err := fmt.Fprintf(w, "r%d\n", i); err != nil {
					t.Fatal(err)
				}
			}
			files := w.Files()
			if len(files) != len(tt.wantFiles) {
				t.Fatalf("files = %v, want %d files", files, len(tt.wantFiles))
			}
			for i, f := range files {
				if got := read(t, f); got != tt.wantFiles[i] {
					t.Errorf("%s = %q, want %q", filepath.Base(f), got, tt.wantFiles[i])
				}
			}
			if tt.keep > 0 {
				if _, err := os.Stat(filepath.Join(filepath.Dir(w.Path()), fmt.Sprintf("k.%d.log", tt.keep+1))); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("k.%d.log exists (err %v), want it deleted", tt.keep+1, err)
				}
			}
		})
	}
}

func TestRecordNeverSplit(t *testing.T) {
	w := open(t, logfile.Options{MaxSize: 10, Keep: 3})
	big := strings.Repeat("x", 25) + "\n"
	for _, rec := range []string{"a\n", big, "b\n"} {
		if _, err := w.Write([]byte(rec)); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"b\n", big, "a\n"}
	files := w.Files()
	if len(files) != len(want) {
		t.Fatalf("files = %v, want %d", files, len(want))
	}
	for i, f := range files {
		if got := read(t, f); got != want[i] {
			t.Errorf("%s = %q, want %q", filepath.Base(f), got, want[i])
		}
	}
}

func TestReopenAppendsAndCountsExistingSize(t *testing.T) {
	dir := t.TempDir()
	w := open(t, logfile.Options{Dir: dir, MaxSize: 8, Keep: 2})
	w.Write([]byte("123456\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, logfile.ErrClosed) {
		t.Errorf("Write after Close: err = %v, want ErrClosed", err)
	}
	w2 := open(t, logfile.Options{Dir: dir, MaxSize: 8, Keep: 2})
	w2.Write([]byte("next\n")) // 7+5 > 8: rotates first
	if got := read(t, w2.Path()); got != "next\n" {
		t.Errorf("current = %q, want %q", got, "next\n")
	}
	if got := read(t, filepath.Join(dir, "kiosk.1.log")); got != "123456\n" {
		t.Errorf("kiosk.1.log = %q, want the first session's record", got)
	}
}

func TestPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "logs")
	w := open(t, logfile.Options{Dir: dir})
	w.Write([]byte("x\n"))
	for path, want := range map[string]os.FileMode{dir: 0o700, w.Path(): 0o600} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s mode = %v, want %v", path, got, want)
		}
	}
}

func TestConcurrentWritesStayWhole(t *testing.T) {
	w := open(t, logfile.Options{MaxSize: 200, Keep: 100})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				fmt.Fprintf(w, "goroutine %d record %02d\n", g, i)
			}
		}()
	}
	wg.Wait()
	lines := 0
	for _, f := range w.Files() {
		for _, l := range strings.Split(strings.TrimSuffix(read(t, f), "\n"), "\n") {
			var g, i int
			if n, err := fmt.Sscanf(l, "goroutine %d record %d", &g, &i); n != 2 || err != nil {
				t.Errorf("torn line %q in %s", l, filepath.Base(f))
			}
			lines++
		}
	}
	if lines != 200 {
		t.Errorf("lines = %d, want 200", lines)
	}
}

func TestDefaultDir(t *testing.T) {
	data := t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	t.Setenv("LocalAppData", data)
	got, err := logfile.DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(data, logfile.AppDir, "logs"); got != want {
		t.Errorf("DefaultDir = %q, want %q", got, want)
	}
	dd, err := logfile.DataDir()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(data, logfile.AppDir); dd != want {
		t.Errorf("DataDir = %q, want %q", dd, want)
	}
}

// A valid citizen ID number (check digit per GB 11643) invented for tests.
const testID = "110101199003074258"

func TestScrub(t *testing.T) {
	tests := []struct{ in, want string }{
		{"card " + testID + " read", "card " + pii.MaskID(testID) + " read"},
		{testID, pii.MaskID(testID)},
		{"two " + testID + "," + testID, "two " + pii.MaskID(testID) + "," + pii.MaskID(testID)},
		{"bad check 110101199003074259", "bad check 110101199003074259"},
		{"longer run 1101011990030742581", "longer run 1101011990030742581"},
		{"old card 110101900307425 ok", "old card " + pii.MaskID("110101900307425") + " ok"},
		{"short 12345", "short 12345"},
		{"lower x 11010119900307001x.", "lower x 11010119900307001x."},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := logfile.Scrub(tt.in); got != tt.want {
				t.Errorf("Scrub(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHandlerKeepsPersonalDataOut(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(logfile.NewHandler(&buf, slog.LevelDebug))
	id := pii.IDNumber(testID)
	log.Info("card read "+testID, "id", id, "name", "张三", "holder", pii.Name("李四"),
		"note", "number "+testID, "err", fmt.Errorf("lookup %s: %w", testID, errors.New("boom")), "count", 3)
	log.With("id_number", testID).WithGroup("card").Info("grouped", "Name", "王五")
	out := buf.String()
	for _, secret := range []string{testID, "张三", "李四", "王五"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &first); err != nil {
		t.Fatalf("first record is not JSON: %v\n%s", err, out)
	}
	wants := map[string]any{
		"msg": "card read " + pii.MaskID(testID), "id": pii.Redacted, "name": pii.Redacted,
		"holder": pii.Redacted, "note": "number " + pii.MaskID(testID), "count": float64(3),
		"err": "lookup " + pii.MaskID(testID) + ": boom",
	}
	for k, want := range wants {
		if got := first[k]; got != want {
			t.Errorf("%s = %#v, want %#v", k, got, want)
		}
	}
}

func FuzzScrub(f *testing.F) {
	f.Add("card " + testID + " read")
	f.Add(testID + testID)
	f.Add("11010119900307425X")
	f.Add("x110101900307425y")
	f.Fuzz(func(t *testing.T, s string) {
		got := logfile.Scrub(s)
		if got != logfile.Scrub(got) {
			t.Errorf("Scrub is not idempotent on %q: %q then %q", s, got, logfile.Scrub(got))
		}
		// No valid 18-character ID number standing on its own survives.
		for i := 0; i+18 <= len(got); i++ {
			c := got[i : i+18]
			if _, err := pii.ParseIDNumber(c, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil &&
				(i == 0 || !isDigit(got[i-1])) && (i+18 == len(got) || !isDigitX(got[i+18])) {
				t.Errorf("Scrub(%q) = %q keeps an ID number", s, got)
			}
		}
	})
}

func isDigit(b byte) bool  { return b >= '0' && b <= '9' }
func isDigitX(b byte) bool { return isDigit(b) || b == 'X' || b == 'x' }

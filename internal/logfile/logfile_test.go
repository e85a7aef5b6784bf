package logfile_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
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

// layouts generate an ID number of each layout Scrub knows from a seed;
// the 18-character ones get their right check digit.
var layouts = []func(r *rand.Rand) string{
	func(r *rand.Rand) string {
		return withCheck(fmt.Sprintf("%06d%s%03d", 110000+r.IntN(550000), birth(r), r.IntN(1000)))
	},
	func(r *rand.Rand) string {
		return withCheck(fmt.Sprintf("8%d0000%s%03d", 1+r.IntN(3), birth(r), r.IntN(1000)))
	},
	func(r *rand.Rand) string {
		return withCheck(fmt.Sprintf("9%05d%s%03d", r.IntN(100000), birth(r), r.IntN(1000)))
	},
	func(r *rand.Rand) string {
		l := func() byte { return byte('A' + r.IntN(26)) }
		return fmt.Sprintf("%c%c%c%012d", l(), l(), l(), r.Int64N(1e12))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("%06d%s%03d", 110000+r.IntN(550000), birth(r)[2:], r.IntN(1000))
	},
}

func birth(r *rand.Rand) string {
	return time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(45000)).Format("20060102")
}

func withCheck(first17 string) string {
	c, err := pii.CheckDigit(first17)
	if err != nil {
		panic(err)
	}
	return first17 + string(c)
}

// spaced writes id in groups of the given sizes joined by sep.
func spaced(id, sep string, groups ...int) string {
	var parts []string
	for _, g := range groups {
		if g >= len(id) {
			break
		}
		parts, id = append(parts, id[:g]), id[g:]
	}
	return strings.Join(append(parts, id), sep)
}

// styles are the ways people write a number down.
var styles = []func(id string) string{
	func(id string) string { return id },
	func(id string) string { return spaced(id, " ", 6, 8) },
	func(id string) string { return spaced(id, " ", 4, 4, 4, 4) },
	func(id string) string { return spaced(id, "-", 6, 8) },
	func(id string) string { return spaced(id, "\u00a0", 6, 8) },
	func(id string) string { return spaced(id, "\u3000", 3, 3, 3, 3, 3) },
	func(id string) string { return spaced(id, "  ", 6, 4, 4) },
	func(id string) string { return spaced(id, " ", 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1) },
	func(id string) string { return spaced(id, " - ", 3, 3) },
	func(id string) string { return strings.ToLower(id) },
}

// delims stand between a number and the text around it; none of them is
// a separator, so the text cannot run into the number.
var delims = []string{"：", ",", "\n", "(", ")", "=", "\"", "。", "号"}

func stripSeps(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' || r == '\u00a0' || r == '\u3000' {
			return -1
		}
		return r
	}, s)
}

// leaks returns a run of 7 characters of the number (without
// separators) that text holds with its separators taken out, or "". A
// masked number keeps 5 of its characters, never 7 in a row.
func leaks(text, compact string) string {
	t := strings.ToUpper(stripSeps(text))
	for i := 0; i+7 <= len(compact); i++ {
		if strings.Contains(t, compact[i:i+7]) {
			return compact[i : i+7]
		}
	}
	return ""
}

// FuzzScrubLayouts puts a generated number of every layout, written in
// every style, into fuzzed text, and checks that the scrubbed text holds
// no part of it longer than the masked form keeps.
func FuzzScrubLayouts(f *testing.F) {
	for l := range layouts {
		for st := range styles {
			f.Add(uint64(l*31+st), uint8(l), uint8(st), uint8(st), "card read ", " ok")
		}
	}
	f.Add(uint64(7), uint8(0), uint8(1), uint8(2), "卡号 12", "34 printed")
	f.Fuzz(func(t *testing.T, seed uint64, layout, style, delim uint8, before, after string) {
		r := rand.New(rand.NewPCG(seed, seed>>7))
		id := layouts[int(layout)%len(layouts)](r)
		written := styles[int(style)%len(styles)](id)
		d := delims[int(delim)%len(delims)]
		compact := strings.ToUpper(id)
		if leaks(before+d+after, compact) != "" {
			t.Skip("the text around holds part of the number itself")
		}
		in := before + d + written + d + after
		got := logfile.Scrub(in)
		if l := leaks(got, compact); l != "" {
			t.Errorf("Scrub(%q) = %q keeps %q of %q", in, got, l, id)
		}
		if again := logfile.Scrub(got); again != got {
			t.Errorf("Scrub is not idempotent on %q: %q then %q", in, got, again)
		}
	})
}

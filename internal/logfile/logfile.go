package logfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// AppDir is the directory name the kiosk uses under the user's config and
// data directories, on every system; the same as app/config's.
const AppDir = "shcommunity-kiosk"

// Defaults for Options.
const (
	DefaultMaxSize = 1 << 20 // 1 MiB per file
	DefaultKeep    = 5       // rotated files kept beside the current one
)

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("log file closed")

// Options configure Open.
type Options struct {
	// Dir is the directory of the log files, created (mode 0700) if
	// missing. Empty means DefaultDir().
	Dir string
	// Name is the base name: "kiosk" gives kiosk.log, kiosk.1.log, ...
	// Empty means "kiosk".
	Name string
	// MaxSize is the size in bytes a file may reach before the next
	// record goes to a new one; 0 means DefaultMaxSize.
	MaxSize int64
	// Keep is how many rotated files are kept; 0 means DefaultKeep, a
	// negative value keeps none (the current file is truncated instead).
	Keep int
}

// Writer appends to a log file and rotates it by size. It is safe for
// concurrent use; each Write is kept whole in one file, as a slog handler
// writes one record per call.
type Writer struct {
	dir, name string
	maxSize   int64
	keep      int

	mu   sync.Mutex
	f    *os.File
	size int64
}

// DataDir returns the kiosk's data directory, for files that must stay on
// this machine (the logs, the local database): Linux
// $XDG_DATA_HOME/shcommunity-kiosk (default ~/.local/share/...), Windows
// %LocalAppData%\shcommunity-kiosk. It is not created.
func DataDir() (string, error) {
	d, err := dataHome()
	if err != nil {
		return "", fmt.Errorf("data directory: %w", err)
	}
	return filepath.Join(d, AppDir), nil
}

// DefaultDir returns the kiosk's log directory: the "logs" directory in
// DataDir (Linux: $XDG_DATA_HOME/shcommunity-kiosk/logs, Windows:
// %LocalAppData%\shcommunity-kiosk\logs).
func DefaultDir() (string, error) {
	d, err := DataDir()
	if err != nil {
		return "", fmt.Errorf("log directory: %w", err)
	}
	return filepath.Join(d, "logs"), nil
}

// Open opens (appending) or creates the current log file.
func Open(opts Options) (*Writer, error) {
	w := &Writer{dir: opts.Dir, name: opts.Name, maxSize: opts.MaxSize, keep: opts.Keep}
	if w.dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return nil, err
		}
		w.dir = d
	}
	if w.name == "" {
		w.name = "kiosk"
	}
	if w.maxSize <= 0 {
		w.maxSize = DefaultMaxSize
	}
	if w.keep == 0 {
		w.keep = DefaultKeep
	}
	if err := os.MkdirAll(w.dir, 0o700); err != nil {
		return nil, fmt.Errorf("log directory: %w", err)
	}
	if err := w.open(); err != nil {
		return nil, err
	}
	return w, nil
}

// Path returns the path of the current log file.
func (w *Writer) Path() string { return w.path(0) }

// Files returns the paths of the log files that exist, newest first.
func (w *Writer) Files() []string {
	var out []string
	for i := 0; i <= max(w.keep, 0); i++ {
		if _, err := os.Stat(w.path(i)); err == nil {
			out = append(out, w.path(i))
		}
	}
	return out
}

func (w *Writer) path(i int) string {
	if i == 0 {
		return filepath.Join(w.dir, w.name+".log")
	}
	return filepath.Join(w.dir, w.name+"."+strconv.Itoa(i)+".log")
}

func (w *Writer) open() error {
	f, err := os.OpenFile(w.path(0), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open log file: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("open log file: %w", err)
	}
	w.f, w.size = f, st.Size()
	return nil
}

// Write appends p to the current file, rotating first if p would take the
// file past MaxSize. A p larger than MaxSize goes whole into a file of its
// own.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return 0, ErrClosed
	}
	if w.size > 0 && w.size+int64(len(p)) > w.maxSize {
		if err := w.rotate(); err != nil {
			if w.f == nil {
				return 0, err
			}
			// Keep logging into the old file: a full log beats no log.
		}
	}
	n, err := w.f.Write(p)
	w.size += int64(n)
	if err != nil {
		return n, fmt.Errorf("write log file: %w", err)
	}
	return n, nil
}

// Rotate starts a new file now, as if the current one were full.
func (w *Writer) Rotate() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return ErrClosed
	}
	return w.rotate()
}

// rotate closes the current file before renaming it, which Windows
// requires, and reopens a file whatever happens.
func (w *Writer) rotate() error {
	if err := w.f.Close(); err != nil {
		w.f = nil
		if oerr := w.open(); oerr != nil {
			return oerr
		}
		return fmt.Errorf("rotate log file: %w", err)
	}
	w.f = nil
	var rerr error
	if w.keep < 0 {
		if err := os.Truncate(w.path(0), 0); err != nil {
			rerr = fmt.Errorf("rotate log file: %w", err)
		}
	} else {
		if err := os.Remove(w.path(w.keep)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			rerr = fmt.Errorf("rotate log file: %w", err)
		}
		for i := w.keep - 1; i >= 0 && rerr == nil; i-- {
			if err := os.Rename(w.path(i), w.path(i+1)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				rerr = fmt.Errorf("rotate log file: %w", err)
			}
		}
	}
	if err := w.open(); err != nil {
		return err
	}
	return rerr
}

// Close closes the current file. Later writes fail with ErrClosed.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	if err != nil {
		return fmt.Errorf("close log file: %w", err)
	}
	return nil
}

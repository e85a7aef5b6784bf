package logfile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
)

// dataHome is the user's data directory: $XDG_DATA_HOME or ~/.local/share
// on Unix, %LocalAppData% on Windows (machine-local: logs and databases do
// not belong in a roaming profile), ~/Library/Application Support on macOS.
func dataHome() (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LocalAppData"); d != "" {
			return d, nil
		}
		return "", errors.New("%LocalAppData% is not set")
	case "darwin", "ios":
		return os.UserConfigDir()
	}
	if d := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		// The specification says a relative path is invalid and ignored.
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "share"), nil
}

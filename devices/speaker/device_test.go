package speaker_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/shcommunity/kiosk/devices/speaker"
)

// TestDeviceThroughALSANull plays through the real device code (Oto over
// ALSA) on any Linux machine, sound card or not: ALSA is given a
// configuration whose default device is its "null" plugin, which takes
// samples and discards them. Oto allows one device a process, so this is
// the package's only test that opens one.
func TestDeviceThroughALSANull(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the ALSA null device is Linux's")
	}
	conf := filepath.Join(t.TempDir(), "asound.conf")
	if err := os.WriteFile(conf, []byte("pcm.!default { type null }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ALSA_CONFIG_PATH", conf)
	out, err := speaker.Device(speaker.Rate)
	if err != nil {
		t.Fatalf("Device on ALSA's null device: %v", err)
	}
	c := tone(speaker.Rate / 2)
	for s := c.Samples; len(s) > 0; s = s[min(441, len(s)):] {
		if err := out.Write(s[:min(441, len(s))]); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	out.Drop()
	if err := out.Write(c.Samples[:441]); err != nil {
		t.Fatalf("Write after Drop: %v", err)
	}
	if err := out.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// A second device in the same process is refused (Oto's rule), which
	// a Player turns into silence with one log line.
	if _, err := speaker.Device(speaker.Rate); err == nil {
		t.Error("a second Device in one process opened")
	}
	if err := out.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := out.Write(c.Samples[:441]); !errors.Is(err, speaker.ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
}

package pcsclab_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/shcommunity/kiosk/devices/ssc/pcsclab"
)

func TestNotInstalled(t *testing.T) {
	_, err := pcsclab.Start(context.Background(), &pcsclab.Options{Pcscd: t.TempDir() + "/no-pcscd"})
	if !errors.Is(err, pcsclab.ErrNotInstalled) || !strings.Contains(err.Error(), "scripts/deps.sh") {
		t.Fatalf("err = %v, want ErrNotInstalled saying how to install", err)
	}
}

func TestOneLabAProcess(t *testing.T) {
	started, err := pcsclab.StartForTests()
	l := pcsclab.Need(t, started, err)
	defer l.Stop()
	if got := os.Getenv(pcsclab.SocketEnv); got != l.Socket || !strings.HasPrefix(l.Env(), pcsclab.SocketEnv+"=") {
		t.Errorf("%s = %q, lab socket %q", pcsclab.SocketEnv, got, l.Socket)
	}
	if len(l.Readers) != 2 || l.Readers[0].Addr == l.Readers[1].Addr {
		t.Errorf("readers %+v", l.Readers)
	}
	if _, err := pcsclab.Start(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "already runs") {
		t.Errorf("a second lab at once: %v", err)
	}
	l.Stop()
	if _, err := os.Stat(l.Socket); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket left after Stop: %v", err)
	}
	l2, err := pcsclab.Start(context.Background(), nil)
	if err != nil {
		t.Fatalf("a lab after the first stopped: %v", err)
	}
	defer l2.Stop()
	if l2.Socket != l.Socket {
		t.Errorf("second lab's socket %q, want the process's one %q", l2.Socket, l.Socket)
	}
}

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/app/config"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/server/servertest"
	"github.com/shcommunity/kiosk/internal/x11test"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

// TestMain runs the program itself when a test starts this binary as a
// kiosk (KIOSK_TEST_MAIN=1, the kiosk's flags as the arguments): the
// shutdown tests run the real program, window and all, under a private
// Xvfb, without building it again.
func TestMain(m *testing.M) {
	if os.Getenv("KIOSK_TEST_MAIN") == "1" {
		if os.Getenv("KIOSK_TEST_UI_HANG") == "1" {
			uiReturned = func() { select {} } // as Fyne's loop once did: never back
		}
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// display starts a private Xvfb for a test, or skips the test where Xvfb
// cannot be had and KIOSK_SKIP_XVFB is set.
func display(t *testing.T) string {
	t.Helper()
	s, err := x11test.StartXvfb(1366, 768)
	if errors.Is(err, x11test.ErrNoXvfb) && os.Getenv("KIOSK_SKIP_XVFB") != "" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s.Display
}

// running is the program started by a test.
type running struct {
	t      *testing.T
	cmd    *exec.Cmd
	tmp    string // its TMPDIR
	mu     sync.Mutex
	stderr strings.Builder
	up     chan struct{} // closed at "UI started"
	exited chan struct{}
	err    error
}

// startProgram runs this test binary as the kiosk with args, with a home,
// configuration directory and TMPDIR of its own.
func startProgram(t *testing.T, disp string, args ...string) *running {
	t.Helper()
	return startProgramEnv(t, disp, nil, args...)
}

// startProgramEnv is startProgram with env added to its environment.
func startProgramEnv(t *testing.T, disp string, env []string, args ...string) *running {
	t.Helper()
	home := t.TempDir()
	r := &running{t: t, tmp: filepath.Join(home, "tmp"), up: make(chan struct{}), exited: make(chan struct{})}
	if err := os.Mkdir(r.tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	r.cmd = exec.Command(os.Args[0], args...)
	r.cmd.Env = append(os.Environ(), "KIOSK_TEST_MAIN=1", "DISPLAY="+disp, "HOME="+home, "TMPDIR="+r.tmp,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"), "LANG=C", "LC_ALL=C")
	r.cmd.Env = append(r.cmd.Env, env...)
	pipe, err := r.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	r.cmd.Stdout = io.Discard
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(pipe)
		once := sync.OnceFunc(func() { close(r.up) })
		for sc.Scan() {
			r.mu.Lock()
			r.stderr.WriteString(sc.Text() + "\n")
			r.mu.Unlock()
			if strings.Contains(sc.Text(), "UI started") {
				once()
			}
		}
	}()
	go func() {
		<-scanned
		r.err = r.cmd.Wait()
		close(r.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-r.exited:
		default:
			r.cmd.Process.Kill()
			<-r.exited
		}
	})
	return r
}

func (r *running) log() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stderr.String()
}

// waitUp waits for the UI to start and its window to be mapped.
func (r *running) waitUp(disp, title string) uint32 {
	r.t.Helper()
	select {
	case <-r.up:
	case <-r.exited:
		r.t.Fatalf("the program exited at start (%v):\n%s", r.err, r.log())
	case <-time.After(2 * time.Minute):
		r.t.Fatalf("the UI did not start within 2 minutes:\n%s", r.log())
	}
	x, err := x11test.Dial(disp)
	if err != nil {
		r.t.Fatal(err)
	}
	defer x.Close()
	deadline := time.Now().Add(time.Minute)
	for {
		w, ok, err := x.Find(title)
		if err != nil {
			r.t.Fatal(err)
		}
		if ok {
			return w
		}
		if time.Now().After(deadline) {
			ts, _ := x.Titles()
			r.t.Fatalf("no window %q; windows: %v", title, ts)
		}
		time.Sleep(100 * time.Millisecond) // the X server's state, polled
	}
}

// closeWindow closes the window as a window manager does.
func (r *running) closeWindow(disp string, w uint32) {
	r.t.Helper()
	x, err := x11test.Dial(disp)
	if err != nil {
		r.t.Fatal(err)
	}
	defer x.Close()
	if err := x.CloseWindow(w); err != nil {
		r.t.Fatal(err)
	}
}

// wantCleanExit waits for the program to exit and checks that it exited
// 0 without a panic, having said why it stopped, and that it left nothing
// in its TMPDIR.
func (r *running) wantCleanExit(why string) {
	r.t.Helper()
	select {
	case <-r.exited:
	case <-time.After(time.Minute):
		// SIGQUIT makes the Go runtime print every goroutine's stack and
		// exit: where it hangs is then in the failure.
		r.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-r.exited:
		case <-time.After(10 * time.Second):
		}
		r.t.Fatalf("the program did not exit within a minute; its goroutines after SIGQUIT:\n%s", r.log())
	}
	out := r.log()
	if r.err != nil {
		r.t.Errorf("exit: %v, want status 0\n%s", r.err, out)
	}
	for _, bad := range []string{"panic", "goroutine ", "GLFW"} {
		if strings.Contains(out, bad) {
			r.t.Errorf("the log has %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, "why="+quoteIfNeeded(why)) || !strings.Contains(out, "Stopped") {
		r.t.Errorf("the log does not say it shut down for %q:\n%s", why, out)
	}
	left, err := os.ReadDir(r.tmp)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, e := range left {
		r.t.Errorf("left in TMPDIR: %s", e.Name())
	}
}

func quoteIfNeeded(s string) string {
	if strings.ContainsAny(s, " =\"") {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// provisioned makes a kiosk registered with a code service served here
// (the reference service on a loopback port, for as long as the test
// runs), and returns its configuration file and its database. The reader
// and the printer are on ports that do not exist: the kiosk runs without
// them and says so.
func provisioned(t *testing.T) (configPath, dbPath string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	svc := servertest.At(t, filepath.Join(dir, "codes.db"), server.Options{})
	srv := servertest.Serve(t, svc)
	code, _, err := svc.ProvisionDevice(ctx, "test kiosk", api.RoleSelfService)
	if err != nil {
		t.Fatal(err)
	}
	dbPath = filepath.Join(dir, "data", "kiosk.db")
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, "data", "kiosk.key")
	st, err := localstore.Open(ctx, dbPath, localstore.Options{KeyFile: keyPath})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := syncer.Register(ctx, st, client.Provisioning{BaseURL: srv.URL, Code: code, Fingerprint: svc.Fingerprint(nil),
		Name: "测试服务点"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.ServiceURL, cfg.Centre, cfg.Store, cfg.KeyFile = srv.URL, "测试服务点", dbPath, keyPath
	cfg.Reader = config.Device{Port: filepath.Join(dir, "no-reader")}
	cfg.Printer = config.Device{Port: filepath.Join(dir, "no-printer")}
	cfg.Muted = true
	configPath = filepath.Join(dir, "config.json")
	if err := config.Save(configPath, cfg); err != nil {
		t.Fatal(err)
	}
	return configPath, dbPath
}

// wantStoreClosed checks that the kiosk's database is there and that
// SQLite checkpointed and removed its write-ahead log and shared memory
// files, which it does when the last connection closes.
func wantStoreClosed(t *testing.T, db string) {
	t.Helper()
	if _, err := os.Stat(db); err != nil {
		t.Errorf("the database: %v", err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(db + suffix); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind (%v): the store was not closed", filepath.Base(db+suffix), err)
		}
	}
}

// TestShutdown runs a provisioned kiosk and stops it each way a kiosk is
// stopped: its window's close button, SIGTERM (systemd, logout, the
// Windows console's close) and SIGINT (Ctrl+C). Each ends with status 0,
// the store closed and nothing left in TMPDIR.
func TestShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the program under Xvfb")
	}
	disp := display(t)
	for _, tc := range []struct {
		name, why string
		stop      func(r *running, w uint32)
	}{
		{"window", "window closed", func(r *running, w uint32) { r.closeWindow(disp, w) }},
		{"SIGTERM", "signal", func(r *running, _ uint32) { r.cmd.Process.Signal(syscall.SIGTERM) }},
		{"SIGINT", "signal", func(r *running, _ uint32) { r.cmd.Process.Signal(os.Interrupt) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, db := provisioned(t)
			r := startProgram(t, disp, "--config", cfg, "--log-dir", t.TempDir(), "--width", "1280", "--height", "720")
			w := r.waitUp(disp, windowTitle)
			tc.stop(r, w)
			r.wantCleanExit(tc.why)
			wantStoreClosed(t, db)
		})
	}
}

// TestShutdownUIHang: when the UI loop never returns after a SIGTERM (as
// Fyne's once did), the kiosk still shuts down without it: status 0, the
// store closed, nothing left in TMPDIR, and the log says why. The program
// (KIOSK_TEST_UI_HANG) blocks just after the loop returns, which holds
// the main goroutine as the hung loop did; Fyne's race itself cannot be
// forced.
func TestShutdownUIHang(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the program under Xvfb")
	}
	disp := display(t)
	cfg, db := provisioned(t)
	r := startProgramEnv(t, disp, []string{"KIOSK_TEST_UI_HANG=1"}, "--config", cfg, "--log-dir", t.TempDir(), "--width", "1280", "--height", "720")
	r.waitUp(disp, windowTitle)
	r.cmd.Process.Signal(syscall.SIGTERM)
	r.wantCleanExit("signal")
	if !strings.Contains(r.log(), "The UI loop did not end; shutting down without it") {
		t.Errorf("the log does not say the UI loop did not end:\n%s", r.log())
	}
	wantStoreClosed(t, db)
}

// TestDemoShutdown closes the demo's window: status 0, and its
// temporary directory (the service's and the kiosk's databases) gone.
func TestDemoShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the program under Xvfb")
	}
	disp := display(t)
	r := startProgram(t, disp, "--demo", "--mute", "--width", "1280", "--height", "720")
	w := r.waitUp(disp, windowTitle)
	r.closeWindow(disp, w)
	r.wantCleanExit("window closed")
}

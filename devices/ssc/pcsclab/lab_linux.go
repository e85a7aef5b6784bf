package pcsclab

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Default paths of Debian's packages pcscd and vsmartcard-vpcd.
const (
	DefaultPcscd  = "/usr/sbin/pcscd"
	DefaultDriver = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
)

// SocketEnv is the variable libpcsclite reads for the daemon's socket.
const SocketEnv = "PCSCLITE_CSOCK_NAME"

// ErrNotInstalled: pcscd or the vpcd driver is missing.
var ErrNotInstalled = errors.New("pcsclab: pcscd or the vpcd driver is not installed (scripts/deps.sh pcscd vsmartcard-vpcd)")

// Options configure Start. The zero value is the default.
type Options struct {
	Pcscd  string // the daemon; "" means DefaultPcscd
	Driver string // vpcd's IFD handler; "" means DefaultDriver
	// Log receives the daemon's output; nil keeps only the last lines for
	// error messages.
	Log io.Writer
	// Timeout bounds the start; 0 means 10 s.
	Timeout time.Duration
}

// Reader is one vpcd reader of the lab: its PC/SC name and the address a
// virtual card connects to (sscsim.Options.Addr).
type Reader struct {
	Name string
	Addr string
}

// Lab is a running private pcscd.
type Lab struct {
	Dir     string   // the lab's directory
	Socket  string   // the daemon's client socket
	Readers []Reader // the two vpcd readers

	cmd     *exec.Cmd
	exited  chan struct{}
	tail    *tail
	stopped sync.Once
}

var (
	running sync.Mutex // held while a Lab runs: one per process
	dirOnce sync.Once
	dir     string
	dirErr  error
)

// processDir is the one directory of this process's labs.
func processDir() (string, error) {
	dirOnce.Do(func() {
		dir, dirErr = os.MkdirTemp("", "kiosk-pcsclab-")
	})
	return dir, dirErr
}

// Start starts a private pcscd with one vpcd entry and waits until it is
// ready. Stop it with Stop.
func Start(ctx context.Context, opts *Options) (*Lab, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Pcscd == "" {
		o.Pcscd = DefaultPcscd
	}
	if o.Driver == "" {
		o.Driver = DefaultDriver
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	for _, f := range []string{o.Pcscd, o.Driver} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrNotInstalled, err)
		}
	}
	if !running.TryLock() {
		return nil, errors.New("pcsclab: a lab already runs in this process (libpcsclite keeps one socket per process)")
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		lab, err := start(ctx, o)
		if err == nil {
			return lab, nil
		}
		lastErr = err
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	running.Unlock()
	return nil, lastErr
}

// errPortTaken: vpcd could not listen on the ports chosen (another
// program took them between the choice and the start); Start retries.
var errPortTaken = errors.New("pcsclab: vpcd's port was taken")

func start(ctx context.Context, o Options) (*Lab, error) {
	d, err := processDir()
	if err != nil {
		return nil, fmt.Errorf("pcsclab: %w", err)
	}
	port, err := freePortPair()
	if err != nil {
		return nil, err
	}
	conf, socket, lf, err := prepare(d, port, o.Driver)
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	if err := os.Setenv(SocketEnv, socket); err != nil {
		return nil, fmt.Errorf("pcsclab: %w", err)
	}

	// sd_listen_fds(3) wants LISTEN_PID to be the daemon's own pid, known
	// only once it runs: the shell's exec keeps its pid.
	cmd := exec.Command("/bin/sh", "-c", `LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" "$@"`,
		o.Pcscd, "--foreground", "--info", "--config", conf)
	cmd.ExtraFiles = []*os.File{lf} // descriptor 3, SD_LISTEN_FDS_START
	cmd.Env = append(os.Environ(), SocketEnv+"="+socket)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("pcsclab: %w", err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("pcsclab: start %s: %w", o.Pcscd, err)
	}
	lab := &Lab{Dir: d, Socket: socket, cmd: cmd, exited: make(chan struct{}), tail: &tail{}}
	ready := make(chan error, 1)
	go lab.follow(out, o.Log, ready)
	go func() {
		cmd.Wait()
		close(lab.exited)
	}()
	timer := time.NewTimer(o.Timeout)
	defer timer.Stop()
	select {
	case err = <-ready:
	case <-lab.exited:
		err = fmt.Errorf("pcsclab: pcscd exited at start: %s", lab.tail.String())
	case <-timer.C:
		err = fmt.Errorf("pcsclab: pcscd not ready after %v: %s", o.Timeout, lab.tail.String())
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		lab.kill()
		return nil, err
	}
	for slot := range 2 {
		lab.Readers = append(lab.Readers, Reader{
			Name: fmt.Sprintf("Kiosk VPCD 00 %02d", slot),
			Addr: fmt.Sprintf("127.0.0.1:%d", port+slot),
		})
	}
	return lab, nil
}

// prepare writes the lab's reader.conf.d and opens its listening client
// socket, whose file the daemon inherits.
func prepare(d string, port int, driver string) (conf, socket string, lf *os.File, err error) {
	conf = filepath.Join(d, "reader.conf.d")
	if err := os.MkdirAll(conf, 0o755); err != nil {
		return "", "", nil, fmt.Errorf("pcsclab: %w", err)
	}
	// reader.conf(5): DEVICENAME /dev/null:PORT makes vpcd wait for the
	// card on PORT (and PORT+1 for its second slot); CHANNELID repeats it.
	entry := fmt.Sprintf("FRIENDLYNAME \"Kiosk VPCD\"\nDEVICENAME   /dev/null:%d\nLIBPATH      %s\nCHANNELID    %d\n", port, driver, port)
	if err := os.WriteFile(filepath.Join(conf, "vpcd"), []byte(entry), 0o644); err != nil {
		return "", "", nil, fmt.Errorf("pcsclab: %w", err)
	}
	socket = filepath.Join(d, "pcscd.comm")
	os.Remove(socket)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: socket, Net: "unix"})
	if err != nil {
		return "", "", nil, fmt.Errorf("pcsclab: socket: %w", err)
	}
	ln.SetUnlinkOnClose(false)
	lf, err = ln.File()
	ln.Close() // the daemon holds its own copy from here on
	if err != nil {
		return "", "", nil, fmt.Errorf("pcsclab: socket: %w", err)
	}
	return conf, socket, lf, nil
}

var (
	readyLine = regexp.MustCompile(`daemon ready`)
	vpcdFail  = regexp.MustCompile(`Could not initialize connection to virtual ICC|Address already in use`)
)

// follow reads the daemon's output: it reports readiness (or vpcd's
// failure to listen) once, copies every line to log and keeps the last
// lines for error messages.
func (l *Lab) follow(r io.Reader, log io.Writer, ready chan<- error) {
	sc := bufio.NewScanner(r)
	reported := false
	report := func(err error) {
		if !reported {
			reported = true
			ready <- err
		}
	}
	for sc.Scan() {
		line := sc.Text()
		l.tail.add(line)
		if log != nil {
			fmt.Fprintln(log, line)
		}
		switch {
		case vpcdFail.MatchString(line):
			report(fmt.Errorf("%w: %s", errPortTaken, line))
		case readyLine.MatchString(line):
			report(nil)
		}
	}
}

// Env returns the variable a child process needs to reach the lab's
// daemon: PCSCLITE_CSOCK_NAME=socket.
func (l *Lab) Env() string { return SocketEnv + "=" + l.Socket }

// Stop ends the daemon (SIGTERM, then SIGKILL after 5 s), waits for it
// and removes the lab's directory, which the next Start in this process
// makes again at the same path (libpcsclite keeps the socket's path).
// Clients then get "service not running". A second call does nothing.
func (l *Lab) Stop() error {
	l.stopped.Do(func() {
		defer running.Unlock()
		l.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-l.exited:
		case <-time.After(5 * time.Second):
			l.kill()
		}
		os.RemoveAll(l.Dir)
	})
	return nil
}

// Crash kills the daemon as a crash would (SIGKILL, no shutdown) and
// waits for it. Its clients' sockets break at once, so they see "service
// not running" on their next call, the same on any machine; Stop's
// orderly shutdown may first answer calls under way with other errors.
func (l *Lab) Crash() {
	l.stopped.Do(func() {
		defer running.Unlock()
		l.kill()
	})
}

func (l *Lab) kill() {
	l.cmd.Process.Kill()
	<-l.exited
	os.RemoveAll(l.Dir)
}

// Output returns the daemon's last lines of output, for a test's failure
// message.
func (l *Lab) Output() string { return l.tail.String() }

// freePortPair finds a TCP port p such that p and p+1 are free on every
// interface, where vpcd listens.
func freePortPair() (int, error) {
	for range 20 {
		ln, err := net.Listen("tcp4", "0.0.0.0:0")
		if err != nil {
			return 0, fmt.Errorf("pcsclab: %w", err)
		}
		p := ln.Addr().(*net.TCPAddr).Port
		ln2, err := net.Listen("tcp4", fmt.Sprintf("0.0.0.0:%d", p+1))
		ln.Close()
		if err == nil {
			ln2.Close()
			return p, nil
		}
	}
	return 0, errors.New("pcsclab: found no two free neighbouring TCP ports")
}

// tail keeps the last lines of the daemon's output.
type tail struct {
	mu    sync.Mutex
	lines []string
}

func (t *tail) add(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, s)
	if len(t.lines) > 30 {
		t.lines = t.lines[1:]
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var b bytes.Buffer
	b.WriteString(strings.Join(t.lines, "\n"))
	return b.String()
}

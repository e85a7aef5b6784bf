package x11test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// ErrNoXvfb: the Xvfb program is not installed (scripts/deps.sh
// installs Debian's xvfb).
var ErrNoXvfb = errors.New("Xvfb is not installed (scripts/deps.sh installs the xvfb package)")

// Server is a running Xvfb.
type Server struct {
	// Display is the DISPLAY value of the server (":7").
	Display string
	cmd     *exec.Cmd
	done    chan error
}

// StartXvfb starts Xvfb with one screen of w × h pixels on a display
// number it picks itself (-displayfd), listening on its Unix socket
// only.
func StartXvfb(w, h int) (*Server, error) {
	bin, err := exec.LookPath("Xvfb")
	if err != nil {
		return nil, ErrNoXvfb
	}
	r, wr, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cmd := exec.Command(bin, "-displayfd", "3", "-screen", "0", fmt.Sprintf("%dx%dx24", w, h), "-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{wr}
	if err := cmd.Start(); err != nil {
		wr.Close()
		return nil, fmt.Errorf("xvfb: %w", err)
	}
	wr.Close()
	s := &Server{cmd: cmd, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(l)
	}()
	select {
	case n := <-line:
		if n == "" {
			s.Close()
			return nil, errors.New("xvfb: no display number")
		}
		s.Display = ":" + n
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("xvfb exited at start: %v", err)
	case <-time.After(30 * time.Second):
		s.Close()
		return nil, errors.New("xvfb: no display number within 30 s")
	}
}

// Close stops the server.
func (s *Server) Close() error {
	if s.cmd.Process != nil {
		s.cmd.Process.Kill()
	}
	<-s.done
	return nil
}

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// controller runs one text command ("place resident-green") and returns
// what to print back.
type controller func(line string) (string, error)

// errQuit ends the simulator from a control command.
var errQuit = errors.New("quit")

// commands maps a command's first word to what it does with the line's
// words.
type commands map[string]func(f []string) (string, error)

// controller answers cs, and help, quit and exit as every simulator
// does.
func (cs commands) controller(help string) controller {
	return func(line string) (string, error) {
		f := strings.Fields(line)
		switch f[0] {
		case "help":
			return help, nil
		case "quit", "exit":
			return "", errQuit
		}
		if do, ok := cs[f[0]]; ok {
			return do(f)
		}
		return "", fmt.Errorf("unknown command %q (type help)", f[0])
	}
}

// cardCommands are the commands of a card simulator: list the deck
// (cards, a line each), put a card down or in (verb: "place" or "insert",
// past: what the reply says) and take it away.
func cardCommands[C any](cards func() []C, line func(C) string, verb, past string, put func(label string) error, remove func()) commands {
	list := func([]string) (string, error) {
		var l []string
		for _, c := range cards() {
			l = append(l, strings.TrimRight(line(c), " "))
		}
		return strings.Join(l, "\n"), nil
	}
	return commands{
		"list": list,
		verb: func(f []string) (string, error) {
			if len(f) != 2 {
				return "", fmt.Errorf("usage: %s LABEL (list shows the labels)", verb)
			}
			if err := put(f[1]); err != nil {
				return "", err
			}
			return past + " " + f[1], nil
		},
		"remove": func([]string) (string, error) { remove(); return "removed", nil },
	}
}

// loadDeck is the deck at path, or the sample deck when path is "".
func loadDeck[D any](path string, sample func() *D, load func(string) (*D, error)) (*D, error) {
	if path == "" {
		return sample(), nil
	}
	return load(path)
}

// serveStdin feeds lines from r to c until r ends, ctx ends or a command
// asks to quit. Replies and errors go to w, one line each.
func serveStdin(ctx context.Context, r io.Reader, w io.Writer, mu *sync.Mutex, c controller) error {
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				// Standard input closed (for example under a supervisor):
				// keep serving until ctx ends.
				<-ctx.Done()
				return nil
			}
			if strings.TrimSpace(line) == "" {
				continue
			}
			out, err := c(line)
			mu.Lock()
			switch {
			case errors.Is(err, errQuit):
				mu.Unlock()
				return errQuit
			case err != nil:
				fmt.Fprintln(w, "error:", err)
			case out != "":
				fmt.Fprintln(w, out)
			}
			mu.Unlock()
		}
	}
}

// serveHTTP exposes c as POST /control (the body is one command line) on a
// loopback address, so a test or the demo window in another process can
// place cards and switch faults. It returns the address it listens on.
func serveHTTP(ctx context.Context, addr string, c controller) (string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("control address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		// The control port can change what the kiosk reads: never expose it.
		return "", fmt.Errorf("control address %q: only loopback addresses are allowed", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("control listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /control", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1024))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out, err := c(strings.TrimSpace(string(body)))
		if errors.Is(err, errQuit) {
			http.Error(w, "quit is only accepted on standard input", http.StatusForbidden)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintln(w, out)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	return ln.Addr().String(), nil
}

// session runs one simulator on its pty: the HTTP control endpoint when
// asked for, the simulator's Serve loop, and commands from standard input
// until they end, ctx ends or a command says quit.
type session struct {
	// serve is the simulator's Serve loop on master, or nil for one that
	// serves on its own (the cards in vpcd).
	serve   func(ctx context.Context, rw io.ReadWriter) error
	master  io.ReadWriter
	control string // loopback address for POST /control, or ""
	c       controller
	mu      *sync.Mutex // serialises writes to stdout with the simulator's own
}

func (s session) run(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	if s.control != "" {
		addr, err := serveHTTP(ctx, s.control, s.c)
		if err != nil {
			return err
		}
		s.mu.Lock()
		fmt.Fprintf(stdout, "control: http://%s/control\n", addr)
		s.mu.Unlock()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	served := make(chan error, 1)
	if s.serve != nil {
		go func() { served <- s.serve(ctx, s.master) }()
	} else {
		served <- nil
	}
	err := serveStdin(ctx, stdin, stdout, s.mu, s.c)
	cancel()
	if serr := <-served; serr != nil && !errors.Is(serr, context.Canceled) && err == nil {
		err = serr
	}
	if errors.Is(err, errQuit) {
		return nil
	}
	return err
}

// warnings is the simulators' log: warnings and errors, as text on w.
func warnings(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/shcommunity/kiosk/app/config"
	"github.com/shcommunity/kiosk/internal/kioskmode"
)

// hashPIN makes the stored hash; tests swap in a cheap one.
var hashPIN = kioskmode.HashPIN

// cmdSetExitPIN asks for the exit PIN of kiosk mode twice and writes its
// argon2id hash into the configuration as exit_pin_hash; the PIN itself
// is never stored or printed.
//
// On a terminal the PIN is read with echo off (stty on Unix, the console
// mode on Windows). Otherwise two lines are read from stdin:
// `printf '246810\n246810\n' | kioskctl set-exit-pin`.
func cmdSetExitPIN(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("kioskctl set-exit-pin", flag.ContinueOnError)
	fset.SetOutput(stderr)
	path := fset.String("config", "", "the kiosk's configuration file (default: the user's config directory)")
	if err := fset.Parse(args); err != nil {
		return fail(exitUsage, "", err)
	}
	if fset.NArg() > 0 {
		return fail(exitUsage, "type the PIN when asked, never on the command line", fmt.Errorf("unexpected argument %q", fset.Arg(0)))
	}
	cfg, where, fresh, err := configOrDefault(*path)
	if err != nil {
		return err
	}
	*path = where

	r := newPINReader(stdin, stderr)
	first, err := r.read(ctx, "New exit PIN (6 to 12 digits): ")
	if err != nil {
		return err
	}
	if err := kioskmode.ValidPIN(first); err != nil {
		return fail(exitUsage, "use 6 to 12 digits (0-9): the kiosk's keypad has nothing else", err)
	}
	again, err := r.read(ctx, "The same PIN again: ")
	if err != nil {
		return err
	}
	if again != first {
		return fail(exitUsage, "run the command again and type the same PIN twice", errors.New("the two PINs differ"))
	}
	h, err := hashPIN(first)
	if err != nil {
		return err
	}
	cfg.ExitPINHash = h
	if err := config.Save(*path, cfg); err != nil {
		return err
	}
	if fresh {
		fmt.Fprintf(stdout, "No configuration was at %s: it now holds the defaults and the exit PIN; the first-run screen fills in the rest.\n", *path)
	}
	fmt.Fprintf(stdout, "Exit PIN set: its hash is in %s (the PIN itself is not stored). Restart the kiosk to use it.\n", *path)
	return nil
}

// pinReader reads PIN lines from stdin, with echo off when stdin is a
// terminal.
type pinReader struct {
	in       *bufio.Reader
	terminal *os.File // stdin, when it is a terminal
	stderr   io.Writer
}

func newPINReader(stdin io.Reader, stderr io.Writer) *pinReader {
	r := &pinReader{in: bufio.NewReader(stdin), stderr: stderr}
	if f, ok := stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			r.terminal = f
		}
	}
	return r
}

// read prompts (on a terminal) and returns one line without its line
// ending.
func (r *pinReader) read(ctx context.Context, prompt string) (string, error) {
	if r.terminal != nil {
		fmt.Fprint(r.stderr, prompt)
		restore, err := r.echoOff()
		if err != nil {
			return "", err
		}
		defer func() {
			restore()
			fmt.Fprintln(r.stderr)
		}()
	}
	type result struct {
		line string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		line, err := r.in.ReadString('\n')
		done <- result{line, err}
	}()
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case res := <-done:
		line := strings.TrimRight(res.line, "\r\n")
		if res.err != nil && !(errors.Is(res.err, io.EOF) && line != "") {
			return "", fail(exitUsage, "type the PIN, or give it on stdin, one line each time", fmt.Errorf("no PIN read: %w", res.err))
		}
		return line, nil
	}
}

//go:build !windows

package main

import (
	"fmt"
	"os/exec"
	"strings"
)

// echoOff turns the terminal's echo off with stty and returns what puts
// the saved settings back.
func (r *pinReader) echoOff() (restore func(), err error) {
	saved, err := r.stty("-g")
	if err != nil {
		return nil, fmt.Errorf("terminal settings: %w", err)
	}
	if _, err := r.stty("-echo"); err != nil {
		return nil, fmt.Errorf("terminal echo: %w", err)
	}
	return func() { r.stty(strings.TrimSpace(saved)) }, nil
}

func (r *pinReader) stty(arg string) (string, error) {
	cmd := exec.Command("stty", arg)
	cmd.Stdin = r.terminal
	out, err := cmd.Output()
	return string(out), err
}

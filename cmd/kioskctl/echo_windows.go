package main

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// echoOff clears ENABLE_ECHO_INPUT on the console's input handle and
// returns what puts the saved mode back.
func (r *pinReader) echoOff() (restore func(), err error) {
	h := windows.Handle(r.terminal.Fd())
	var mode uint32
	if err := windows.GetConsoleMode(h, &mode); err != nil {
		return nil, fmt.Errorf("console mode: %w", err)
	}
	if err := windows.SetConsoleMode(h, mode&^windows.ENABLE_ECHO_INPUT); err != nil {
		return nil, fmt.Errorf("console echo: %w", err)
	}
	return func() { windows.SetConsoleMode(h, mode) }, nil
}

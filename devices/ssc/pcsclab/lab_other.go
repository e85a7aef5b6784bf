//go:build !linux

package pcsclab

import (
	"context"
	"errors"
	"io"
	"time"
)

// ErrNotInstalled: pcscd or the vpcd driver is missing; on this system
// the lab does not run at all.
var ErrNotInstalled = errors.New("pcsclab: a private pcscd runs on Linux only")

// Options configure Start.
type Options struct {
	Pcscd, Driver string
	Log           io.Writer
	Timeout       time.Duration
}

// Reader is one vpcd reader of the lab.
type Reader struct{ Name, Addr string }

// Lab is a running private pcscd.
type Lab struct {
	Dir, Socket string
	Readers     []Reader
}

// Start fails: there is no pcscd here.
func Start(ctx context.Context, opts *Options) (*Lab, error) { return nil, ErrNotInstalled }

// Env returns nothing useful here.
func (l *Lab) Env() string { return "" }

// Stop does nothing.
func (l *Lab) Stop() error { return nil }

// Crash does nothing.
func (l *Lab) Crash() {}

// Output returns nothing.
func (l *Lab) Output() string { return "" }

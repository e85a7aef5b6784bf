//go:build !unix

package pgtest

import (
	"errors"
	"os/exec"
)

type credential struct{}

func unprivileged() (*credential, error) {
	return nil, errors.New("the throwaway PostgreSQL runs on Unix only")
}

func (c *credential) own(string) error    { return nil }
func (c *credential) apply(cmd *exec.Cmd) {}

//go:build unix

package pgtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
)

// credential is the unprivileged user the server runs as when the tests
// run as root; nil otherwise.
type credential struct{ uid, gid uint32 }

// unprivileged returns the postgres system user when running as root.
func unprivileged() (*credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, and PostgreSQL refuses root: no postgres user to run it as (%w)", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	return &credential{uint32(uid), uint32(gid)}, nil
}

// own gives dir to the user.
func (c *credential) own(dir string) error {
	if c == nil {
		return nil
	}
	return os.Chown(dir, int(c.uid), int(c.gid))
}

// apply makes cmd run as the user.
func (c *credential) apply(cmd *exec.Cmd) {
	if c == nil {
		return
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: c.uid, Gid: c.gid}}
}

package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// SkipEnv, set to 1, lets tests that need PostgreSQL skip when it cannot
// be started here; unset, they fail and say why.
const SkipEnv = "KIOSK_SKIP_POSTGRES"

// ErrSkipped is returned, wrapped, instead of a failure to start when
// SkipEnv is set.
var ErrSkipped = errors.New("PostgreSQL tests skipped (" + SkipEnv + "=1)")

// port names the socket file; the socket's directory is the cluster's
// own, so no two clusters meet whatever the number.
const port = 5432

// Cluster is a running throwaway server.
type Cluster struct {
	dir  string // the cluster's directory: data/, the socket, server.log
	bin  string // the directory holding initdb, pg_ctl and postgres
	cred *credential
	mu   sync.Mutex
	n    int // databases made
}

// Start makes a cluster in a new temporary directory and starts it.
func Start() (*Cluster, error) {
	bin, err := findBin()
	if err != nil {
		return nil, startErr(err)
	}
	cred, err := unprivileged()
	if err != nil {
		return nil, startErr(err)
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, startErr(err)
	}
	c := &Cluster{dir: dir, bin: bin, cred: cred}
	if err := c.cred.own(dir); err != nil {
		os.RemoveAll(dir)
		return nil, startErr(err)
	}
	if err := c.run("initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, startErr(err)
	}
	if err := c.Restart(); err != nil {
		os.RemoveAll(dir)
		return nil, startErr(err)
	}
	return c, nil
}

func startErr(err error) error {
	if os.Getenv(SkipEnv) == "1" {
		return fmt.Errorf("%w: %v", ErrSkipped, err)
	}
	return fmt.Errorf("start a throwaway PostgreSQL (install Debian's postgresql with scripts/deps.sh, or set %s=1 to skip these tests): %w", SkipEnv, err)
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// options are the server's settings: the socket in the cluster's
// directory and no TCP listener; no fsync, since the cluster is thrown
// away (a crash test stops the server, which still writes its WAL); and
// pg_stat_statements when it is installed (see Statements).
func (c *Cluster) options() string {
	return "-k " + c.dir + " -c listen_addresses='' -p " + strconv.Itoa(port) +
		" -c fsync=off -c full_page_writes=off -c max_connections=200" + c.statementsOption()
}

// Restart starts the server (again, after Stop).
func (c *Cluster) Restart() error {
	return c.run("pg_ctl", "start", "-w", "-t", "60", "-D", c.data(), "-l", filepath.Join(c.dir, "server.log"), "-o", c.options())
}

// Stop stops the server at once (pg_ctl's immediate mode: every
// connection is cut, as when the database host goes away). Restart
// brings it back.
func (c *Cluster) Stop() error {
	return c.run("pg_ctl", "stop", "-w", "-t", "60", "-m", "immediate", "-D", c.data())
}

// Close stops the server and removes its directory.
func (c *Cluster) Close() error {
	err := c.run("pg_ctl", "stop", "-w", "-t", "60", "-m", "fast", "-D", c.data())
	return errors.Join(err, os.RemoveAll(c.dir))
}

// DSN is the URL of database name on c, as `codeservice --db` takes it.
func (c *Cluster) DSN(name string) string {
	return fmt.Sprintf("postgres://postgres@/%s?host=%s&port=%d&sslmode=disable", name, url.QueryEscape(c.dir), port)
}

// NewDatabase creates an empty database with a new name and returns its
// connection string.
func (c *Cluster) NewDatabase(ctx context.Context) (string, error) {
	c.mu.Lock()
	c.n++
	name := fmt.Sprintf("t%d_%s", c.n, randomHex(4))
	c.mu.Unlock()
	db, err := sql.Open("pgx", c.DSN("postgres"))
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return "", fmt.Errorf("create database: %w", err)
	}
	return c.DSN(name), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// run runs one of the server's programs, as the unprivileged user when
// there is one, and returns its output in the error.
func (c *Cluster) run(name string, args ...string) error {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	c.cred.apply(cmd)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
			return fmt.Errorf("%s %s: %w\n%s%s", name, args[0], err, out.Bytes(), tail(log, 2000))
		}
		return nil
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		return fmt.Errorf("%s %s: no answer in 2 minutes", name, args[0])
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// findBin finds initdb: on the PATH, else in the newest of Debian's
// /usr/lib/postgresql/<version>/bin, where the package puts it.
func findBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("initdb not found on the PATH nor in /usr/lib/postgresql/*/bin")
}

func version(bin string) int {
	n, _ := strconv.Atoi(strings.TrimSuffix(filepath.Base(filepath.Dir(bin)), "/"))
	return n
}

var (
	shared     *Cluster
	sharedErr  error
	sharedOnce sync.Once
)

// Shared returns the cluster of this test binary, started on first use;
// a package's TestMain calls StopShared after its tests.
func Shared() (*Cluster, error) {
	sharedOnce.Do(func() { shared, sharedErr = Start() })
	return shared, sharedErr
}

// T is the part of a test or benchmark (testing.TB) that SharedFor uses.
type T interface {
	Helper()
	Skip(args ...any)
	Fatal(args ...any)
}

// SharedFor returns the shared cluster for the test t, which it skips
// when SkipEnv says so and fails when the cluster does not start.
func SharedFor(t T) *Cluster {
	t.Helper()
	c, err := Shared()
	if errors.Is(err, ErrSkipped) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Main runs a test binary's tests (m is its *testing.M), stops the shared
// cluster and exits with the tests' code: the TestMain of a package whose
// tests use Shared.
func Main(m interface{ Run() int }) {
	code := m.Run()
	StopShared()
	os.Exit(code)
}

// StopShared stops and removes the shared cluster, if it was started.
func StopShared() {
	if shared != nil {
		if err := shared.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
}

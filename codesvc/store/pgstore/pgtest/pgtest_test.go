package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
)

// TestStartErr: a failure to start says what to install and how to opt
// out, and is a skip only when the variable says so.
func TestStartErr(t *testing.T) {
	cause := errors.New("initdb not found")
	t.Setenv(SkipEnv, "")
	err := startErr(cause)
	if errors.Is(err, ErrSkipped) || !errors.Is(err, cause) || !strings.Contains(err.Error(), "scripts/deps.sh") || !strings.Contains(err.Error(), SkipEnv+"=1") {
		t.Errorf("without %s: %v", SkipEnv, err)
	}
	t.Setenv(SkipEnv, "1")
	if err := startErr(cause); !errors.Is(err, ErrSkipped) {
		t.Errorf("with %s=1: %v, want ErrSkipped", SkipEnv, err)
	}
}

// TestCluster: a cluster starts (as the postgres user under root), makes
// databases, reports its CPU time, stops, starts again, and leaves
// nothing behind.
func TestCluster(t *testing.T) {
	c, err := Start()
	if errors.Is(err, ErrSkipped) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	query := func(dsn string) error {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		var user string
		if err := db.QueryRowContext(ctx, "SELECT current_user").Scan(&user); err != nil {
			return err
		}
		if user != "postgres" {
			t.Errorf("connected as %q, want postgres", user)
		}
		return nil
	}
	dsn, err := c.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := query(dsn); err != nil {
		t.Fatal(err)
	}
	checkStatements(t, c, func() error { return query(dsn) })
	if runtime.GOOS == "linux" {
		if cpu, err := c.CPU(); err != nil || cpu <= 0 {
			t.Errorf("CPU = %v, %v; want some", cpu, err)
		}
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := query(dsn); err == nil {
		t.Error("a stopped server answered")
	}
	if err := c.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := query(dsn); err != nil {
		t.Errorf("after a restart: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the cluster's directory is left behind: %v", err)
	}
}

// checkStatements: with pg_stat_statements installed, a statement run
// after a reset is counted once, and one from before the reset is not;
// without it, both calls say so.
func checkStatements(t *testing.T, c *Cluster, run func() error) {
	ctx := context.Background()
	err := c.ResetStatements(ctx)
	if c.statementsOption() == "" {
		if !errors.Is(err, ErrNoStatements) {
			t.Errorf("ResetStatements without the module: %v, want ErrNoStatements", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := run(); err != nil {
		t.Fatal(err)
	}
	sts, err := c.Statements(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var calls int64
	for _, s := range sts {
		if strings.Contains(s.Query, "current_user") {
			calls += s.Calls
		}
	}
	if calls != 1 {
		t.Errorf("SELECT current_user counted %d times after a reset and one run, want 1 (%+v)", calls, sts)
	}
}

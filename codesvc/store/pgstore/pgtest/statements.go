package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrNoStatements is returned by ResetStatements and Statements when the
// server was started without the pg_stat_statements module (its library
// is not installed next to the server's programs).
var ErrNoStatements = errors.New("pg_stat_statements is not loaded in this cluster")

// Statement is what the server spent on one normalised statement (its
// constants replaced by placeholders) since the last ResetStatements, as
// the pg_stat_statements module counts it: the time inside the executor,
// not the parsing of the protocol's messages, the process switches nor
// the commit's WAL write.
type Statement struct {
	Query string
	Calls int64
	Rows  int64
	Exec  time.Duration
}

// statementsLib is the module's library, with Debian's layout: lib/ beside
// bin/.
func (c *Cluster) statementsLib() string {
	return filepath.Join(filepath.Dir(c.bin), "lib", "pg_stat_statements.so")
}

// statementsOption loads pg_stat_statements when it is installed, so that
// a benchmark can say which statement the server's time went to. The
// tests do not need it, and a server without it starts as before.
func (c *Cluster) statementsOption() string {
	if _, err := os.Stat(c.statementsLib()); err != nil {
		return ""
	}
	return " -c shared_preload_libraries=pg_stat_statements"
}

// ResetStatements creates the module's view if needed and empties it.
func (c *Cluster) ResetStatements(ctx context.Context) error {
	return c.withStatements(ctx, func(db *sql.DB) error {
		_, err := db.ExecContext(ctx, `SELECT pg_stat_statements_reset()`)
		return err
	})
}

// Statements returns every database's statements since the last
// ResetStatements, the most expensive first.
func (c *Cluster) Statements(ctx context.Context) ([]Statement, error) {
	var out []Statement
	err := c.withStatements(ctx, func(db *sql.DB) error {
		rows, err := db.QueryContext(ctx, `SELECT query, calls, rows, total_exec_time FROM pg_stat_statements
			WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s Statement
			var ms float64
			if err := rows.Scan(&s.Query, &s.Calls, &s.Rows, &ms); err != nil {
				return err
			}
			s.Exec = time.Duration(ms * float64(time.Millisecond))
			out = append(out, s)
		}
		return rows.Err()
	})
	return out, err
}

// withStatements runs f on the postgres database once the module's view
// exists there.
func (c *Cluster) withStatements(ctx context.Context, f func(*sql.DB) error) error {
	if c.statementsOption() == "" {
		return ErrNoStatements
	}
	db, err := sql.Open("pgx", c.DSN("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		return fmt.Errorf("pg_stat_statements: %w", err)
	}
	return f(db)
}

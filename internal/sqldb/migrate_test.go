package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mattn/go-sqlite3"
)

// files is a migration set whose steps cannot run twice unnoticed: 0001
// creates tables without IF NOT EXISTS, and each step logs its number in
// applied, so a step run twice fails or leaves two rows.
var files = fstest.MapFS{
	"0001_init.sql":    {Data: []byte("CREATE TABLE applied (version INTEGER NOT NULL) STRICT;\nCREATE TABLE t (x INTEGER) STRICT;\nINSERT INTO applied VALUES (1);")},
	"0002_column.sql":  {Data: []byte("ALTER TABLE t ADD COLUMN y TEXT;\nINSERT INTO applied VALUES (2);")},
	"0003_index.sql":   {Data: []byte("CREATE INDEX t_by_y ON t (y);\nINSERT INTO applied VALUES (3);")},
	"README.md":        {Data: []byte("not a migration")},
	"notes/0009_x.sql": {Data: []byte("not in the folder")},
}

var at = time.Date(2026, 11, 27, 9, 0, 0, 123456789, time.UTC)

func migrations(fs fstest.MapFS) Migrations {
	return Migrations{Files: fs, Dialect: SQLite, Now: func() time.Time { return at }}
}

func openDB(t *testing.T, file string) *sql.DB {
	t.Helper()
	db, err := Open(file, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// tempDB opens a new database in the test's directory and runs the
// statements in it; the test fails if it cannot.
func tempDB(t *testing.T, statements string) *sql.DB {
	t.Helper()
	db := openDB(t, filepath.Join(t.TempDir(), "t.db"))
	if _, err := db.ExecContext(context.Background(), statements); err != nil {
		t.Fatal(err)
	}
	return db
}

// mustApply applies m to db; the test fails if it cannot.
func mustApply(t *testing.T, db *sql.DB, m Migrations) {
	t.Helper()
	if err := m.Apply(context.Background(), db); err != nil {
		t.Fatal(err)
	}
}

type record struct {
	version int
	name    string
	at      time.Time
}

// state returns schema_migrations and how often each step ran.
func state(t *testing.T, db *sql.DB) ([]record, map[int]int) {
	t.Helper()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, "SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var recs []record
	for rows.Next() {
		var r record
		var n int64
		if err := rows.Scan(&r.version, &r.name, &n); err != nil {
			t.Fatal(err)
		}
		r.at = FromDB(n)
		recs = append(recs, r)
	}
	ran := map[int]int{}
	logged, err := db.QueryContext(ctx, "SELECT version FROM applied")
	if err != nil {
		return recs, ran
	}
	defer logged.Close()
	for logged.Next() {
		var v int
		if err := logged.Scan(&v); err != nil {
			t.Fatal(err)
		}
		ran[v]++
	}
	return recs, ran
}

// wantApplied fails unless migrations 1..n are recorded once with their
// file names and each ran once.
func wantApplied(t *testing.T, db *sql.DB, n int) {
	t.Helper()
	recs, ran := state(t, db)
	names := []string{"0001_init.sql", "0002_column.sql", "0003_index.sql"}
	if len(recs) != n {
		t.Fatalf("schema_migrations = %v, want versions 1 to %d", recs, n)
	}
	for i, r := range recs {
		if r.version != i+1 || r.name != names[i] || !r.at.Equal(at) {
			t.Errorf("record %d = %+v, want version %d, %s, applied at %v", i, r, i+1, names[i], at)
		}
		if ran[i+1] != 1 {
			t.Errorf("migration %d ran %d times, want once", i+1, ran[i+1])
		}
	}
}

func TestMigrateTwice(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "t.db"))
	for range 2 {
		mustApply(t, db, migrations(files))
		wantApplied(t, db, 3)
	}
}

func TestMigrateInSteps(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "t.db"))
	first := fstest.MapFS{"0001_init.sql": files["0001_init.sql"]}
	mustApply(t, db, migrations(first))
	wantApplied(t, db, 1)
	mustApply(t, db, migrations(files))
	wantApplied(t, db, 3)
}

// TestMigrateFailureRollsBack: a migration that fails half-way leaves
// nothing of itself, and the ones before it stay applied.
func TestMigrateFailureRollsBack(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "t.db"))
	bad := fstest.MapFS{
		"0001_init.sql":   files["0001_init.sql"],
		"0002_column.sql": files["0002_column.sql"],
		"0003_index.sql":  {Data: []byte("INSERT INTO applied VALUES (3);\nCREATE INDEX broken ON nowhere (y);")},
	}
	err := migrations(bad).Apply(ctx, db)
	if err == nil {
		t.Fatal("a failing migration was reported applied")
	}
	wantApplied(t, db, 2)
	mustApply(t, db, migrations(files))
	wantApplied(t, db, 3)
}

func TestMigrateDir(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "t.db"))
	nested := fstest.MapFS{"README.md": {Data: []byte("not a migration")}, "0001_junk.sql": {Data: []byte("not in the folder")}}
	for name, f := range files {
		nested["schema/"+name] = f
	}
	m := migrations(nested)
	m.Dir = "schema"
	mustApply(t, db, m)
	wantApplied(t, db, 3)
}

func TestMigrationFiles(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
	}{
		{"no four digits", fstest.MapFS{"1_init.sql": files["0001_init.sql"]}},
		{"upper case", fstest.MapFS{"0001_Init.sql": files["0001_init.sql"]}},
		{"gap", fstest.MapFS{"0001_init.sql": files["0001_init.sql"], "0003_index.sql": files["0003_index.sql"]}},
		{"number twice", fstest.MapFS{"0001_init.sql": files["0001_init.sql"], "0001_again.sql": files["0002_column.sql"]}},
		{"not from 1", fstest.MapFS{"0002_column.sql": files["0002_column.sql"]}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t, filepath.Join(t.TempDir(), "t.db"))
			if err := migrations(tc.files).Apply(ctx, db); !errors.Is(err, ErrMigrationFiles) {
				t.Errorf("Apply = %v, want ErrMigrationFiles", err)
			}
		})
	}
}

// TestMigrateLegacy: a database that kept its version in user_version has
// the migrations up to it recorded once, without running them, and the
// rest applied.
func TestMigrateLegacy(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "t.db"))
	// The database as the older scheme left it: 0001 and 0002 applied,
	// the version in user_version, no schema_migrations.
	for _, f := range []string{"0001_init.sql", "0002_column.sql"} {
		if _, err := db.ExecContext(ctx, string(files[f].Data)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, "PRAGMA user_version = 2"); err != nil {
		t.Fatal(err)
	}
	m := migrations(files)
	m.Legacy = UserVersion
	mustApply(t, db, m)
	wantApplied(t, db, 3)
	// Adopted once: a later change of user_version is not read again.
	if _, err := db.ExecContext(ctx, "PRAGMA user_version = 7"); err != nil {
		t.Fatal(err)
	}
	mustApply(t, db, m)
	wantApplied(t, db, 3)
}

// TestMigrateLegacyBusy: a start found busy after it had recorded part of
// a legacy version (here the record of 0002 fails once) starts afresh:
// the version is adopted again, whole, and no adopted migration runs.
func TestMigrateLegacyBusy(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "t.db"))
	for _, q := range []string{string(files["0001_init.sql"].Data), string(files["0002_column.sql"].Data), "PRAGMA user_version = 2",
		SQLite.CreateTable,
		`CREATE TRIGGER busy_once BEFORE INSERT ON schema_migrations WHEN NEW.version = 2
			BEGIN SELECT RAISE(ABORT, 'busy for the test'); END`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	m := migrations(files)
	m.Dialect.Busy = func(err error) bool { return strings.Contains(err.Error(), "busy for the test") }
	reads := 0
	m.Legacy = func(ctx context.Context, tx *sql.Tx) (int, error) {
		if reads++; reads > 1 { // the other process is done: no more busy
			if _, err := tx.ExecContext(ctx, "DROP TRIGGER busy_once"); err != nil {
				return 0, err
			}
		}
		return UserVersion(ctx, tx)
	}
	mustApply(t, db, m)
	wantApplied(t, db, 3)
	if reads != 2 {
		t.Errorf("the legacy version was read %d times, want 2 (once a try)", reads)
	}
}

func TestMigrateNewerSchema(t *testing.T) {
	ctx := context.Background()
	t.Run("recorded", func(t *testing.T) {
		db := openDB(t, filepath.Join(t.TempDir(), "t.db"))
		mustApply(t, db, migrations(files))
		older := fstest.MapFS{"0001_init.sql": files["0001_init.sql"], "0002_column.sql": files["0002_column.sql"]}
		if err := migrations(older).Apply(ctx, db); !errors.Is(err, ErrNewerSchema) {
			t.Errorf("Apply with fewer migrations = %v, want ErrNewerSchema", err)
		}
	})
	t.Run("legacy", func(t *testing.T) {
		db := openDB(t, filepath.Join(t.TempDir(), "t.db"))
		if _, err := db.ExecContext(ctx, "PRAGMA user_version = 4"); err != nil {
			t.Fatal(err)
		}
		m := migrations(files)
		m.Legacy = UserVersion
		if err := m.Apply(ctx, db); !errors.Is(err, ErrNewerSchema) {
			t.Errorf("Apply on user_version 4 with 3 migrations = %v, want ErrNewerSchema", err)
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'").Scan(&n); err != nil || n != 0 {
			t.Errorf("schema_migrations created by the refused start (%d, %v); want nothing changed", n, err)
		}
	})
}

// TestMigrateDialect runs the runner with a dialect written as
// PostgreSQL's is: numbered arguments and a lock statement, which must run
// first in every one of its transactions.
func TestMigrateDialect(t *testing.T) {
	ctx := context.Background()
	db := tempDB(t, "CREATE TABLE locks (n INTEGER NOT NULL); INSERT INTO locks VALUES (0)")
	d := SQLite
	d.Name = "numbered"
	d.Lock = "UPDATE locks SET n = n + 1"
	d.Arg = func(n int) string { return "$" + strconv.Itoa(n) }
	m := migrations(files)
	m.Dialect = d
	mustApply(t, db, m)
	wantApplied(t, db, 3)
	var n int
	if err := db.QueryRowContext(ctx, "SELECT n FROM locks").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 4 { // the start and one per migration
		t.Errorf("the lock ran %d times, want 4", n)
	}
}

// TestMigrateOverlap makes two runners overlap at the worst point: the
// first has read that nothing is applied when the second applies
// everything. The first must then find each migration done under the
// lock instead of running it again.
func TestMigrateOverlap(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "t.db")
	first, second := openDB(t, file), openDB(t, file)
	m := migrations(files)
	m.beforeApply = func(v int) {
		if v == 1 {
			if err := migrations(files).Apply(ctx, second); err != nil {
				t.Errorf("second runner: %v", err)
			}
		}
	}
	if err := m.Apply(ctx, first); err != nil {
		t.Fatal(err)
	}
	wantApplied(t, first, 3)
}

// TestMigrateConcurrent starts runners on one new file at once, each with
// its own pool as separate processes would have.
func TestMigrateConcurrent(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "t.db")
	const n = 8
	dbs := make([]*sql.DB, n)
	for i := range dbs {
		dbs[i] = openDB(t, file)
	}
	start := make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() {
			<-start
			errs[i] = migrations(files).Apply(ctx, db)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("runner %d: %v", i, err)
		}
	}
	wantApplied(t, dbs[0], 3)
}

// TestMigrateProcesses starts this test binary twice at once as runners on
// one new file (TestMigrateChild); both must succeed and each migration
// must be applied once.
func TestMigrateProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	file := filepath.Join(t.TempDir(), "t.db")
	cmds := make([]*exec.Cmd, 2)
	for i := range cmds {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^TestMigrateChild$", "-test.count=1")
		cmds[i].Env = append(os.Environ(), "SQLDB_MIGRATE_FILE="+file)
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("runner process %d: %v", i, err)
		}
	}
	wantApplied(t, openDB(t, file), 3)
}

// TestMigrateChild is one runner process of TestMigrateProcesses; run on
// its own it does nothing.
func TestMigrateChild(t *testing.T) {
	file := os.Getenv("SQLDB_MIGRATE_FILE")
	if file == "" {
		t.Skip("a runner process of TestMigrateProcesses")
	}
	db, err := Open(file, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer db.Close()
	if err := migrations(files).Apply(context.Background(), db); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// busyDB fails its first busy BeginTx calls as SQLite does when another
// process holds the lock past the busy timeout, then begins on db.
type busyDB struct {
	*sql.DB
	busy int
}

func (b *busyDB) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	if b.busy > 0 {
		b.busy--
		return nil, sqlite3.Error{Code: sqlite3.ErrBusy}
	}
	return b.DB.BeginTx(ctx, opts)
}

// TestMigrateBusy: a database found busy (another process migrating it
// for longer than the busy timeout) is tried again, and every migration
// is then applied once; one that stays busy fails after busyTries tries
// with the busy error, having applied nothing.
func TestMigrateBusy(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "t.db"))
	m := migrations(files)
	var tries []int
	m.onBusy = func(try int) { tries = append(tries, try) }
	if err := m.Apply(context.Background(), &busyDB{DB: db, busy: 3}); err != nil {
		t.Fatalf("busy three times: %v", err)
	}
	wantApplied(t, db, 3)
	if !slices.Equal(tries, []int{1, 2, 3}) {
		t.Errorf("busy tries reported %v, want [1 2 3]", tries)
	}

	fresh := openDB(t, filepath.Join(t.TempDir(), "t.db"))
	tries = nil
	err := m.Apply(context.Background(), &busyDB{DB: fresh, busy: busyTries})
	if !IsBusy(err) {
		t.Fatalf("busy every time: %v, want a busy error", err)
	}
	if len(tries) != busyTries-1 {
		t.Errorf("busy every time: %d waits, want %d", len(tries), busyTries-1)
	}
	var tables int
	if err := fresh.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("busy every time: %d tables (%v), want none", tables, err)
	}
}

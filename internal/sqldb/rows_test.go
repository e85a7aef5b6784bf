package sqldb

import (
	"context"
	"errors"
	"testing"
)

func TestAll(t *testing.T) {
	ctx := context.Background()
	db := tempDB(t, "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (3), (1), (2)")
	scanInt := func(r Scanner) (n int, err error) { err = r.Scan(&n); return n, err }
	got, err := All(ctx, db, scanInt, "SELECT x FROM t WHERE x > ? ORDER BY x", 1)
	if err != nil || len(got) != 2 || got[0] != 2 || got[1] != 3 {
		t.Errorf("All = %v, %v; want [2 3]", got, err)
	}
	if got, err := All(ctx, db, scanInt, "SELECT x FROM t WHERE x > 9"); err != nil || got != nil {
		t.Errorf("All on no rows = %v, %v; want nil, nil", got, err)
	}
	boom := errors.New("boom")
	failing := func(Scanner) (int, error) { return 0, boom }
	if _, err := All(ctx, db, failing, "SELECT x FROM t"); err != boom {
		t.Errorf("All with a failing scan = %v, want its error", err)
	}
	if _, err := All(ctx, db, scanInt, "SELECT nothing FROM nowhere"); err == nil {
		t.Error("All on a bad query succeeded")
	}
	// The rows were closed each time, the failing scan's too.
	if n := db.Stats().InUse; n != 0 {
		t.Errorf("%d connections still in use after All", n)
	}
}

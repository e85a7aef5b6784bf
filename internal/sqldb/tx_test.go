package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"testing"
)

func TestInTx(t *testing.T) {
	ctx := context.Background()
	db := tempDB(t, "CREATE TABLE t (x TEXT)")
	insert := func(tx *sql.Tx, x string) {
		if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES (?)", x); err != nil {
			t.Fatal(err)
		}
	}
	if err := InTx(ctx, db, func(tx *sql.Tx) error { insert(tx, "kept"); return nil }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := InTx(ctx, db, func(tx *sql.Tx) error { insert(tx, "error"); return boom }); err != boom {
		t.Errorf("InTx = %v, want fn's error as it is", err)
	}
	func() {
		defer func() {
			if p := recover(); p != "kaboom" {
				t.Errorf("recovered %v, want kaboom", p)
			}
		}()
		InTx(ctx, db, func(tx *sql.Tx) error { insert(tx, "panic"); panic("kaboom") })
	}()
	// The pool still works after the panic and holds only the commit.
	var rows []string
	err := InTx(ctx, db, func(tx *sql.Tx) error {
		r, err := tx.QueryContext(ctx, "SELECT x FROM t ORDER BY rowid")
		if err != nil {
			return err
		}
		defer r.Close()
		for r.Next() {
			var x string
			if err := r.Scan(&x); err != nil {
				return err
			}
			rows = append(rows, x)
		}
		return r.Err()
	})
	if err != nil || len(rows) != 1 || rows[0] != "kept" {
		t.Errorf("rows = %q, %v; want only the committed one", rows, err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := InTx(ctx, conn, func(tx *sql.Tx) error { insert(tx, "on a connection"); return nil }); err != nil {
		t.Errorf("InTx on a connection: %v", err)
	}
}

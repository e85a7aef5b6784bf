package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"github.com/shcommunity/kiosk/codesvc/store"
)

// TestReadResidentsBadEvents: in one batch, a resident whose events do
// not decode fails the calls for her key only; the others in the batch
// get their resident, or ErrNotFound, as if she were not there.
func TestReadResidentsBadEvents(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one connection: one in-memory database
	// The two tables as residentsQuery reads them; each resident's events
	// are kept ready-aggregated, so that one can hold bytes that do not
	// decode as the engines' aggregate never would.
	for _, q := range []string{
		`CREATE TABLE residents(id INTEGER PRIMARY KEY, key BLOB, ref TEXT, masked_name TEXT, masked_id TEXT, created_at INTEGER)`,
		`CREATE TABLE events(resident_id INTEGER, agg TEXT)`,
		`INSERT INTO residents VALUES (1, CAST('good' AS BLOB), 'R-good', '张*三', '3****0019', 0), (2, CAST('bad' AS BLOB), 'R-bad', '李*四', '3****0027', 0)`,
		`INSERT INTO events VALUES (1, '[{"s":1,"k":"arrival_key_area","a":5,"r":6,"o":"admin"}]'), (2, '[{"s":"not a number"}]')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	d := &Dialect{Name: "test", EventsJSON: `MAX(e.agg)`}
	s := &Store{d: d, r: pool{db, d}}
	var b residentBatcher
	defer b.stmts.close()
	req := func(key string) *residentReq {
		return &residentReq{key: []byte(key), err: store.ErrNotFound, done: make(chan struct{})}
	}
	good, bad, badAgain, nobody := req("good"), req("bad"), req("bad"), req("nobody")
	if err := s.readResidents(ctx, &b, []*residentReq{bad, good, badAgain, nobody}); err != nil {
		t.Fatalf("the batch failed as a whole: %v", err)
	}
	if good.err != nil || good.r.Ref != "R-good" || string(good.r.Key) != "good" || len(good.evs) != 1 || good.evs[0].Source != "admin" {
		t.Errorf("good = %+v, %+v, %v; want her resident and her one event", good.r, good.evs, good.err)
	}
	for _, r := range []*residentReq{bad, badAgain} {
		if r.err == nil || errors.Is(r.err, store.ErrNotFound) || r.r.ID != 0 || r.evs != nil {
			t.Errorf("bad = %+v, %+v, %v; want a decoding error and nothing of her", r.r, r.evs, r.err)
		}
	}
	if !errors.Is(nobody.err, store.ErrNotFound) {
		t.Errorf("nobody: %v, want ErrNotFound", nobody.err)
	}
}

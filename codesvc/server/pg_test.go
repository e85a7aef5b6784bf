package server_test

import (
	"context"
	"testing"

	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/kek"
	"github.com/shcommunity/kiosk/codesvc/store/pgstore"
	"github.com/shcommunity/kiosk/codesvc/store/pgstore/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// pgDB makes a new database on this test binary's throwaway PostgreSQL
// and returns its opener; without PostgreSQL the test fails, unless
// pgtest.SkipEnv says to skip.
func pgDB(t testing.TB) opener {
	t.Helper()
	return pgDBOn(t, pgtest.SharedFor(t))
}

// pgDBOn makes a new database on c.
func pgDBOn(t testing.TB, c *pgtest.Cluster) opener {
	t.Helper()
	dsn, err := c.NewDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, kek.Size)
	return func(t testing.TB) store.Store {
		t.Helper()
		st, err := pgstore.Open(context.Background(), dsn, key, pgstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
}

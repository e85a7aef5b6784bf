package localstore_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/internal/clocktest"
	"github.com/shcommunity/kiosk/sync/localstore"
)

// TestUncheckedSlips: an unchecked slip is listed until its resident is
// answered live or printed for here, and leaves the store after the
// retention (closed) or AwaitedRetention (never closed).
func TestUncheckedSlips(t *testing.T) {
	ctx := context.Background()
	c := clocktest.New(t0)
	s := open(t, filepath.Join(t.TempDir(), "kiosk.db"), localstore.Options{Now: c.Now, Retention: 7 * 24 * time.Hour})
	answered, printed, never := s.KeyOf("310101194803140019"), s.KeyOf("31010419550922002X"), s.KeyOf("310101194803140035")
	err := s.InTx(ctx, func(tx *localstore.Tx) error {
		for i, k := range []localstore.ResidentKey{answered, printed, never} {
			if err := tx.RecordUnchecked(localstore.UncheckedSlip{Resident: k, MaskedName: "张*丰",
				Serial: []string{"S1", "S2", "S3"}[i], Why: "cached status past its valid-until"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.InTx(ctx, func(tx *localstore.Tx) error {
		return tx.RecordUnchecked(localstore.UncheckedSlip{Serial: "S4"})
	}); err == nil {
		t.Error("an unchecked slip without a resident was recorded")
	}
	list := func() []string {
		t.Helper()
		l, err := s.UncheckedSlips(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, u := range l {
			out = append(out, u.Serial)
			if !u.PrintedAt.Equal(t0) || u.MaskedName != "张*丰" || u.Why == "" {
				t.Errorf("slip %+v, want its time, masked name and reason", u)
			}
		}
		return out
	}
	if got := list(); len(got) != 3 {
		t.Fatalf("listed %v, want S1 S2 S3", got)
	}
	err = s.InTx(ctx, func(tx *localstore.Tx) error {
		if err := tx.UncheckedDone(answered, localstore.UncheckedLiveAnswer); err != nil {
			return err
		}
		return tx.UncheckedDone(printed, localstore.UncheckedPrintedHere)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := list(); len(got) != 1 || got[0] != "S3" {
		t.Fatalf("listed %v, want only S3 open", got)
	}
	checkAwaitedPurge(t, s, c, localstore.UncheckedRows, "the open one")
}

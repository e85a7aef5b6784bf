package syncer

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/sync/localstore"
)

// damagedFeed is a Remote whose feed page cannot be applied because the
// store under it is damaged: the error the engine meets is the store's.
type damagedFeed struct{ Remote }

func (damagedFeed) Enrol(context.Context, api.EnrolmentBatch) (api.EnrolmentResponse, error) {
	return api.EnrolmentResponse{}, nil
}

func (damagedFeed) Feed(context.Context, string, int) (api.FeedResponse, error) {
	return api.FeedResponse{}, &localstore.CorruptError{Path: "kiosk.db", Detail: "test: page 7"}
}

// TestDamagedStoreIsNotDropped: a damaged store ends Run with an error
// matching ErrCorrupt, and the engine keeps saying so through Damaged, so
// that the screens can put the kiosk out of service.
func TestDamagedStoreIsNotDropped(t *testing.T) {
	e := newOfflineEngine(t)
	e.rm = damagedFeed{}
	if err := e.Damaged(); err != nil {
		t.Fatalf("Damaged() = %v before anything happened", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := e.Run(ctx)
	if !errors.Is(err, localstore.ErrCorrupt) {
		t.Fatalf("Run() = %v, want an error matching ErrCorrupt", err)
	}
	if !errors.Is(e.Damaged(), localstore.ErrCorrupt) {
		t.Errorf("Damaged() = %v, want the store's damage", e.Damaged())
	}
	s, err := e.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Online || s.LastError == "" {
		t.Errorf("Summary = online %v, last error %q; want offline with the damage", s.Online, s.LastError)
	}
	// A later successful round does not clear it: the file stays damaged.
	if err := e.record(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if e.Damaged() == nil {
		t.Error("Damaged() cleared by a later round")
	}
}

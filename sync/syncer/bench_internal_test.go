package syncer

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/sealbox"
	"github.com/shcommunity/kiosk/sync/localstore"
)

// noRemote is a Remote for tests that never reach the network.
type noRemote struct{ Remote }

func newOfflineEngine(tb testing.TB) *Engine {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	st, err := localstore.Open(ctx, filepath.Join(dir, "kiosk.db"), localstore.Options{KeyFile: filepath.Join(dir, "keys", "kiosk.key")})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	k, err := sealbox.GenerateKey()
	if err != nil {
		tb.Fatal(err)
	}
	e, err := New(ctx, Config{Store: st, Remote: noRemote{}, DeviceID: "dev-test", SealingKey: k.Public()})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func feedPage(n, version int, colour healthcode.Colour) api.FeedResponse {
	p := api.FeedResponse{NextCursor: fmt.Sprintf("c%d", version)}
	asOf := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for i := range n {
		p.Entries = append(p.Entries, api.FeedEntry{ResidentRef: fmt.Sprintf("ref-%06d", i), Cause: "change", MaskedName: "张*丰",
			MaskedID: "3*************0019", Status: api.Status{Colour: colour, AsOf: asOf.Add(time.Duration(version) * time.Minute),
				Version: uint64(version), RulesVersion: "r1"},
			Tokens: []api.TokenState{{TokenID: fmt.Sprintf("tok-%06d", i), State: api.StateActive}}})
	}
	return p
}

// BenchmarkFeedApply applies pages of 500 entries, each page one
// transaction, and reports entries applied per second.
func BenchmarkFeedApply(b *testing.B) {
	e := newOfflineEngine(b)
	ctx := context.Background()
	const size = 500
	v := 0
	for b.Loop() {
		v++
		if err := e.applyFeedPage(ctx, feedPage(size, v, []healthcode.Colour{healthcode.Green, healthcode.Yellow}[v%2])); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(v*size)/b.Elapsed().Seconds(), "entries/s")
}

// FuzzFeedPage feeds arbitrary bytes, decoded as the client would, to the
// feed applier: it must never panic, and a page it accepts must leave the
// cursor where the page said.
func FuzzFeedPage(f *testing.F) {
	f.Add([]byte(`{"entries":[],"next_cursor":"AQ","more":false,"server_time":"2026-11-27T09:00:00Z","trust_list_version":1}`))
	f.Add([]byte(`{"entries":[{"resident_ref":"r1","cause":"change","masked_name":"张*","masked_id":"3****1","status":{"colour":"red","reason":"x","as_of":"2026-11-27T09:00:00Z","version":3,"rules_version":"v"},"tokens":[{"token_id":"t","state":"revoked","expires_at":"2027-01-01T00:00:00Z"}]}],"next_cursor":"x","more":true,"server_time":"2026-11-27T09:00:00Z","trust_list_version":2}`))
	f.Add([]byte(`{"entries":[{"resident_ref":""}],"next_cursor":""}`))
	e := newOfflineEngine(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		var page api.FeedResponse
		if api.DecodeBytes(data, &page) != nil {
			return
		}
		if err := e.applyFeedPage(ctx, page); err != nil {
			return
		}
		cur, _, err := e.st.Setting(ctx, setFeedCursor)
		if err != nil {
			t.Fatal(err)
		}
		if string(cur) != page.NextCursor {
			t.Errorf("cursor = %q after applying a page with next_cursor %q", cur, page.NextCursor)
		}
	})
}

package server_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/pii"
)

// readAll pages through the feed from cursor and returns the entries by
// resident ref (last wins) and the final cursor.
func readAll(t *testing.T, e *env, cursor string, limit int) (map[string]api.FeedEntry, string, int) {
	t.Helper()
	got := map[string]api.FeedEntry{}
	pages := 0
	for {
		page, err := e.c.Feed(context.Background(), cursor, limit)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(page.Entries) > limit {
			t.Fatalf("page of %d entries, limit %d", len(page.Entries), limit)
		}
		for _, en := range page.Entries {
			got[en.ResidentRef] = en
		}
		cursor = page.NextCursor
		if !page.More {
			return got, cursor, pages
		}
		if pages > 100 {
			t.Fatal("feed does not end")
		}
	}
}

func TestFeedPagingAndScheduledChanges(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	var ids []pii.IDNumber
	refs := map[string]pii.IDNumber{}
	for i := 0; i < 7; i++ {
		id := idNumber(t, "19510203", 60+i)
		ids = append(ids, id)
		refs[e.enrol(id, "王小明").ResidentRef] = id
	}
	// Another device's residents stay out of this device's feed.
	other, _ := e.register("kiosk-2")
	otherID := idNumber(t, "19510203", 90)
	e.enrolOn(other, "other-0001", e.payload(otherID, "孙丽"))
	// ids[0] arrived from a key area 13 days ago: yellow for one more day.
	if _, err := e.svc.AddEvent(ctx, ids[0], rules.ArrivalKeyArea, e.clk.Now().Add(-13*24*time.Hour), "test"); err != nil {
		t.Fatal(err)
	}
	all, cursor, pages := readAll(t, e, "", 3)
	if len(all) != 7 || pages < 3 {
		t.Fatalf("first read: %d residents in %d pages, want 7 in at least 3", len(all), pages)
	}
	var yellowRef string
	for ref, en := range all {
		if refs[ref] == ids[0] {
			yellowRef = ref
			if en.Status.Colour != "yellow" || !en.Status.ValidUntil.Equal(start.Add(24*time.Hour)) {
				t.Errorf("yellow entry = %+v, want yellow until %v", en.Status, start.Add(24*time.Hour))
			}
		}
	}
	// Nothing new: an empty page, and reading the same cursor again gives
	// the same answer (cursors are stable).
	again, err := e.c.Feed(ctx, cursor, 3)
	if err != nil || len(again.Entries) != 0 || again.More {
		t.Fatalf("idle feed: %+v, %v", again, err)
	}
	// The boundary passes: the next read reports it without any job.
	e.clk.Add(25 * time.Hour)
	p1, err := e.c.Feed(ctx, cursor, 3)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := e.c.Feed(ctx, cursor, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(p1.Entries) != 1 || p1.Entries[0].ResidentRef != yellowRef || p1.Entries[0].Cause != "scheduled" || p1.Entries[0].Status.Colour != "green" {
		t.Fatalf("after the boundary: %+v, want one scheduled green entry for the yellow resident", p1.Entries)
	}
	if !reflect.DeepEqual(p1.Entries, p2.Entries) || p1.NextCursor != p2.NextCursor {
		t.Error("the same cursor read twice gave different pages")
	}
	// A revocation is a change.
	if _, err := e.c.IssueToken(ctx, api.IssueTokenRequest{IDNumber: ids[3].Reveal()}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.ReportLost(e.worker(), api.LostRequest{IDNumber: ids[3].Reveal()}); err != nil {
		t.Fatal(err)
	}
	changed, _, _ := readAll(t, e, p1.NextCursor, 3)
	if len(changed) != 1 {
		t.Fatalf("after a revocation: %d entries, want 1", len(changed))
	}
	for _, en := range changed {
		if len(en.Tokens) != 1 || en.Tokens[0].State != api.StateRevoked {
			t.Errorf("tokens = %+v, want one revoked", en.Tokens)
		}
	}
	if _, err := e.c.Feed(ctx, "not-a-cursor", 3); apiCode(err) != api.CodeBadCursor {
		t.Errorf("bad cursor: %v", err)
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []server.Cursor{{}, {Seq: 1}, {Seq: 1 << 40, Through: time.Now().UnixNano(), PosAt: 5, PosResident: 9}} {
		got, err := server.DecodeCursor(server.EncodeCursor(c))
		if err != nil || got != c {
			t.Errorf("round trip %+v = %+v, %v", c, got, err)
		}
	}
	for _, s := range []string{"!", "AA", server.EncodeCursor(server.Cursor{Seq: 1}) + "A"} {
		if _, err := server.DecodeCursor(s); !errors.Is(err, server.ErrBadCursor) {
			t.Errorf("DecodeCursor(%q) err = %v, want ErrBadCursor", s, err)
		}
	}
}

// signedDo sends body to path signed by the env's device and returns the
// status and error code.
func signedDo(t *testing.T, e *env, method, path, body string) (int, api.Code) {
	t.Helper()
	return rawSigned(t, e, e.c, method, path, []byte(body), []byte(body), e.clk.Now(), nonce())
}

var nonceN int

func nonce() string {
	nonceN++
	return "test-nonce-" + strings.Repeat("0", 8) + string(rune('a'+nonceN%26)) + strings.Repeat("x", nonceN%30)
}

func TestBadInput(t *testing.T) {
	e := newEnv(t, server.Options{})
	id := idNumber(t, "19480314", 1).Reveal()
	big := `{"items":[` + strings.Repeat(`{"client_id":"aaaaaaaaaaa","sealed":"`+strings.Repeat("A", 1000)+`"},`, 1100) + `]}`
	tests := []struct {
		name, method, path, body string
		wantStatus               int
		want                     api.Code
	}{
		{"malformed json", "POST", "/v1/status", `{"id_number":`, 400, api.CodeBadRequest},
		{"unknown field", "POST", "/v1/status", `{"id_number":"` + id + `","x":1}`, 400, api.CodeBadRequest},
		{"wrong type", "POST", "/v1/status", `{"id_number":310101}`, 400, api.CodeBadRequest},
		{"trailing data", "POST", "/v1/status", `{"id_number":"` + id + `"}{}`, 400, api.CodeBadRequest},
		{"invalid id number", "POST", "/v1/status", `{"id_number":"310101194803140018","purpose":"counter_service"}`, 400, api.CodeInvalidID},
		{"no purpose", "POST", "/v1/status", `{"id_number":"` + id + `"}`, 400, api.CodeUnknownPurpose},
		{"unknown purpose", "POST", "/v1/status", `{"id_number":"` + id + `","purpose":"marketing"}`, 400, api.CodeUnknownPurpose},
		{"purpose in another case", "POST", "/v1/status", `{"id_number":"` + id + `","purpose":"Counter_Service"}`, 400, api.CodeUnknownPurpose},
		{"purpose the route does not serve", "POST", "/v1/tokens", `{"id_number":"` + id + `","purpose":"venue_entry"}`, 403, api.CodePurposeRefused},
		{"export for a counter", "GET", "/v1/export?purpose=self_service", ``, 403, api.CodeRoleForbidden},
		{"feed without a purpose", "GET", "/v1/feed", ``, 400, api.CodeUnknownPurpose},
		{"oversize body", "POST", "/v1/status", `{"id_number":"` + strings.Repeat("1", server.MaxBody) + `"}`, 413, api.CodeBodyTooLarge},
		{"oversize batch", "POST", "/v1/enrolments", big, 413, api.CodeBodyTooLarge},
		{"empty batch", "POST", "/v1/enrolments", `{"items":[]}`, 400, api.CodeTooManyItems},
		{"bad limit", "GET", "/v1/feed?limit=x&purpose=counter_service", ``, 400, api.CodeInvalidField},
		{"print without time", "POST", "/v1/prints", `{"client_id":"pppppppp","token_id":"AAAAAAAAAAAAAAAAAAAA"}`, 400, api.CodeInvalidField},
		{"print of unknown token", "POST", "/v1/prints", `{"client_id":"pppppppp","token_id":"AAAAAAAAAAAAAAAAAAAA","printed_at":"2026-03-01T09:00:00Z"}`, 404, api.CodeUnknownToken},
		{"a worker without a session", "POST", "/v1/tokens", `{"id_number":"` + id + `","purpose":"counter_service","worker_id":"ghost"}`, 401, api.CodeWorkerSession},
		{"unknown route", "GET", "/v1/nothing", ``, 404, api.CodeNotFound},
		{"wrong method", "DELETE", "/v1/status", ``, 405, api.CodeMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, code := signedDo(t, e, tt.method, tt.path, tt.body)
			if st != tt.wantStatus || code != tt.want {
				t.Errorf("got %d %s, want %d %s", st, code, tt.wantStatus, tt.want)
			}
		})
	}
	t.Run("register with a bad key", func(t *testing.T) {
		req, _ := http.NewRequest("POST", e.srv.URL+"/v1/devices/register", strings.NewReader(`{"code":"x","name":"y","public_key":"abc"}`))
		req.Header.Set("Content-Type", "application/json")
		st, ae, _ := exchange(t, req)
		if st != 400 || ae == nil || ae.Code != api.CodeInvalidKey {
			t.Errorf("got %d %+v, want 400 invalid_public_key", st, ae)
		}
	})
}

// panicStore panics on the status lookup's read.
type panicStore struct{ store.Store }

func (panicStore) ResidentByKey(context.Context, []byte) (store.Resident, []store.Event, error) {
	panic("boom with 310101194803140019")
}

func TestPanicIsA500WithoutData(t *testing.T) {
	e := newEnv(t, server.Options{})
	e.svc.Store = panicStore{e.svc.Store}
	st, code := signedDo(t, e, "POST", "/v1/status", `{"id_number":"`+idNumber(t, "19480314", 1).Reveal()+`","purpose":"counter_service"}`)
	if st != 500 || code != api.CodeInternal {
		t.Errorf("got %d %s, want 500 internal", st, code)
	}
}

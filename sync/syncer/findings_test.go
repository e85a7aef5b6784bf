package syncer_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/codesvc/verify"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/sync/keystore"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

// TestFinding4KioskRefusesAfterPull: once a leaked signing key is revoked
// at the service, a kiosk's next sync pulls the new trust list (the feed
// announces its version), and the kiosk's offline venue check refuses a
// token forged with that key.
func TestFinding4KioskRefusesAfterPull(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	k := newKiosk(t, s, "", start)
	if err := k.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	keys, err := s.svc.Store.SigningKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	leaked := keys[len(keys)-1]
	var tid [12]byte
	rand.Read(tid[:])
	now := s.clk.Now()
	forged, err := token.NewSigner(leaked.Issuer, leaked.KeyID, leaked.PrivateKey).Sign(token.Claims{TokenID: tid,
		IssuedAt: now, ExpiresAt: now.Add(token.DefaultValidity), MaskedName: "王*",
		Status: &token.StatusClaim{Colour: healthcode.Green, AsOf: now, Version: 1}})
	if err != nil {
		t.Fatal(err)
	}
	offline := func() (verify.Result, error) {
		tl, err := k.eng.TrustList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return (&verify.Verifier{Trust: tl, Now: k.eng.Clock().Now}).Verify(ctx, forged)
	}
	if res, err := offline(); err != nil || res.Colour != healthcode.Green {
		t.Fatalf("before the revocation the forgery passes offline (the reason for revoking): %+v, %v", res, err)
	}
	if _, err := s.svc.RevokeKey(ctx, leaked.KeyID); err != nil {
		t.Fatal(err)
	}
	if err := k.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if res, err := offline(); !errors.Is(err, token.ErrUnknownKey) || res.Colour != "" {
		t.Errorf("after the next pull: colour %q, err %v; want ErrUnknownKey", res.Colour, err)
	}
}

// replayTrustList answers GET /v1/trust-list with an old signed list, as
// a lagging mirror or someone replaying a captured answer would.
type replayTrustList struct {
	old  []byte
	next http.Handler
}

func (r replayTrustList) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.URL.Path == "/v1/trust-list" {
		w.Header().Set("Content-Type", "application/json")
		w.Write(r.old)
		return
	}
	r.next.ServeHTTP(w, req)
}

// TestFinding2OldTrustListRefused: the kiosk stored whatever trust list
// it fetched, so an older list (genuinely signed, from before a key was
// revoked) could bring the revoked key back. A list not newer than the
// one held is refused now, and the held one stays.
func TestFinding2OldTrustListRefused(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	k := newKiosk(t, s, "", start)
	old, _, err := s.svc.SignedTrustList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := s.svc.Store.SigningKeys(ctx)
	leaked := keys[0].KeyID
	if _, err := s.svc.RevokeKey(ctx, leaked); err != nil {
		t.Fatal(err)
	}
	if err := k.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	s.clk.Add(time.Minute)
	if _, err := s.svc.RotateKey(ctx); err != nil { // a newer list is announced
		t.Fatal(err)
	}
	s.faults.next = replayTrustList{old: old, next: s.faults.next}
	if err := k.eng.SyncOnce(ctx); !errors.Is(err, syncer.ErrOldTrustList) {
		t.Errorf("sync with an old list served: %v, want ErrOldTrustList", err)
	}
	tl, err := k.eng.TrustList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tl.Key(leaked); ok {
		t.Error("the revoked key came back with the old list")
	}
}

// TestFinding2ClockBound: the kiosk's service clock moves only within
// client.MaxSkew, whatever an answer says.
func TestFinding2ClockBound(t *testing.T) {
	now := start
	c := syncer.NewClock(func() time.Time { return now }, 0)
	c.Observe(now.Add(10*24*time.Hour), now)
	if c.Skew() != 0 {
		t.Errorf("an answer 10 days ahead moved the clock by %v", c.Skew())
	}
	c.Observe(now.Add(-client.MaxSkew-time.Second), now)
	if c.Skew() != 0 {
		t.Errorf("an answer past the bound moved the clock by %v", c.Skew())
	}
	c.Observe(now.Add(8*time.Hour), now) // a kiosk a time zone off
	if c.Skew() != 8*time.Hour {
		t.Errorf("skew %v, want 8h", c.Skew())
	}
}

// residentKeyUnder is the keyed hash of an ID number as the kiosk's store
// computes it (localstore.KeyOf, whose algorithm is public), under a
// candidate secret.
func residentKeyUnder(secret []byte, id string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("resident-key-v1\x00"))
	m.Write([]byte(id))
	return m.Sum(nil)
}

// fileContents returns every value of every column of every table of the
// SQLite file at path, read as the attacker would, with the driver.
func fileContents(t *testing.T, path string) (texts []string, blobs [][]byte) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table'")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	for _, tbl := range tables {
		rows, err := db.Query("SELECT * FROM " + tbl)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			for _, v := range vals {
				switch v := v.(type) {
				case string:
					texts = append(texts, v)
				case []byte:
					texts, blobs = append(texts, string(v)), append(blobs, v)
				}
			}
		}
		rows.Close()
	}
	return texts, blobs
}

// TestFinding3StolenDatabase: the keyed-hash secret and the device's
// signing seed were in kiosk.db beside the status cache, which also kept
// the masked number (its last four characters) and the reason; the
// review recovered a full ID number and its red/medical_management status
// from the file alone in 339,000 tries. Now the secrets are in a key file
// elsewhere (sync/keystore), the cache keeps the colour and its times
// only, and a venue tap is not cached. The same search, on a copy of the
// file without the key file, finds nothing; with the key file's secret
// (which the copy does not have) it finds the number at once, so the
// search itself is sound.
func TestFinding3StolenDatabase(t *testing.T) {
	ctx := context.Background()
	s := startService(t)
	k := newKiosk(t, s, "", start)
	red := resident(t, 3000, 123) // the one the attacker is after
	passer := resident(t, 3100, 456)
	k.enrol(t, red, 0)
	if _, err := s.svc.AddEvent(ctx, passer, rules.ArrivalKeyArea, time.Time{}, "test"); err != nil {
		t.Fatal(err)
	}
	if err := k.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.AddEvent(ctx, red, rules.MedicalStart, time.Time{}, "test"); err != nil {
		t.Fatal(err)
	}
	if a, err := k.eng.Status(ctx, red); err != nil || a.Colour != healthcode.Red {
		t.Fatalf("status of the red resident: %+v, %v", a, err)
	}
	tok, err := k.rm.C.IssueToken(ctx, api.IssueTokenRequest{IDNumber: red.Reveal(), Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.eng.RecordPrint(ctx, syncer.Print{IDNumber: red, Token: tok}); err != nil {
		t.Fatal(err)
	}
	if a, err := k.eng.VenueStatus(ctx, passer); err != nil || a.Colour != healthcode.Yellow {
		t.Fatalf("venue tap: %+v, %v", a, err)
	}
	if err := k.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	keys, _, err := keystore.File{Path: keyFile(k.path)}.Load()
	if err != nil {
		t.Fatal(err)
	}
	k.st.Close()

	// The copy: the database file alone, as a backup or a lifted disk
	// image of the data folder holds it.
	stolen := filepath.Join(t.TempDir(), "kiosk.db")
	raw, err := os.ReadFile(k.path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stolen, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	for what, secret := range map[string][]byte{"keyed-hash secret": keys.ResidentSecret, "device seed": keys.DeviceSeed, "audit key": keys.AuditKey} {
		if bytes.Contains(raw, secret) {
			t.Errorf("the file holds the %s", what)
		}
	}
	texts, blobs := fileContents(t, stolen)
	for _, v := range texts {
		for _, secret := range []string{red.Reveal(), red.Masked(), names[0].Reveal(), rules.ReasonMedicalManagement, "arrival_key_area"} {
			if strings.Contains(v, secret) {
				t.Errorf("the file holds %q in %q", secret, v)
			}
		}
	}

	// The search: the attacker knows the region and the birth date (the
	// strongest prior the review assumed) and tries every sequence
	// number and check digit, under every 32-byte value in the file and
	// under no secret at all, against every value in the file.
	values := map[string]bool{}
	var candidates [][]byte
	for _, b := range blobs {
		values[string(b)] = true
		if len(b) == 32 {
			candidates = append(candidates, b)
		}
	}
	candidates = append(candidates, nil)
	search := func(secrets [][]byte) (found []string) {
		prefix := red.Reveal()[:14]
		for n := range 1000 {
			first := fmt.Sprintf("%s%03d", prefix, n)
			c, _ := pii.CheckDigit(first)
			id := first + string(c)
			for _, sec := range secrets {
				if values[string(residentKeyUnder(sec, id))] {
					found = append(found, id)
				}
			}
		}
		return found
	}
	if found := search(candidates); len(found) > 0 {
		t.Errorf("recovered %v from the file alone (%d candidate secrets tried)", found, len(candidates))
	}
	if found := search([][]byte{keys.ResidentSecret}); len(found) != 1 || found[0] != red.Reveal() {
		t.Fatalf("with the key file's secret the search finds %v: the search proves nothing", found)
	}
	if values[string(residentKeyUnder(keys.ResidentSecret, passer.Reveal()))] {
		t.Error("the venue tap was kept")
	}

	// And the kiosk's own code refuses the copy without its key file.
	if _, err := localstore.Open(ctx, stolen, localstore.Options{KeyFile: filepath.Join(t.TempDir(), "kiosk.key")}); !errors.Is(err, localstore.ErrKeysMissing) {
		t.Errorf("opening the copy without its key file: %v, want ErrKeysMissing", err)
	}
}

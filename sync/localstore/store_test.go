package localstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"database/sql"

	"github.com/shcommunity/kiosk/assets"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/internal/clocktest"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/sealbox"
	"github.com/shcommunity/kiosk/sync/localstore"
)

var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// keyFile is where the tests keep a database's key file: in a folder of
// its own beside it (a kiosk keeps it further away, keystore.DefaultPath).
func keyFile(path string) string {
	return filepath.Join(filepath.Dir(path), "keys", filepath.Base(path)+".key")
}

func open(t testing.TB, path string, opts localstore.Options) *localstore.Store {
	t.Helper()
	if opts.KeyFile == "" {
		opts.KeyFile = keyFile(path)
	}
	s, err := localstore.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newStore(t *testing.T) (*localstore.Store, *clocktest.Clock) {
	t.Helper()
	c := clocktest.New(t0)
	return open(t, filepath.Join(t.TempDir(), "kiosk.db"), localstore.Options{Now: c.Now}), c
}

type card struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
}

func deck(t *testing.T) []card {
	t.Helper()
	var d struct{ Cards []card }
	if err := json.Unmarshal(assets.SampleDeck, &d); err != nil {
		t.Fatal(err)
	}
	return d.Cards
}

func enqueue(t *testing.T, s *localstore.Store, clientID string, k localstore.ResidentKey) localstore.Item {
	t.Helper()
	var it localstore.Item
	err := s.InTx(context.Background(), func(tx *localstore.Tx) error {
		var err error
		it, err = tx.Enqueue(localstore.NewItem{ClientID: clientID, Kind: "enrolment", Body: []byte("box-" + clientID), Resident: k, Receipt: "R-" + clientID})
		return err
	})
	if err != nil {
		t.Fatalf("enqueue %s: %v", clientID, err)
	}
	return it
}

func TestCorruptFile(t *testing.T) {
	tests := []struct {
		name   string
		offset int64
	}{
		{"header", 0},
		{"second page header", 4096},
		{"last page", -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kiosk.db")
			s, err := localstore.Open(context.Background(), path, localstore.Options{KeyFile: keyFile(path)})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 50 {
				enqueue(t, s, "client-"+string(rune('a'+i%26))+string(rune('a'+i/26)), localstore.ResidentKey{})
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			off := tc.offset
			if off < 0 {
				off = int64(len(b)) - 4096
			}
			copy(b[off:], bytes.Repeat([]byte{0xA5}, 200))
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err = localstore.Open(context.Background(), path, localstore.Options{KeyFile: keyFile(path)})
			var ce *localstore.CorruptError
			if !errors.As(err, &ce) || !errors.Is(err, localstore.ErrCorrupt) {
				t.Fatalf("open damaged file: err = %v, want *CorruptError", err)
			}
			if ce.Path != path {
				t.Errorf("CorruptError.Path = %q, want %q", ce.Path, path)
			}
		})
	}
}

func TestDiskFull(t *testing.T) {
	c := clocktest.New(t0)
	path := filepath.Join(t.TempDir(), "kiosk.db")
	s := open(t, path, localstore.Options{Now: c.Now, MaxPageCount: 40})
	var stored []string
	var fullErr error
	for i := 0; i < 10000 && fullErr == nil; i++ {
		id := "client-" + time.Duration(i).String()
		fullErr = s.InTx(context.Background(), func(tx *localstore.Tx) error {
			_, err := tx.Enqueue(localstore.NewItem{ClientID: id, Kind: "enrolment", Body: bytes.Repeat([]byte{1}, 500), Receipt: "R"})
			return err
		})
		if fullErr == nil {
			stored = append(stored, id)
		}
	}
	if !errors.Is(fullErr, localstore.ErrDiskFull) {
		t.Fatalf("filling the store: err = %v, want ErrDiskFull", fullErr)
	}
	// Nothing silently lost: every acknowledged enqueue is still there,
	// the refused one is not.
	c2, err := s.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c2.Pending != len(stored) {
		t.Errorf("pending after disk full = %d, want %d", c2.Pending, len(stored))
	}
}

func TestInTxRollsBack(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	boom := errors.New("boom")
	t.Run("error", func(t *testing.T) {
		err := s.InTx(ctx, func(tx *localstore.Tx) error {
			if _, err := tx.Enqueue(localstore.NewItem{ClientID: "err-1", Kind: "k", Body: []byte("x"), Receipt: "r"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Errorf("InTx err = %v, want boom", err)
		}
	})
	t.Run("panic", func(t *testing.T) {
		defer func() {
			if r := recover(); r != "kaboom" {
				t.Errorf("recovered %v, want kaboom", r)
			}
		}()
		s.InTx(ctx, func(tx *localstore.Tx) error {
			tx.Enqueue(localstore.NewItem{ClientID: "panic-1", Kind: "k", Body: []byte("x"), Receipt: "r"})
			panic("kaboom")
		})
	})
	c, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Pending != 0 {
		t.Errorf("pending after rolled-back transactions = %d, want 0", c.Pending)
	}
	// The store still works after a panic inside a transaction.
	enqueue(t, s, "after-panic", localstore.ResidentKey{})
}

func TestOutboxLifecycle(t *testing.T) {
	s, c := newStore(t)
	ctx := context.Background()
	k := s.KeyOf(pii.IDNumber("310101194803140019"))
	for _, id := range []string{"c-0001", "c-0002", "c-0003", "c-0004"} {
		enqueue(t, s, id, k)
	}
	items, err := s.Pending(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		got = append(got, it.ClientID)
	}
	if want := []string{"c-0001", "c-0002", "c-0003"}; !equal(got, want) {
		t.Fatalf("Pending(3) = %v, want %v", got, want)
	}
	err = s.InTx(ctx, func(tx *localstore.Tx) error {
		if err := tx.Ack("c-0001", "accepted", "ref-1"); err != nil {
			return err
		}
		if err := tx.Ack("c-0001", "accepted", "ref-1"); err != nil { // applied twice: no-op
			return err
		}
		return tx.Quarantine("c-0002", "invalid_phone")
	})
	if err != nil {
		t.Fatal(err)
	}
	q, err := s.Quarantined(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 || q[0].ClientID != "c-0002" || q[0].Reason != "invalid_phone" {
		t.Fatalf("Quarantined = %+v, want c-0002 with reason invalid_phone", q)
	}
	if err := s.Retry(ctx, items[2].Seq, ""); !errors.Is(err, localstore.ErrState) {
		t.Errorf("Retry(pending item) = %v, want ErrState", err)
	}
	if err := s.Retry(ctx, 999, ""); !errors.Is(err, localstore.ErrNotFound) {
		t.Errorf("Retry(999) = %v, want ErrNotFound", err)
	}
	if err := s.Retry(ctx, q[0].Seq, ""); err != nil {
		t.Fatal(err)
	}
	items, _ = s.Pending(ctx, 10)
	if len(items) != 3 || items[0].ClientID != "c-0002" {
		t.Errorf("after Retry the first pending item is %v, want c-0002 back in its place", items)
	}
	pend, ok, err := s.PendingFor(ctx, "enrolment", k)
	if err != nil || !ok || pend.ClientID != "c-0004" {
		t.Errorf("PendingFor = %v %v %v, want c-0004", pend.ClientID, ok, err)
	}

	// Retention: the acked item goes after 7 days, not before.
	c.Set(t0.Add(7*24*time.Hour - time.Minute))
	if n, err := s.PurgeAcked(ctx); err != nil || n != 0 {
		t.Errorf("PurgeAcked before retention = %d, %v; want 0", n, err)
	}
	c.Set(t0.Add(7*24*time.Hour + time.Minute))
	if n, err := s.PurgeAcked(ctx); err != nil || n != 1 {
		t.Errorf("PurgeAcked after retention = %d, %v; want 1", n, err)
	}
	cnt, _ := s.Counts(ctx)
	if want := (localstore.Counts{Pending: 3}); cnt != want {
		t.Errorf("Counts = %+v, want %+v", cnt, want)
	}
}

// TestReplaceBodyAndUnacked re-writes queued bodies: pending and
// quarantined items keep their place and client ID, acknowledged ones
// refuse, and a deleted setting is gone.
func TestReplaceBodyAndUnacked(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	k := s.KeyOf(pii.IDNumber("310101194803140019"))
	for _, id := range []string{"c-0001", "c-0002", "c-0003"} {
		enqueue(t, s, id, k)
	}
	err := s.InTx(ctx, func(tx *localstore.Tx) error {
		if err := tx.Ack("c-0001", "accepted", "ref-1"); err != nil {
			return err
		}
		if err := tx.Quarantine("c-0002", "invalid_phone"); err != nil {
			return err
		}
		return tx.SetSetting("old_key", []byte("x"))
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = s.InTx(ctx, func(tx *localstore.Tx) error {
		items, err := tx.Unacked("enrolment")
		for _, it := range items {
			got = append(got, it.ClientID)
		}
		if other, err := tx.Unacked("print"); err != nil || len(other) != 0 {
			t.Errorf("Unacked(print) = %v, %v; want none", other, err)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"c-0002", "c-0003"}; !equal(got, want) {
		t.Errorf("Unacked = %v, want %v", got, want)
	}
	for _, tt := range []struct {
		clientID string
		body     string
		want     error
	}{
		{"c-0001", "new", localstore.ErrState},
		{"c-0002", "new-2", nil},
		{"c-0003", "new-3", nil},
		{"c-0009", "new", localstore.ErrNotFound},
	} {
		t.Run(tt.clientID, func(t *testing.T) {
			err := s.InTx(ctx, func(tx *localstore.Tx) error { return tx.ReplaceBody(tt.clientID, []byte(tt.body)) })
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("ReplaceBody(%s) = %v, want %v", tt.clientID, err, tt.want)
			}
		})
	}
	items, _ := s.Pending(ctx, 10)
	if len(items) != 1 || items[0].ClientID != "c-0003" || string(items[0].Body) != "new-3" {
		t.Errorf("pending after replace = %+v, want c-0003 with the new body", items)
	}
	if q, _ := s.Quarantined(ctx); len(q) != 1 || string(q[0].Body) != "new-2" || q[0].Reason != "invalid_phone" {
		t.Errorf("quarantined after replace = %+v, want c-0002 with the new body and its reason", q)
	}
	if err := s.InTx(ctx, func(tx *localstore.Tx) error { return tx.DeleteSetting("old_key") }); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Setting(ctx, "old_key"); ok || err != nil {
		t.Errorf("setting after delete: present %v, err %v", ok, err)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestKeyOf(t *testing.T) {
	a, _ := newStore(t)
	b, _ := newStore(t)
	id := pii.IDNumber("310101194803140019")
	if a.KeyOf(id) != a.KeyOf(id) {
		t.Error("KeyOf is not deterministic")
	}
	if a.KeyOf(id) == b.KeyOf(id) {
		t.Error("two devices give the same key: the secret is not per device")
	}
	if a.KeyOf(id) == a.KeyOf(pii.IDNumber("31010419550922002X")) {
		t.Error("two residents share a key")
	}
}

func TestStatusCacheNeverGoesBack(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	k := s.KeyOf("310101194803140019")
	put := func(c localstore.CachedStatus) bool {
		var stored bool
		if err := s.InTx(ctx, func(tx *localstore.Tx) (err error) { stored, err = tx.PutStatus(c); return err }); err != nil {
			t.Fatal(err)
		}
		return stored
	}
	base := localstore.CachedStatus{ResidentRef: "ref-1", Resident: k, Colour: "yellow", AsOf: t0, Version: 2}
	tests := []struct {
		name   string
		c      localstore.CachedStatus
		stored bool
		colour healthcode.Colour
	}{
		{"first", base, true, "yellow"},
		{"older version", with(base, "green", 1, t0.Add(time.Hour)), false, "yellow"},
		{"same version, earlier", with(base, "green", 2, t0.Add(-time.Hour)), false, "yellow"},
		{"newer version", with(base, "green", 3, t0.Add(time.Hour)), true, "green"},
		// New rules count the scheduled ends their own way: a later
		// answer under them may have a lower version, and it wins; an
		// earlier one under them does not.
		{"other rules, earlier", rulesOf(with(base, "yellow", 1, t0), "r2"), false, "green"},
		{"other rules, later", rulesOf(with(base, "yellow", 1, t0.Add(2*time.Hour)), "r2"), true, "yellow"},
		{"old rules, late", with(base, "green", 3, t0.Add(90*time.Minute)), false, "yellow"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := put(tc.c); got != tc.stored {
				t.Errorf("stored = %v, want %v", got, tc.stored)
			}
			got, ok, err := s.StatusByKey(ctx, k)
			if err != nil || !ok {
				t.Fatalf("StatusByKey: %v %v", ok, err)
			}
			if got.Colour != tc.colour {
				t.Errorf("colour = %s, want %s", got.Colour, tc.colour)
			}
		})
	}
}

func rulesOf(c localstore.CachedStatus, rules string) localstore.CachedStatus {
	c.RulesVersion = rules
	return c
}

func with(c localstore.CachedStatus, colour healthcode.Colour, version uint64, asOf time.Time) localstore.CachedStatus {
	c.Colour, c.Version, c.AsOf = colour, version, asOf
	return c
}

func TestCallList(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	k := s.KeyOf("310101194803140019")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.InTx(ctx, func(tx *localstore.Tx) error {
		if _, err := tx.PutStatus(localstore.CachedStatus{ResidentRef: "ref-1", Resident: k, Colour: "green", AsOf: t0, Version: 1}); err != nil {
			return err
		}
		return tx.RecordPrint(localstore.PrintedCode{TokenID: "tok-1", Resident: k, ResidentRef: "ref-1", TokenText: "HC", Colour: "green", StatusAsOf: t0, ExpiresAt: t0.AddDate(0, 6, 0)})
	}))
	feed := func(colour healthcode.Colour, v uint64, at time.Time) {
		must(s.InTx(ctx, func(tx *localstore.Tx) error {
			_, err := tx.ApplyFeedStatus(localstore.CachedStatus{ResidentRef: "ref-1", Colour: colour, AsOf: at, Version: v, MaskedName: "张*丰", MaskedID: "3**************0019"})
			return err
		}))
	}
	feed("green", 1, t0) // same as printed: nothing
	if l, _ := s.CallList(ctx); len(l) != 0 {
		t.Fatalf("call list after unchanged colour = %v, want empty", l)
	}
	feed("yellow", 2, t0.Add(time.Hour))
	feed("red", 3, t0.Add(2*time.Hour))
	l, err := s.CallList(ctx)
	must(err)
	if len(l) != 1 || l[0].Printed != "green" || l[0].Current != "red" || l[0].MaskedName != "张*丰" {
		t.Fatalf("call list = %+v, want one entry green → red", l)
	}
	must(s.InTx(ctx, func(tx *localstore.Tx) error { return tx.ResolveCall(l[0].ID, "w-1") }))
	if l, _ := s.CallList(ctx); len(l) != 0 {
		t.Errorf("call list after resolve = %v, want empty", l)
	}
	// Revocation reaches the printed code.
	must(s.InTx(ctx, func(tx *localstore.Tx) error {
		ok, err := tx.SetTokenState("tok-1", "revoked")
		if !ok {
			t.Error("SetTokenState(tok-1) found no printed code")
		}
		return err
	}))
	p, err := s.PrintedFor(ctx, k)
	must(err)
	if len(p) != 1 || p[0].State != "revoked" {
		t.Errorf("printed codes = %+v, want tok-1 revoked", p)
	}
}

func TestAuditChain(t *testing.T) {
	tests := []struct {
		name    string
		tamper  string
		problem string
	}{
		{"intact", "", ""},
		{"edited", "UPDATE audit SET action = 'nothing' WHERE seq = 3", "edited"},
		{"edited time", "UPDATE audit SET at = at + 1 WHERE seq = 2", "edited"},
		{"deleted middle", "DELETE FROM audit WHERE seq = 3", "missing"},
		{"deleted last", "DELETE FROM audit WHERE seq = 5", "truncated"},
		{"reordered", `UPDATE audit SET action = CASE seq WHEN 2 THEN (SELECT action FROM audit WHERE seq = 3)
			ELSE (SELECT action FROM audit WHERE seq = 2) END,
			hash = CASE seq WHEN 2 THEN (SELECT hash FROM audit WHERE seq = 3) ELSE (SELECT hash FROM audit WHERE seq = 2) END
			WHERE seq IN (2, 3)`, "edited"},
		{"rechained after delete", "DELETE FROM audit WHERE seq = 2; UPDATE audit SET seq = seq - 1 WHERE seq > 2", "chain link does not match the previous row"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kiosk.db")
			s := open(t, path, localstore.Options{})
			ctx := context.Background()
			k := s.KeyOf("310101194803140019")
			for i, a := range []string{"login", "read_card", "enrol", "print", "logout"} {
				err := s.InTx(ctx, func(tx *localstore.Tx) error {
					_, err := tx.Audit("w-7", a, k, "step "+string(rune('0'+i)))
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			if tc.tamper != "" {
				db, err := sql.Open("sqlite3", path)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Exec(tc.tamper); err != nil {
					t.Fatal(err)
				}
				db.Close()
			}
			err := s.VerifyAudit(ctx)
			if tc.problem == "" {
				if err != nil {
					t.Fatalf("VerifyAudit = %v, want nil", err)
				}
				return
			}
			var ae *localstore.AuditError
			if !errors.As(err, &ae) || !errors.Is(err, localstore.ErrAuditBroken) {
				t.Fatalf("VerifyAudit = %v, want *AuditError", err)
			}
			if ae.Problem != tc.problem {
				t.Errorf("problem = %q, want %q", ae.Problem, tc.problem)
			}
		})
	}
}

func TestWorkersLoginStatePersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.db")
	ctx := context.Background()
	s, err := localstore.Open(ctx, path, localstore.Options{KeyFile: keyFile(path)})
	if err != nil {
		t.Fatal(err)
	}
	err = s.InTx(ctx, func(tx *localstore.Tx) error {
		if err := tx.PutWorker(localstore.Worker{ID: "w-1", DisplayName: "王老师", PasswordHash: "$argon2id$..."}); err != nil {
			return err
		}
		return tx.SetLoginState("w-1", 5, t0.Add(15*time.Minute))
	})
	if err != nil {
		t.Fatal(err)
	}
	// A refresh from the service keeps the lockout.
	s.InTx(ctx, func(tx *localstore.Tx) error {
		return tx.PutWorker(localstore.Worker{ID: "w-1", DisplayName: "王老师", PasswordHash: "$argon2id$new"})
	})
	s.Close()
	s = open(t, path, localstore.Options{})
	w, err := s.Worker(ctx, "w-1")
	if err != nil {
		t.Fatal(err)
	}
	if w.Failures != 5 || !w.LockedUntil.Equal(t0.Add(15*time.Minute)) || w.PasswordHash != "$argon2id$new" {
		t.Errorf("worker after reopen = %+v, want 5 failures, locked until %v, new hash", w, t0.Add(15*time.Minute))
	}
	if _, err := s.Worker(ctx, "nobody"); !errors.Is(err, localstore.ErrNotFound) {
		t.Errorf("Worker(nobody) = %v, want ErrNotFound", err)
	}
}

// TestNoPersonalDataOnDisk runs a realistic session through the store and
// then reads the raw file bytes (main file and -wal) for every sample
// resident's name and ID number.
func TestNoPersonalDataOnDisk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.db")
	s := open(t, path, localstore.Options{})
	ctx := context.Background()
	priv, err := sealbox.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	cards := deck(t)
	for i, c := range cards {
		id := pii.IDNumber(c.IDNumber)
		k := s.KeyOf(id)
		payload, _ := json.Marshal(map[string]string{"id_number": id.Reveal(), "name": c.Name})
		box, err := sealbox.Seal(priv.Public(), payload, []byte("kiosk-enrolment-v1"))
		if err != nil {
			t.Fatal(err)
		}
		ref := "ref-" + k.String()[:8]
		err = s.InTx(ctx, func(tx *localstore.Tx) error {
			if _, err := tx.Enqueue(localstore.NewItem{ClientID: "enr-" + k.String()[:12], Kind: "enrolment", Body: box, Resident: k, Receipt: "R" + k.String()[:6]}); err != nil {
				return err
			}
			if _, err := tx.PutStatus(localstore.CachedStatus{ResidentRef: ref, Resident: k, Colour: "green", AsOf: t0, Version: 1,
				MaskedName: pii.MaskName(c.Name), MaskedID: pii.MaskID(c.IDNumber)}); err != nil {
				return err
			}
			if err := tx.RecordPrint(localstore.PrintedCode{TokenID: "tok-" + ref, Resident: k, ResidentRef: ref, TokenText: "HC1:XYZ", Colour: "green", StatusAsOf: t0}); err != nil {
				return err
			}
			_, err := tx.Audit("w-1", "enrol", k, "counter enrolment")
			return err
		})
		if err != nil {
			t.Fatalf("card %d: %v", i, err)
		}
	}
	check := func(when string) {
		for _, suffix := range []string{"", "-wal"} {
			b, err := os.ReadFile(path + suffix)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cards {
				for _, secret := range []string{c.IDNumber, c.Name} {
					if bytes.Contains(b, []byte(secret)) {
						t.Errorf("%s: %s%s holds a sample resident's %s in the clear", when, filepath.Base(path), suffix, pii.MaskName(secret))
					}
				}
			}
		}
	}
	check("open")
	s.Close()
	check("closed")
}

// TestAwaitedCodesLeave: a resident taken off the ready list leaves the
// store after the retention; one who never takes her code leaves after
// AwaitedRetention. Nothing about her stays for ever.
func TestAwaitedCodesLeave(t *testing.T) {
	ctx := context.Background()
	c := clocktest.New(t0)
	s := open(t, filepath.Join(t.TempDir(), "kiosk.db"), localstore.Options{Now: c.Now, Retention: 7 * 24 * time.Hour})
	taken, never := s.KeyOf("310101194803140019"), s.KeyOf("31010419550922002X")
	err := s.InTx(ctx, func(tx *localstore.Tx) error {
		for i, k := range []localstore.ResidentKey{taken, never} {
			if err := tx.AwaitCode(int64(i+1), k, fmt.Sprintf("RCPT-%d", i), "张*丰"); err != nil {
				return err
			}
			if err := tx.CodeReady(int64(i+1), fmt.Sprintf("R%d", i)); err != nil {
				return err
			}
		}
		return tx.CodePrinted(taken)
	})
	if err != nil {
		t.Fatal(err)
	}
	if l, err := s.ReadyCodes(ctx); err != nil || len(l) != 1 || l[0].Receipt != "RCPT-1" {
		t.Fatalf("ready = %+v, %v; want the one never taken", l, err)
	}
	checkAwaitedPurge(t, s, c, localstore.AwaitedRows, "the untaken one")
}

// checkAwaitedPurge purges s with c eight days on (past a seven-day
// retention) and then past AwaitedRetention: rows counts the table under
// test, which must keep one row (kept: the one still awaited) after the
// first and none after the second.
func checkAwaitedPurge(t *testing.T, s *localstore.Store, c *clocktest.Clock, rows func(context.Context, *localstore.Store) (int, error), kept string) {
	t.Helper()
	ctx := context.Background()
	for _, step := range []struct {
		at   time.Time
		want int
		left string
	}{
		{t0.Add(8 * 24 * time.Hour), 1, "after the retention, want " + kept + " only"},
		{t0.Add(localstore.AwaitedRetention + time.Hour), 0, "after AwaitedRetention, want none"},
	} {
		c.Set(step.at)
		if _, err := s.PurgeAcked(ctx); err != nil {
			t.Fatal(err)
		}
		n, err := rows(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if n != step.want {
			t.Fatalf("%d rows %s", n, step.left)
		}
	}
}

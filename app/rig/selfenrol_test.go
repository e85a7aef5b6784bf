package rig_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/rig"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/verify"
	"github.com/shcommunity/kiosk/healthcode"
)

// TestFirstTimeResidents: twenty residents the service has never seen
// enrol alone at the self-service kiosk while it is online, twenty more
// while it is offline; the network comes back and the twenty return. The
// counts are the service's own, read from its database: forty residents,
// each enrolled once and with exactly one paper code, and every printed
// code verifies.
func TestFirstTimeResidents(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, rig.Options{Dir: dir})
	ctx := context.Background()
	tl, err := k.Engine.TrustList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ver := &verify.Verifier{Trust: tl, Live: k.Backend.Client}
	verified := 0
	check := func(label string, v flow.SelfView) {
		t.Helper()
		if v.Step != flow.StepDone || v.Ticket.Kind != flow.TicketCode {
			t.Fatalf("%s: step %q problem %q ticket %q, want done with a new code", label, v.Step, v.Problem, v.Ticket.Kind)
		}
		k.mu.Lock()
		s := k.slips[len(k.slips)-1]
		k.mu.Unlock()
		text := decodeQR(t, s.Image)
		if text != v.Ticket.QR {
			t.Fatalf("%s: QR on paper is not the issued token", label)
		}
		res, err := ver.Verify(client.WithPurpose(ctx, api.PurposeVenueEntry), text) // as a venue checks it
		if err != nil || res.Source != verify.SourceLive || res.Colour != healthcode.Green {
			t.Fatalf("%s: verified %q (%s), %v; want a live green", label, res.Colour, res.Source, err)
		}
		verified++
	}

	var offline []string
	for i := range 20 {
		label := k.newcomer(t, i)
		phone := ""
		if i%2 == 0 {
			phone = fmt.Sprintf("139000000%02d", i)
		}
		check(label, k.enrolSelf(t, label, phone))
	}
	k.SetOnline(false)
	for i := 20; i < 40; i++ {
		label := k.newcomer(t, i)
		v := k.enrolSelf(t, label, "")
		if v.Step != flow.StepDone || v.Ticket.Kind != flow.TicketPending || v.Ticket.Receipt == "" || v.Ticket.Status.HasColour() {
			t.Fatalf("%s offline: step %q ticket %+v, want a pending receipt without colour", label, v.Step, v.Ticket)
		}
		offline = append(offline, label)
	}
	if n := decodeQRAbsent(k); n {
		t.Error("the offline receipt carries a QR code")
	}

	// The network returns: the engine sends the queued enrolments by
	// itself (a nudge only shortens its backoff).
	k.SetOnline(true)
	k.Engine.SyncNow()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s, err := k.Engine.Summary(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if s.Pending == 0 && s.InFlight == 0 {
			if len(s.Quarantined) != 0 {
				t.Fatalf("quarantined after the network came back: %+v", s.Quarantined)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox not drained: %d pending", s.Pending)
		}
		time.Sleep(50 * time.Millisecond)
		k.Engine.SyncNow()
	}
	for _, label := range offline {
		check(label+" returning", k.serve(t, label))
	}
	if verified != 40 {
		t.Fatalf("%d codes verified, want 40", verified)
	}

	// The service's own count.
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "codes.db")+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var accepted, residents, dupResidents int
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT resident_id) FROM enrolments WHERE outcome = 'accepted'`).
		Scan(&accepted, &residents); err != nil {
		t.Fatal(err)
	}
	if accepted != 40 || residents != 40 {
		t.Errorf("service: %d accepted enrolments for %d residents, want 40 and 40", accepted, residents)
	}
	if err := db.QueryRow(`SELECT count(*) FROM (SELECT resident_id FROM tokens GROUP BY resident_id HAVING count(*) > 1)`).
		Scan(&dupResidents); err != nil {
		t.Fatal(err)
	}
	var tokens int
	if err := db.QueryRow(`SELECT count(*) FROM tokens t JOIN enrolments e ON e.resident_id = t.resident_id
		WHERE e.outcome = 'accepted'`).Scan(&tokens); err != nil {
		t.Fatal(err)
	}
	if tokens != 40 || dupResidents != 0 {
		t.Errorf("service: %d codes issued to the new residents, %d residents with more than one; want 40 and 0", tokens, dupResidents)
	}
}

// TestReaderUnpluggedMidRead: a first-time resident's card is half-way
// through being read when the reader is pulled out, the pty closing
// under the kiosk's open port. The screen says the reader is not working
// and the status bar shows it gone; nothing is sent. The reader is
// plugged in again (a new device node, as a USB adapter), her card is read
// whole and she enrols once: the service holds one enrolment and one
// paper code for her, and one slip came out.
func TestReaderUnpluggedMidRead(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, rig.Options{Dir: dir, Pty: true})
	label := k.newcomer(t, 0)
	k.Reader.UnplugMidRead()
	if err := k.Reader.Place(label); err != nil {
		t.Fatal(err)
	}
	v := k.waitFor(t, func(v flow.SelfView) bool { return v.Step != flow.StepStart })
	if v.Step != flow.StepError || v.Problem != flow.ProblemReaderDown || v.Bar.ReaderConnected || v.HasResident() {
		t.Fatalf("reader pulled mid-read: step %q problem %q reader %v resident %v; want the reader-down error and nobody",
			v.Step, v.Problem, v.Bar.ReaderConnected, v.HasResident())
	}
	if n := k.slipCount(); n != 0 {
		t.Fatalf("%d slips before the card was read", n)
	}
	k.PlugReader()
	v = k.waitFor(t, func(v flow.SelfView) bool { return v.Step == flow.StepConsent })
	if !v.Bar.ReaderConnected {
		t.Errorf("consent screen with the reader shown gone")
	}
	k.flow.Agree()
	k.waitFor(t, func(v flow.SelfView) bool { return v.Step == flow.StepPhone })
	k.flow.SkipPhone()
	v = k.waitFor(t, settled)
	if v.Step != flow.StepDone || v.Ticket.Kind != flow.TicketCode {
		t.Fatalf("after the reader came back: step %q problem %q ticket %q, want done with a new code", v.Step, v.Problem, v.Ticket.Kind)
	}
	k.waitSlips(t, 1)
	k.Reader.Remove()
	k.waitFor(t, func(v flow.SelfView) bool { return v.Step == flow.StepStart && !v.CardOn })

	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "codes.db")+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var enrolments, tokens int
	if err := db.QueryRow(`SELECT count(*) FROM enrolments WHERE outcome = 'accepted'`).Scan(&enrolments); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM tokens t JOIN enrolments e ON e.resident_id = t.resident_id
		WHERE e.outcome = 'accepted'`).Scan(&tokens); err != nil {
		t.Fatal(err)
	}
	if enrolments != 1 || tokens != 1 || k.slipCount() != 1 {
		t.Errorf("service: %d enrolments, %d codes; %d slips; want 1, 1, 1", enrolments, tokens, k.slipCount())
	}
}

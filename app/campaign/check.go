package campaign

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/shcommunity/kiosk/internal/crashpoint"
	"github.com/shcommunity/kiosk/internal/sqldb"
	"github.com/shcommunity/kiosk/sync/localstore"
)

// Table is what a campaign found. Lost, Duplicated, Undelivered,
// PrintsLost, PrintsDuplicated and MisMarked must be 0.
type Table struct {
	Seed   uint64
	Runs   int                      // children started, the drain included
	Missed int                      // runs aimed at a pass the run did not reach
	Kills  map[crashpoint.Point]int // kills per point

	Committed   int // enrolments committed to the kiosk's outbox
	Stored      int // of those, stored (accepted) at the service
	Refused     int // of those, refused by the service (kept, quarantined)
	Undelivered int // of those, still pending at the kiosk after the drain
	Lost        int // committed at the kiosk, unknown to the service
	// Duplicated counts residents enrolled twice: two enrolments queued
	// at the kiosk, or two accepted at the service.
	Duplicated int

	Prints           int // prints recorded at the kiosk
	PrintsStored     int // of those, recorded at the service
	PrintsLost       int // recorded at the kiosk, unknown to the service
	PrintsDuplicated int // a token whose print the service recorded twice
	Receipts         int // receipts (no code) recorded as printed
	Slips            int // slips the printer delivered
	// MisMarked counts codes and receipts recorded as printed whose slip
	// never reached the printer.
	MisMarked int
	// Unrecorded counts slips the printer delivered that the kiosk never
	// recorded: a kill between the paper and the record. The resident has
	// her slip; the code is reprinted on her next visit.
	Unrecorded int
	// AuditOK: the kiosk's audit chain verifies after every kill.
	AuditOK bool
}

// TotalKills is the sum of the kills at every point.
func (t Table) TotalKills() int {
	n := 0
	for _, k := range t.Kills {
		n += k
	}
	return n
}

// Clean reports whether nothing was lost, duplicated or mis-marked.
func (t Table) Clean() bool {
	return t.Lost == 0 && t.Duplicated == 0 && t.Undelivered == 0 && t.PrintsLost == 0 &&
		t.PrintsDuplicated == 0 && t.MisMarked == 0 && t.AuditOK
}

// String is the table as `make crash` prints it.
func (t Table) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "crash campaign, seed %d: %d kills in %d runs (%d runs did not reach the pass they aimed at)\n",
		t.Seed, t.TotalKills(), t.Runs, t.Missed)
	fmt.Fprintf(&b, "  %-34s %6s\n", "crash point", "kills")
	for _, p := range crashpoint.All() {
		fmt.Fprintf(&b, "  %-34s %6d\n", p, t.Kills[p])
	}
	row := func(what string, n int) { fmt.Fprintf(&b, "  %-52s %6d\n", what, n) }
	row("enrolments committed at the kiosk", t.Committed)
	row("  stored at the service", t.Stored)
	row("  refused by the service", t.Refused)
	row("  still pending after the drain", t.Undelivered)
	row("  lost", t.Lost)
	row("  duplicated", t.Duplicated)
	row("codes recorded as printed at the kiosk", t.Prints)
	row("  recorded at the service", t.PrintsStored)
	row("  lost", t.PrintsLost)
	row("  duplicated", t.PrintsDuplicated)
	row("receipts recorded as printed", t.Receipts)
	row("slips the printer delivered", t.Slips)
	row("slips marked printed without their bytes sent", t.MisMarked)
	row("slips printed, not recorded (killed in between)", t.Unrecorded)
	audit := "verifies"
	if !t.AuditOK {
		audit = "BROKEN"
	}
	fmt.Fprintf(&b, "  %-52s %6s\n", "kiosk audit chain", audit)
	return b.String()
}

// check drains the kiosk and compares its store, the service's store and
// the slips.
func (p *parent) check(ctx context.Context) error {
	if err := p.runChild(ctx, 0, 0, nil); err != nil {
		return fmt.Errorf("drain: %w", err)
	}
	kiosk, err := sqldb.Open(p.dbPath, sqldb.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer kiosk.Close()
	svc, err := sqldb.Open(p.svcPath(), sqldb.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer svc.Close()
	if err := p.checkEnrolments(ctx, kiosk, svc); err != nil {
		return err
	}
	if err := p.checkPrints(ctx, kiosk, svc); err != nil {
		return err
	}
	st, err := localstore.Open(ctx, p.dbPath, localstore.Options{KeyFile: keyFileOf(p.dbPath)})
	if err != nil {
		return err
	}
	defer st.Close()
	p.table.AuditOK = st.VerifyAudit(ctx) == nil
	return nil
}

func (p *parent) checkEnrolments(ctx context.Context, kiosk, svc *sql.DB) error {
	type item struct{ state, key string }
	items := map[string]item{}
	perKey := map[string]int{}
	err := each(ctx, kiosk, "SELECT client_id, state, hex(resident_key) FROM outbox WHERE kind = 'enrolment'", func(r *sql.Rows) error {
		var id string
		var it item
		if err := r.Scan(&id, &it.state, &it.key); err != nil {
			return err
		}
		items[id] = it
		perKey[it.key]++
		return nil
	})
	if err != nil {
		return err
	}
	outcome := map[string]string{}
	perResident := map[int64]int{}
	err = each(ctx, svc, "SELECT client_id, outcome, coalesce(resident_id, 0) FROM enrolments", func(r *sql.Rows) error {
		var id, out string
		var res int64
		if err := r.Scan(&id, &out, &res); err != nil {
			return err
		}
		outcome[id] = out
		if out == "accepted" {
			perResident[res]++
		}
		return nil
	})
	if err != nil {
		return err
	}
	t := &p.table
	t.Committed = len(items)
	for id, it := range items {
		switch {
		case it.state == localstore.StatePending:
			t.Undelivered++
		case outcome[id] == "accepted":
			t.Stored++
		case outcome[id] == "rejected":
			t.Refused++
		default:
			t.Lost++
		}
	}
	for _, n := range perKey {
		t.Duplicated += n - 1
	}
	for _, n := range perResident {
		t.Duplicated += n - 1
	}
	return nil
}

func (p *parent) checkPrints(ctx context.Context, kiosk, svc *sql.DB) error {
	p.mu.Lock()
	slips := p.slips
	p.mu.Unlock()
	t := &p.table
	t.Slips = len(slips)
	delivered := func(s string) bool {
		for _, raw := range slips {
			if bytes.Contains(raw, []byte(s)) {
				return true
			}
		}
		return false
	}
	recorded := map[string]bool{}
	err := each(ctx, kiosk, "SELECT token_text FROM printed_codes", func(r *sql.Rows) error {
		var text string
		if err := r.Scan(&text); err != nil {
			return err
		}
		t.Prints++
		recorded[text] = true
		if !delivered(text) {
			t.MisMarked++
		}
		return nil
	})
	if err != nil {
		return err
	}
	// A receipt is audited when printed ("receipt K3QF-7XBA").
	err = each(ctx, kiosk, "SELECT detail FROM audit WHERE action = 'pending_receipt'", func(r *sql.Rows) error {
		var detail string
		if err := r.Scan(&detail); err != nil {
			return err
		}
		t.Receipts++
		if !delivered(strings.TrimPrefix(detail, "receipt ")) {
			t.MisMarked++
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, raw := range slips {
		if !bytes.Contains(raw, []byte("回执号")) && !anyIn(raw, recorded) {
			t.Unrecorded++
		}
	}
	return p.checkPrintRecords(ctx, kiosk, svc)
}

// anyIn reports whether raw holds one of the recorded token texts.
func anyIn(raw []byte, recorded map[string]bool) bool {
	for text := range recorded {
		if bytes.Contains(raw, []byte(text)) {
			return true
		}
	}
	return false
}

// checkPrintRecords compares the kiosk's print items with the service's
// prints.
func (p *parent) checkPrintRecords(ctx context.Context, kiosk, svc *sql.DB) error {
	atService := map[string]bool{}
	perToken := map[string]int{}
	err := each(ctx, svc, "SELECT client_id, token_id FROM prints", func(r *sql.Rows) error {
		var id, tok string
		if err := r.Scan(&id, &tok); err != nil {
			return err
		}
		atService[id] = true
		perToken[tok]++
		return nil
	})
	if err != nil {
		return err
	}
	t := &p.table
	err = each(ctx, kiosk, "SELECT client_id FROM outbox WHERE kind = 'print'", func(r *sql.Rows) error {
		var id string
		if err := r.Scan(&id); err != nil {
			return err
		}
		if atService[id] {
			t.PrintsStored++
		} else {
			t.PrintsLost++
		}
		return nil
	})
	for _, n := range perToken {
		t.PrintsDuplicated += n - 1
	}
	return err
}

func each(ctx context.Context, db *sql.DB, query string, fn func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

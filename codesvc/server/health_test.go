package server_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/healthcloud"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/healthcode"
)

// TestHealthServices: nothing is read from the health cloud before the
// resident agrees; once she has, she sees her doctor, centre, check-up,
// vaccinations and what is due; a resident the health cloud does not know
// gets no_health_record; a withdrawal at a counter, between two visits,
// brings back the consent screen and nothing else.
func TestHealthServices(t *testing.T) {
	cloud := &healthcloud.Sample{}
	e := newEnv(t, server.Options{HealthCloud: cloud})
	ctx := context.Background()
	self := client.WithPurpose(ctx, api.PurposeSelfService)
	old, young, unknown := idNumber(t, "19480314", 1), idNumber(t, "19800101", 2), idNumber(t, "19550922", 3)
	e.enrol(old, "张三丰")
	e.enrol(young, "李明")
	e.enrol(unknown, "王淑芬")
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	rec := healthcloud.Record{FamilyDoctor: "陈医生", Centre: "南京东路街道社区卫生服务中心", CentrePhone: "021-0000 0101",
		LastCheckUp: day("2025-04-10"), NextCheckUp: day("2026-04-15"),
		Vaccinations: []api.Vaccination{{Date: day("2025-10-20"), Vaccine: api.VaccineInfluenza}},
		FollowUp:     day("2026-03-20"),
		Due:          []api.Reminder{{Kind: api.ReminderVaccine, Date: day("2026-04-01"), Vaccine: api.VaccinePneumococcal}}}
	cloud.Put(e.svc.HealthSubject(old), rec)
	cloud.Put(e.svc.HealthSubject(young), rec)

	if _, err := e.c.HealthServices(self, old, ""); apiCode(err) != api.CodeConsentRequired {
		t.Fatalf("before she agreed: %v, want consent_required", err)
	}
	if _, err := e.c.HealthConsent(self, old, true, "", ""); apiCode(err) != api.CodeInvalidField {
		t.Errorf("agreeing to no version: %v, want invalid_field", err)
	}
	got, err := e.c.HealthConsent(self, old, true, api.HealthConsentVersion, "")
	if err != nil || !got.Given || got.Version != api.HealthConsentVersion || !got.At.Equal(e.clk.Now()) {
		t.Fatalf("HealthConsent = %+v, %v", got, err)
	}
	hs, err := e.c.HealthServices(self, old, "")
	if err != nil {
		t.Fatal(err)
	}
	if hs.FamilyDoctor != "陈医生" || hs.Centre != rec.Centre || hs.CentrePhone != rec.CentrePhone || len(hs.Vaccinations) != 1 ||
		hs.Consent.Version != api.HealthConsentVersion {
		t.Errorf("services = %+v", hs)
	}
	if hs.CheckUp == nil || hs.CheckUp.Year != 2026 || hs.CheckUp.Done || !hs.CheckUp.Next.Equal(rec.NextCheckUp) {
		t.Errorf("a 78-year-old's check-up = %+v; want 2026's, not done, next on 04-15", hs.CheckUp)
	}
	kinds := []api.ReminderKind{}
	for _, r := range hs.Reminders {
		kinds = append(kinds, r.Kind)
	}
	if len(kinds) != 3 || kinds[0] != api.ReminderCheckUp || kinds[1] != api.ReminderFollowUp || kinds[2] != api.ReminderVaccine {
		t.Errorf("reminders = %+v; want the check-up, the follow-up and the vaccine", hs.Reminders)
	}

	e.c.HealthConsent(self, young, true, api.HealthConsentVersion, "")
	if hs, err := e.c.HealthServices(self, young, ""); err != nil || hs.CheckUp != nil {
		t.Errorf("a 46-year-old: %+v, %v; want no check-up", hs.CheckUp, err)
	}
	e.c.HealthConsent(self, unknown, true, api.HealthConsentVersion, "")
	if _, err := e.c.HealthServices(self, unknown, ""); apiCode(err) != api.CodeNoHealthRecord {
		t.Errorf("no record in the health cloud: %v, want no_health_record", err)
	}
	if _, err := e.c.HealthServices(self, idNumber(t, "19600118", 4), ""); apiCode(err) != api.CodeNotEnrolled {
		t.Errorf("not enrolled: %v, want resident_not_enrolled", err)
	}

	// Between two visits she withdraws at the counter.
	if err := e.svc.AddWorker(ctx, "w1", "王社工", "secret-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.HealthConsent(client.WithPurpose(ctx, api.PurposeCounter), old, false, "", ""); apiCode(err) != api.CodeWorkerSession {
		t.Errorf("a counter's withdrawal without its worker: %v, want worker_session_required", err)
	}
	e.clk.Add(24 * time.Hour)
	w1, err := e.c.WorkerLogin(ctx, "w1", "secret-1")
	if err != nil {
		t.Fatal(err)
	}
	if w, err := e.c.HealthConsent(client.WithWorker(client.WithPurpose(ctx, api.PurposeCounter), w1.Session), old, false, "", "w1"); err != nil || w.Given {
		t.Fatalf("withdrawal = %+v, %v", w, err)
	}
	e.clk.Add(24 * time.Hour)
	if hs, err := e.c.HealthServices(self, old, ""); apiCode(err) != api.CodeConsentRequired || hs.FamilyDoctor != "" {
		t.Errorf("after the withdrawal: %+v, %v; want consent_required and nothing", hs, err)
	}
}

// exportAll pulls the whole export as the health cloud does, checking
// each page's signature and the hash chain from the first entry.
func exportAll(t *testing.T, e *env, hc *client.Client) []api.ExportEntry {
	t.Helper()
	var out []api.ExportEntry
	var prev []byte
	cursor := ""
	for {
		body, sig, err := hc.Export(context.Background(), cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(body, []byte("reason")) || bytes.Contains(body, []byte("arrival")) {
			t.Errorf("an export page says why: %s", body)
		}
		page, err := client.VerifyExport(e.root, body, sig)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.VerifyExport(e.root, bytes.Replace(body, []byte("green"), []byte("yello"), 1), sig); err == nil && bytes.Contains(body, []byte("green")) {
			t.Error("a page changed after signing still verifies")
		}
		for _, x := range page.Entries {
			h := api.ExportHash(prev, x)
			if x.Hash != hex.EncodeToString(h) {
				t.Fatalf("entry %d: hash %s does not chain (want %x)", x.Seq, x.Hash, h)
			}
			prev = h
			out = append(out, x)
		}
		cursor = page.NextCursor
		if !page.More {
			return out
		}
	}
}

// TestExport: the health cloud, under its own purpose, pulls a signed,
// hash-chained export of the residents who agreed: consent, codes issued
// and each colour change with its time (an event's, and a rule's
// boundary passing with nobody asking), never a reason; a withdrawal ends
// her entries, and a resident who never agreed never appears. Entries
// already pulled are the same at the next pull (append-only).
func TestExport(t *testing.T) {
	e := newEnv(t, server.Options{})
	ctx := context.Background()
	hc, _ := e.registerAs("上海市健康云", api.RoleHealthCloud)
	a, never := idNumber(t, "19480314", 1), idNumber(t, "19550922", 2)
	e.enrol(a, "张三丰")
	e.enrol(never, "李秀英")
	self := client.WithPurpose(ctx, api.PurposeSelfService)
	if got := exportAll(t, e, hc); len(got) != 0 {
		t.Fatalf("export before anyone agreed = %+v", got)
	}
	agreed := e.clk.Now()
	if _, err := e.c.HealthConsent(self, a, true, api.HealthConsentVersion, ""); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(time.Hour)
	tok, err := e.c.IssueToken(self, api.IssueTokenRequest{IDNumber: a.Reveal(), Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.IssueToken(self, api.IssueTokenRequest{IDNumber: never.Reveal(), Replace: true}); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(time.Hour)
	arrived := e.clk.Now()
	if _, err := e.svc.AddEvent(ctx, a, rules.ArrivalKeyArea, arrived, "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddEvent(ctx, never, rules.MedicalStart, arrived, "admin"); err != nil {
		t.Fatal(err)
	}
	first := exportAll(t, e, hc)
	e.clk.Add(15 * 24 * time.Hour) // the 14 days pass: green again by rule
	cleared := arrived.Add(14 * 24 * time.Hour)
	withdrawn := e.clk.Now()
	if err := e.svc.AddWorker(ctx, "w1", "王社工", "secret-1"); err != nil {
		t.Fatal(err)
	}
	w1, err := e.c.WorkerLogin(ctx, "w1", "secret-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.HealthConsent(client.WithWorker(client.WithPurpose(ctx, api.PurposeCounter), w1.Session), a, false, "", "w1"); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(time.Hour)
	if _, err := e.svc.AddEvent(ctx, a, rules.MedicalStart, e.clk.Now(), "admin"); err != nil { // after the withdrawal
		t.Fatal(err)
	}
	got := exportAll(t, e, hc)
	subject := e.svc.HealthSubject(a)
	type want struct {
		kind   string
		at     time.Time
		colour healthcode.Colour
	}
	wants := []want{
		{api.ExportConsentGiven, agreed, ""},
		{api.ExportColour, agreed, healthcode.Green},
		{api.ExportCodeIssued, tok.IssuedAt, ""},
		{api.ExportColour, arrived, healthcode.Yellow},
		{api.ExportColour, cleared, healthcode.Green},
		{api.ExportConsentWithdrawn, withdrawn, ""},
	}
	if len(got) != len(wants) {
		t.Fatalf("export = %+v; want %d entries", got, len(wants))
	}
	for i, w := range wants {
		g := got[i]
		if g.Seq != int64(i+1) || g.Subject != subject || g.Kind != w.kind || !g.At.Equal(w.at.Truncate(time.Second)) || g.Colour != w.colour {
			t.Errorf("entry %d = %+v; want %s at %v colour %q", i, g, w.kind, w.at, w.colour)
		}
	}
	if !got[2].ExpiresAt.Equal(tok.ExpiresAt) {
		t.Errorf("code issued expires %v, want %v", got[2].ExpiresAt, tok.ExpiresAt)
	}
	for i := range first {
		if first[i] != got[i] {
			t.Errorf("entry %d changed between pulls: %+v, then %+v", i, first[i], got[i])
		}
	}
	if strings.Contains(subject, a.Reveal()) || len(subject) < 40 {
		t.Errorf("subject %q is not a pseudonym", subject)
	}
	// A counter's device may not pull the export at all, and the health
	// cloud's may not pull it for another purpose.
	if _, _, err := e.c.Export(self, "", 0); apiCode(err) != api.CodeRoleForbidden {
		t.Errorf("a counter's pull: %v, want role_forbidden", err)
	}
	if _, _, err := hc.Export(self, "", 0); apiCode(err) != api.CodePurposeRefused {
		t.Errorf("the health cloud's pull for self-service: %v, want purpose_refused", err)
	}
	if _, _, err := hc.Export(ctx, "not-a-number", 0); apiCode(err) != api.CodeBadCursor {
		t.Errorf("bad cursor: %v, want bad_cursor", err)
	}
}

package wire_test

import (
	"testing"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/wire"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/codesvc/verify"
	"github.com/shcommunity/kiosk/healthcode"
)

var asOf = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

func TestCheckOf(t *testing.T) {
	claims := &token.Claims{MaskedName: "张*丰", Status: &token.StatusClaim{Colour: healthcode.Green, AsOf: asOf}}
	stale := &token.Claims{MaskedName: "张*丰", StatusStale: true}
	ending := &token.Claims{MaskedName: "李*英", Status: &token.StatusClaim{Colour: healthcode.Yellow, AsOf: asOf, Until: asOf.Add(3 * time.Hour)}}
	live := &verify.LiveStatus{State: verify.StateActive, Status: rules.Status{Colour: healthcode.Red, AsOf: asOf}, MaskedName: "周*国"}
	for _, tc := range []struct {
		name string
		in   verify.Result
		want healthcode.Status
		who  string
	}{
		{"live", verify.Result{Claims: claims, Live: live, Colour: healthcode.Red, Source: verify.SourceLive}, healthcode.Status{Source: healthcode.SourceLive, Colour: healthcode.Red, AsOf: asOf}, "周*国"},
		{"fresh claim", verify.Result{Claims: claims, Colour: healthcode.Green, Source: verify.SourceClaim}, healthcode.Status{Source: healthcode.SourceCached, Colour: healthcode.Green, AsOf: asOf,
			ShowUntil: asOf.Add(token.DefaultStatusFreshness)}, "张*丰"},
		// A claim with an end shows only until it: the status bounds
		// itself by the earlier of the end and the freshness bound.
		{"claim with an end", verify.Result{Claims: ending, Colour: healthcode.Yellow, Source: verify.SourceClaim}, healthcode.Status{Source: healthcode.SourceCached, Colour: healthcode.Yellow, AsOf: asOf,
			ValidUntil: asOf.Add(3 * time.Hour), ShowUntil: asOf.Add(token.DefaultStatusFreshness)}, "李*英"},
		{"stale claim", verify.Result{Claims: stale, Source: verify.SourceNone}, healthcode.Status{Source: healthcode.SourceUnknown}, "张*丰"},
		// A claim source with no claim, or a colour with source none, is
		// not shown as a colour whatever the colour field says.
		{"claim without claim", verify.Result{Claims: stale, Colour: healthcode.Green, Source: verify.SourceClaim}, healthcode.Status{Source: healthcode.SourceUnknown}, "张*丰"},
		{"none with colour", verify.Result{Claims: claims, Colour: healthcode.Green, Source: verify.SourceNone}, healthcode.Status{Source: healthcode.SourceUnknown}, "张*丰"},
		{"refused", verify.Result{Source: verify.SourceNone}, healthcode.Status{Source: healthcode.SourceUnknown}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := wire.CheckOf(tc.in)
			if got.Status != tc.want || got.MaskedName != tc.who {
				t.Errorf("CheckOf = %+v, want status %+v name %q", got, tc.want, tc.who)
			}
		})
	}
}

func TestSlipOf(t *testing.T) {
	base := flow.Ticket{MaskedName: "张*丰", MaskedID: "3*************0019", QR: "HC1:X", IssuedAt: asOf, ExpiresAt: asOf.AddDate(0, 0, 180), Serial: "S1"}
	for _, tc := range []struct {
		name      string
		kind      flow.TicketKind
		status    healthcode.Status
		colour    healthcode.Colour
		pending   bool
		unchecked bool
	}{
		{"live green", flow.TicketCode, healthcode.Status{Source: healthcode.SourceLive, Colour: healthcode.Green, AsOf: asOf}, healthcode.Green, false, false},
		{"cached red", flow.TicketReprint, healthcode.Status{Source: healthcode.SourceCached, Colour: healthcode.Red, AsOf: asOf}, healthcode.Red, false, false},
		{"unknown green", flow.TicketReprint, healthcode.Status{Source: healthcode.SourceUnknown, Colour: healthcode.Green, AsOf: asOf}, "", false, false},
		{"pending", flow.TicketPending, healthcode.Status{Source: healthcode.SourcePending, Colour: healthcode.Green}, "", true, false},
		{"unchecked", flow.TicketUnchecked, healthcode.Status{Source: healthcode.SourceUnknown, Colour: healthcode.Yellow}, "", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk := base
			tk.Kind, tk.Status, tk.Receipt = tc.kind, tc.status, "R-1"
			s := wire.SlipOf(tk, "田林")
			if s.Colour != tc.colour || s.Pending != tc.pending || s.Unchecked != tc.unchecked || ((tc.pending || tc.unchecked) && s.QR != "") {
				t.Errorf("slip colour %v pending %v unchecked %v qr %q; want %v %v %v", s.Colour, s.Pending, s.Unchecked, s.QR,
					tc.colour, tc.pending, tc.unchecked)
			}
			if s.Name.Masked() != "张*丰" || s.ID.Masked() != "3*************0019" {
				t.Errorf("slip prints %q %q, want the masked values unchanged", s.Name.Masked(), s.ID.Masked())
			}
		})
	}
}

// TestFlowSpeaksTheServiceCodes: the flow's own words for the service's
// health-consent version and reminder kinds are the service's.
func TestFlowSpeaksTheServiceCodes(t *testing.T) {
	for _, c := range [][2]string{
		{flow.HealthConsentVersion, api.HealthConsentVersion},
		{flow.ReminderCheckUp, string(api.ReminderCheckUp)},
		{flow.ReminderVaccine, string(api.ReminderVaccine)},
		{flow.ReminderFollowUp, string(api.ReminderFollowUp)},
	} {
		if c[0] != c[1] {
			t.Errorf("the flow says %q where the service says %q", c[0], c[1])
		}
	}
}

package wire_test

import (
	"testing"
	"time"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/wire"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/codesvc/verify"
	"github.com/shcommunity/kiosk/devices/slip"
)

var asOf = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

func TestCheckOf(t *testing.T) {
	claims := &token.Claims{MaskedName: "张*丰", Status: &token.StatusClaim{Colour: rules.Green, AsOf: asOf}}
	stale := &token.Claims{MaskedName: "张*丰", StatusStale: true}
	live := &verify.LiveStatus{State: verify.StateActive, Status: rules.Status{Colour: rules.Red, AsOf: asOf}, MaskedName: "周*国"}
	for _, tc := range []struct {
		name string
		in   verify.Result
		want flow.Status
		who  string
	}{
		{"live", verify.Result{Claims: claims, Live: live, Colour: rules.Red, Source: verify.SourceLive}, flow.Status{Source: flow.SourceLive, Colour: rules.Red, AsOf: asOf}, "周*国"},
		{"fresh claim", verify.Result{Claims: claims, Colour: rules.Green, Source: verify.SourceClaim}, flow.Status{Source: flow.SourceCached, Colour: rules.Green, AsOf: asOf}, "张*丰"},
		{"stale claim", verify.Result{Claims: stale, Source: verify.SourceNone}, flow.Status{Source: flow.SourceUnknown}, "张*丰"},
		// A claim source with no claim, or a colour with source none, is
		// not shown as a colour whatever the colour field says.
		{"claim without claim", verify.Result{Claims: stale, Colour: rules.Green, Source: verify.SourceClaim}, flow.Status{Source: flow.SourceUnknown}, "张*丰"},
		{"none with colour", verify.Result{Claims: claims, Colour: rules.Green, Source: verify.SourceNone}, flow.Status{Source: flow.SourceUnknown}, "张*丰"},
		{"refused", verify.Result{Source: verify.SourceNone}, flow.Status{Source: flow.SourceUnknown}, ""},
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
		name    string
		kind    flow.TicketKind
		status  flow.Status
		colour  slip.Colour
		pending bool
	}{
		{"live green", flow.TicketCode, flow.Status{Source: flow.SourceLive, Colour: rules.Green, AsOf: asOf}, slip.ColourGreen, false},
		{"cached red", flow.TicketReprint, flow.Status{Source: flow.SourceCached, Colour: rules.Red, AsOf: asOf}, slip.ColourRed, false},
		{"unknown green", flow.TicketReprint, flow.Status{Source: flow.SourceUnknown, Colour: rules.Green, AsOf: asOf}, slip.ColourNone, false},
		{"pending", flow.TicketPending, flow.Status{Source: flow.SourcePending, Colour: rules.Green}, slip.ColourNone, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk := base
			tk.Kind, tk.Status, tk.Receipt = tc.kind, tc.status, "R-1"
			s := wire.SlipOf(tk, "田林")
			if s.Colour != tc.colour || s.Pending != tc.pending || (tc.pending && s.QR != "") {
				t.Errorf("slip colour %v pending %v qr %q; want %v %v", s.Colour, s.Pending, s.QR, tc.colour, tc.pending)
			}
			if s.Name.Masked() != "张*丰" || s.ID.Masked() != "3*************0019" {
				t.Errorf("slip prints %q %q, want the masked values unchanged", s.Name.Masked(), s.ID.Masked())
			}
		})
	}
}

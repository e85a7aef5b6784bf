package ui_test

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/ui"
	"github.com/shcommunity/kiosk/healthcode"
)

func TestVenueScreens(t *testing.T) {
	live := flow.CodeCheck{MaskedName: "李*英", Status: healthcode.Status{Source: healthcode.SourceLive, Colour: healthcode.Yellow, AsOf: asOf}}
	claim := flow.CodeCheck{MaskedName: "张*丰", Status: healthcode.Status{Source: healthcode.SourceCached, Colour: healthcode.Green, AsOf: asOf},
		Explanation: "无法连接服务，离线核验。纸码签名有效；码上状态为绿码，截至 2026-03-01 17:30（非实时）。"}
	stale := flow.CodeCheck{MaskedName: "张*丰", Status: healthcode.Status{Source: healthcode.SourceUnknown, Colour: healthcode.Green},
		Explanation: "离线核验。 纸码签名有效，但码上状态已过时，无法确认当前颜色"}
	revoked := flow.CodeCheck{Explanation: "此纸码已被新码取代（已补办），旧码不能使用"}
	for _, tc := range []struct {
		name string
		view flow.VenueView
		want []string
		not  []string
	}{
		{"ready", flow.VenueView{Step: flow.VenueReady, Bar: bar}, []string{"请刷身份证或扫描纸质码", "扫码内容"}, []string{"打印机"}},
		{"live", flow.VenueView{Step: flow.VenueResult, Check: live, Bar: bar}, []string{"黄码", "李*英"}, nil},
		{"offline_claim", flow.VenueView{Step: flow.VenueResult, Check: claim}, []string{"绿码", "离线：显示本机保存的状态", "非实时"}, nil},
		{"offline_stale", flow.VenueView{Step: flow.VenueResult, Check: stale}, []string{"无法核验", "已过时"}, []string{"绿码"}},
		{"refused", flow.VenueView{Step: flow.VenueRefused, Check: revoked, Bar: bar}, []string{"不能使用", "已被新码取代"}, []string{"绿码", "黄码", "红码"}},
		{"card_expired", flow.VenueView{Step: flow.VenueRefused, Problem: flow.ProblemCardExpired, Bar: bar}, []string{"您的身份证已过期"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			themedApp(t)
			w := showVenue(t, i18n.ZH, screenSize, tc.view)
			screenSays(t, "screen", w, tc.want, tc.not)
			golden(t, "venue_"+tc.name+".xml", w)
		})
	}
}

// TestScannerEntry types a QR text ending in Enter, as a USB scanner
// does, and checks the flow gets it and the entry is cleared for the next.
func TestScannerEntry(t *testing.T) {
	themedApp(t)
	var got []string
	v := ui.NewVenue(func(s string) { got = append(got, s) }, i18n.ZH)
	w := test.NewTempWindow(t, v.Content())
	w.Canvas().Focus(v.Focusable())
	test.Type(v.Entry(), "HC1:ABC")
	v.Entry().TypedKey(&fyneKeyReturn)
	if len(got) != 1 || got[0] != "HC1:ABC" || v.Entry().Text != "" {
		t.Errorf("scanned %q, entry %q; want [HC1:ABC] and an empty entry", got, v.Entry().Text)
	}
}

var fyneKeyReturn = fyne.KeyEvent{Name: fyne.KeyReturn}

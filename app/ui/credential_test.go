package ui_test

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/theme"
	"github.com/shcommunity/kiosk/app/ui"
	"github.com/shcommunity/kiosk/healthcode"
)

// credentialViews are the screens of the medical-visit credential: 打印就医
// 凭证 beside her questions after her code, and the credential printing
// and printed, from a social-security card and from an ID card.
func credentialViews() map[string]flow.SelfView {
	offered := resident(flow.StepDone, ticket(flow.TicketCode, healthcode.SourceLive, healthcode.Green))
	offered.CanCredential, offered.CanAsk = true, true
	cred := func(step flow.Step, card string, src flow.CardSource) flow.SelfView {
		t := flow.Ticket{Kind: flow.TicketCredential, MaskedName: "张*丰", MaskedID: "3*************0019", QR: "SSJ1:X",
			IssuedAt: asOf, ExpiresAt: asOf.Add(24 * time.Hour), MaskedCardNumber: card, Source: src}
		v := resident(step, t)
		v.Source, v.CanAsk = src, step == flow.StepDone
		return v
	}
	return map[string]flow.SelfView{
		"credential_offered":  offered,
		"credential_printing": cred(flow.StepPrinting, "D****0002", flow.SourceSSC),
		"credential_ssc":      cred(flow.StepDone, "D****0002", flow.SourceSSC),
		"credential_id_card":  cred(flow.StepDone, "", flow.SourceIDCard),
	}
}

// TestCredentialScreens: the credential's screens say what it is for, its
// card number masked or that none was read, and its validity; they show
// no colour and offer no 读给我听; 打印就医凭证 is offered after a code.
func TestCredentialScreens(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.New())
	for _, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
		views := credentialViews()
		for name, want := range map[string][]string{
			"credential_offered":  {i18n.T(l, i18n.CredentialButton), i18n.T(l, i18n.AccessButton)},
			"credential_printing": {i18n.T(l, i18n.CredentialPrinting), "D****0002"},
			"credential_ssc":      {i18n.T(l, i18n.CredentialDoneSSC), i18n.T(l, i18n.CredentialCard) + "  D****0002", i18n.CredentialUntilText(l, asOf.Add(24*time.Hour))},
			"credential_id_card":  {i18n.T(l, i18n.CredentialDone), i18n.T(l, i18n.CredentialNoCard)},
		} {
			s := ui.NewSelf(ui.SelfControls{}, l)
			w := test.NewTempWindow(t, s.Content())
			w.Resize(screenSize)
			s.Show(views[name])
			text := test.RenderToMarkup(w.Canvas())
			for _, x := range want {
				if !strings.Contains(text, x) {
					t.Errorf("%s/%s: %q not on screen", l, name, x)
				}
			}
			if name == "credential_offered" {
				continue
			}
			not := []string{i18n.T(l, i18n.ReadAloud), healthcode.Green.Word()}
			if name != "credential_printing" { // its title says 正在打印就医凭证
				not = append(not, i18n.T(l, i18n.CredentialButton))
			}
			for _, x := range not {
				if strings.Contains(text, x) {
					t.Errorf("%s/%s: %q on a credential's screen", l, name, x)
				}
			}
		}
	}
}

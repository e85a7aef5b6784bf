package ui_test

import (
	"testing"

	"fyne.io/fyne/v2"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/healthcode"
)

// TestSSCScreensNoWider: the screens of a kiosk with a contact reader
// (two readers in the status bar, the line under the start prompt, a
// social-security card's result and problems) need no more room than the
// same screens of an ID card, wherever those fit; in both languages,
// landscape and portrait.
func TestSSCScreensNoWider(t *testing.T) {
	themedApp(t)
	done := resident(flow.StepDone, ticket(flow.TicketCode, healthcode.SourceLive, healthcode.Green))
	sscDone := done
	sscDone.Source, sscDone.Bar = flow.SourceSSC, withContact(flow.ContactReady)
	idError := flow.SelfView{Step: flow.StepError, Problem: flow.ProblemCardUnreadable, CardOn: true, Bar: bar}
	sscError := func(p flow.Problem) flow.SelfView {
		return flow.SelfView{Step: flow.StepError, Problem: p, Source: flow.SourceSSC, CardOn: true, Bar: withContact(flow.ContactReady)}
	}
	pairs := []struct{ ssc, id flow.SelfView }{
		{flow.SelfView{Step: flow.StepStart, Bar: withContact(flow.ContactReady)}, flow.SelfView{Step: flow.StepStart, Bar: bar}},
		{flow.SelfView{Step: flow.StepStart, Bar: withContact(flow.ContactNoService)}, flow.SelfView{Step: flow.StepStart, Bar: bar}},
		{flow.SelfView{Step: flow.StepStart, Bar: withContact(flow.ContactNoReader)}, flow.SelfView{Step: flow.StepStart, Bar: bar}},
		{sscDone, done},
		{sscError(flow.ProblemSSCLocked), idError},
		{sscError(flow.ProblemNotSSC), idError},
		{sscError(flow.ProblemSSCExpired), idError},
		{sscError(flow.ProblemSSCUnreadable), idError},
	}
	for _, size := range []fyne.Size{fyne.NewSize(1366, 768), fyne.NewSize(1920, 1080), fyne.NewSize(1080, 1920)} {
		for _, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
			needs := func(v flow.SelfView) (fyne.Size, fyne.Size) {
				w := showSelf(t, l, size, v)
				return w.Content().MinSize(), w.Content().Size()
			}
			for _, p := range pairs {
				m, have := needs(p.ssc)
				base, _ := needs(p.id)
				if m.Width > max(have.Width, base.Width) || m.Height > max(have.Height, base.Height) {
					t.Errorf("%s/%s/%s %s at %v: needs %v, has %v; the ID card's screen needs %v",
						p.ssc.Step, p.ssc.Problem, p.ssc.Bar.Contact, l, size, m, have, base)
				}
			}
			venue := func(c flow.ContactState) (fyne.Size, fyne.Size) {
				w := showVenue(t, l, size, flow.VenueView{Step: flow.VenueReady, Bar: withContact(c)})
				return w.Content().MinSize(), w.Content().Size()
			}
			base, _ := venue(flow.ContactNone)
			for _, c := range []flow.ContactState{flow.ContactReady, flow.ContactNoReader, flow.ContactNoService} {
				if m, have := venue(c); m.Width > max(have.Width, base.Width) || m.Height > max(have.Height, base.Height) {
					t.Errorf("venue %s %s at %v: needs %v, has %v; without the contact reader %v", c, l, size, m, have, base)
				}
			}
		}
	}
}

package ui_test

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/theme"
	"github.com/shcommunity/kiosk/app/ui"
	"github.com/shcommunity/kiosk/healthcode"
)

func TestSelfScreens(t *testing.T) {
	offline := bar
	offline.Link = flow.Link{Online: false, Waiting: 3}
	paperOut := bar
	paperOut.Printer = flow.PrinterPaperOut
	pending := ticket(flow.TicketPending, healthcode.SourcePending, "")
	pending.Receipt = "R-20260301-0042"
	for _, tc := range []struct {
		name string
		lang i18n.Lang
		view flow.SelfView
		want []string // words that must be on screen
	}{
		{"start", i18n.ZH, flow.SelfView{Step: flow.StepStart, Bar: bar}, []string{"请将身份证放在读卡器上", "读卡器已连接", "打印机就绪", "呼叫工作人员"}},
		{"start_en", i18n.EN, flow.SelfView{Step: flow.StepStart, Bar: bar}, []string{"Please place your ID card on the reader", "中文"}},
		{"checking", i18n.ZH, flow.SelfView{Step: flow.StepChecking, MaskedName: "张*丰", MaskedID: "3*************0019", CardOn: true, Bar: bar}, []string{"正在查询", "张*丰"}},
		{"green", i18n.ZH, resident(flow.StepDone, ticket(flow.TicketCode, healthcode.SourceLive, healthcode.Green)), []string{"绿码", "请取走您的纸质码和身份证", "截至 2026-03-01 17:30"}},
		{"yellow", i18n.ZH, resident(flow.StepDone, ticket(flow.TicketCode, healthcode.SourceLive, healthcode.Yellow)), []string{"黄码"}},
		{"red", i18n.ZH, resident(flow.StepDone, ticket(flow.TicketCode, healthcode.SourceLive, healthcode.Red)), []string{"红码"}},
		{"red_en", i18n.EN, resident(flow.StepDone, ticket(flow.TicketCode, healthcode.SourceLive, healthcode.Red)), []string{"Red code", "Please take your paper code"}},
		{"printing", i18n.ZH, resident(flow.StepPrinting, ticket(flow.TicketCode, healthcode.SourceLive, healthcode.Green)), []string{"正在打印纸质码", "纸质码预览"}},
		{"offline_reprint", i18n.ZH, func() flow.SelfView {
			v := resident(flow.StepDone, ticket(flow.TicketReprint, healthcode.SourceCached, healthcode.Green))
			v.Bar = offline
			return v
		}(), []string{"绿码", "离线：显示本机保存的状态", "补打", "离线 · 待上传 3"}},
		{"offline_pending", i18n.ZH, func() flow.SelfView {
			v := resident(flow.StepDone, pending)
			v.Bar = offline
			return v
		}(), []string{"待同步回执", "R-20260301-0042", "网络恢复后，在任一自助机"}},
		{"stale_unknown", i18n.ZH, resident(flow.StepDone, ticket(flow.TicketCode, healthcode.SourceUnknown, healthcode.Green)), []string{"状态未知"}},
		{"paper_out", i18n.ZH, flow.SelfView{Step: flow.StepError, Problem: flow.ProblemPaperOut, CardOn: true, Bar: paperOut}, []string{"打印机缺纸", "请联系工作人员"}},
		{"card_expired", i18n.ZH, flow.SelfView{Step: flow.StepError, Problem: flow.ProblemCardExpired, CardOn: true, Bar: bar}, []string{"您的身份证已过期"}},
		{"card_unreadable", i18n.ZH, flow.SelfView{Step: flow.StepError, Problem: flow.ProblemCardUnreadable, CardOn: true, Bar: bar}, []string{"身份证读取不成功", "再试一次"}},
		{"service_down", i18n.ZH, flow.SelfView{Step: flow.StepError, Problem: flow.ProblemServiceDown, CardOn: true, Bar: offline}, []string{"暂时连不上服务"}},
		{"not_enrolled", i18n.ZH, flow.SelfView{Step: flow.StepError, Problem: flow.ProblemNotEnrolled, CardOn: true, Bar: bar}, []string{"您还没有登记随申码"}},
		{"help", i18n.ZH, flow.SelfView{Step: flow.StepError, Problem: flow.ProblemPaperOut, HelpCalled: true, Bar: paperOut}, []string{"工作人员马上就来", "返回"}},
		{"reader_off", i18n.ZH, flow.SelfView{Step: flow.StepStart}, []string{"读卡器未连接"}},
		{"consent", i18n.ZH, flow.SelfView{Step: flow.StepConsent, MaskedName: "王*芬", MaskedID: "3*************0026", CardOn: true, Bar: bar},
			[]string{"登记随申码", "您还没有随申码", "姓名、身份证号码", "只用于随申码和公共卫生服务", "申请撤回", "同意并领取", "不同意", "再听一遍"}},
		{"consent_en", i18n.EN, flow.SelfView{Step: flow.StepConsent, CardOn: true, Bar: bar},
			[]string{"Register for your health code", "Agree and get my code", "I do not agree"}},
		{"consent_offline", i18n.ZH, flow.SelfView{Step: flow.StepConsent, Offline: true, CardOn: true, Bar: offline},
			[]string{"网络暂时不通，无法确认您是否已有随申码", "同意并领取"}},
		{"phone", i18n.ZH, flow.SelfView{Step: flow.StepPhone, Phone: "1381234", CardOn: true, Bar: bar},
			[]string{"联系电话（可以不填）", "138 1234", "确定", "跳过", "删除"}},
		{"phone_refused", i18n.ZH, flow.SelfView{Step: flow.StepPhone, Phone: "02112345678", PhoneRefused: true, CardOn: true, Bar: bar},
			[]string{"这不是手机号码", "跳过"}},
		{"enrolling", i18n.ZH, flow.SelfView{Step: flow.StepEnrolling, MaskedName: "王*芬", MaskedID: "3*************0026", CardOn: true, Bar: bar},
			[]string{"正在为您登记"}},
		{"enrolled_printing", i18n.ZH, func() flow.SelfView {
			v := resident(flow.StepPrinting, ticket(flow.TicketCode, healthcode.SourceLive, healthcode.Green))
			v.Enrolled = true
			return v
		}(), []string{"登记成功，正在打印纸质码", "绿码", "读给我听"}},
		{"enrolled_offline", i18n.ZH, func() flow.SelfView {
			v := resident(flow.StepDone, pending)
			v.Enrolled, v.Bar = true, offline
			return v
		}(), []string{"已为您登记", "R-20260301-0042", "在任一自助机再放一次身份证"}},
		{"declined", i18n.ZH, flow.SelfView{Step: flow.StepDeclined, CardOn: true, Bar: bar}, []string{"您选择了不登记", "您的信息没有保存"}},
		{"start_either", i18n.ZH, flow.SelfView{Step: flow.StepStart, Bar: withContact(flow.ContactReady)},
			[]string{"请将身份证放在读卡器上", "也可以插入社保卡", "读卡器已连接", "社保卡可用"}},
		{"start_either_en", i18n.EN, flow.SelfView{Step: flow.StepStart, Bar: withContact(flow.ContactReady)},
			[]string{"Please place your ID card on the reader", "Or insert your social-security card", "Slot ready"}},
		{"contact_no_service", i18n.ZH, flow.SelfView{Step: flow.StepStart, Bar: withContact(flow.ContactNoService)},
			[]string{"请将身份证放在读卡器上", "社保卡服务停止"}},
		{"ssc_done", i18n.ZH, func() flow.SelfView {
			v := resident(flow.StepDone, ticket(flow.TicketCode, healthcode.SourceLive, healthcode.Green))
			v.Source, v.Bar = flow.SourceSSC, withContact(flow.ContactReady)
			return v
		}(), []string{"请取走您的纸质码和社保卡", "社保卡", "绿码"}},
		{"ssc_locked", i18n.ZH, flow.SelfView{Step: flow.StepError, Problem: flow.ProblemSSCLocked, Source: flow.SourceSSC, CardOn: true, Bar: withContact(flow.ContactReady)},
			[]string{"这张社保卡已锁定", "社保网点", "身份证"}},
		{"not_ssc_en", i18n.EN, flow.SelfView{Step: flow.StepError, Problem: flow.ProblemNotSSC, Source: flow.SourceSSC, CardOn: true, Bar: withContact(flow.ContactReady)},
			[]string{"This is not a social-security card", "use your ID card"}},
		{"cancelled", i18n.ZH, flow.SelfView{Step: flow.StepStart, Notice: flow.NoticeCancelled, Bar: bar},
			[]string{"请将身份证放在读卡器上", "刚才的登记已取消，信息没有保存"}},
		{"out_of_service", i18n.ZH, flow.SelfView{Step: flow.StepError, Problem: flow.ProblemOutOfService, CardOn: true,
			Bar: flow.Bar{ReaderConnected: true, Printer: flow.PrinterReady, Link: flow.Link{Online: true, Damaged: true}}},
			[]string{"这台机器暂停服务", "请到柜台", "本机数据异常"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			themedApp(t)
			w := showSelf(t, tc.lang, screenSize, tc.view)
			markup := screenSays(t, "screen", w, tc.want, []string{"张三丰", "310101194803140019"})
			if tc.view.Ticket.Status.Source == healthcode.SourceUnknown && strings.Contains(markup, "绿码") {
				t.Error("a stale green is on screen")
			}
			golden(t, "self_"+tc.name+".xml", w)
		})
	}
}

// TestOutOfService: a kiosk that cannot open its store still says so on
// screen, and where to go.
func TestOutOfService(t *testing.T) {
	themedApp(t)
	for _, tc := range []struct {
		lang i18n.Lang
		want []string
	}{
		{i18n.ZH, []string{"这台机器暂停服务", "请到柜台，由工作人员为您办理", "本机数据异常，暂停服务"}},
		{i18n.EN, []string{"This kiosk is out of service", "Please go to the counter", "Local data damaged"}},
	} {
		w := window(t, ui.OutOfService(tc.lang), screenSize)
		screenSays(t, string(tc.lang)+" screen", w, tc.want, nil)
	}
}

// TestMainTargets checks every button on every screen against the
// 60 × 60 dp minimum.
func TestMainTargets(t *testing.T) {
	themedApp(t)
	for _, v := range []flow.SelfView{
		{Step: flow.StepStart, Bar: bar},
		resident(flow.StepDone, ticket(flow.TicketCode, healthcode.SourceLive, healthcode.Green)),
		{Step: flow.StepError, Problem: flow.ProblemPaperOut, HelpCalled: true},
		{Step: flow.StepConsent, CardOn: true, Bar: bar},
		{Step: flow.StepPhone, Phone: "138", CardOn: true, Bar: bar},
	} {
		w := showSelf(t, i18n.ZH, screenSize, v)
		n := 0
		for _, o := range test.LaidOutObjects(w.Content()) {
			if b, ok := o.(*widget.Button); ok && b.Visible() {
				n++
				if sz := b.Size(); sz.Width < 60 || sz.Height < 60 {
					t.Errorf("step %s: button %q is %v, want ≥ 60 × 60", v.Step, b.Text, sz)
				}
				// PhoneKeySize on the design canvas; the window's content
				// is a little smaller, and the keys with it.
				key := min(float32(ui.PhoneKeySize), theme.For(w.Content().Size(), 1).Key) - 0.5
				if sz := b.Size(); v.Step == flow.StepPhone && b.Text == "" && (sz.Width < key || sz.Height < key) {
					t.Errorf("phone keypad: a key is %v, want ≥ %.1f × %.1f", sz, key, key)
				}
			}
		}
		if n == 0 {
			t.Errorf("step %s: no buttons found", v.Step)
		}
	}
}

// TestEnrolmentScreensFit: the consent and keypad screens fit a 1366 × 768
// counter laptop and a 1080 × 1920 portrait kiosk without growing the
// window, in both languages.
func TestEnrolmentScreensFit(t *testing.T) {
	themedApp(t)
	for _, size := range []fyne.Size{fyne.NewSize(1366, 768), fyne.NewSize(1080, 1920)} {
		for _, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
			for _, v := range []flow.SelfView{
				{Step: flow.StepConsent, CardOn: true, Bar: bar},
				{Step: flow.StepConsent, Offline: true, CardOn: true, Bar: bar},
				{Step: flow.StepPhone, Phone: "13812345678", PhoneRefused: true, CardOn: true, Bar: bar},
			} {
				w := showSelf(t, l, size, v)
				if m, have := w.Content().MinSize(), w.Content().Size(); m.Width > have.Width || m.Height > have.Height {
					t.Errorf("%s %s at %v: needs %v, has %v", v.Step, l, size, m, have)
				}
				if c := w.Canvas().Size(); c != size {
					t.Errorf("%s %s at %v: the window grew to %v", v.Step, l, size, c)
				}
			}
		}
	}
}

func TestSelfButtons(t *testing.T) {
	themedApp(t)
	var helps, dismisses, touches int
	s := ui.NewSelf(ui.SelfControls{
		Touch: func() { touches++ }, Help: func() { helps++ }, Dismiss: func() { dismisses++ },
	}, i18n.ZH)
	w := window(t, s.Content(), screenSize)
	tap := func(label string) {
		t.Helper()
		for _, o := range test.LaidOutObjects(w.Content()) {
			if b, ok := o.(*widget.Button); ok && b.Text == label {
				test.Tap(b)
				return
			}
		}
		t.Fatalf("no button %q", label)
	}
	tap("呼叫工作人员")
	if helps != 1 {
		t.Errorf("help taps = %d, want 1", helps)
	}
	tap("English")
	if s.Lang != i18n.EN || !strings.Contains(test.RenderToMarkup(w.Canvas()), "Please place your ID card") {
		t.Errorf("language = %q after tapping English, want en on screen", s.Lang)
	}
	s.Show(flow.SelfView{Step: flow.StepError, HelpCalled: true})
	tap("Back")
	if dismisses != 1 {
		t.Errorf("dismiss taps = %d, want 1", dismisses)
	}
	test.TapCanvas(w.Canvas(), fyne.NewPos(900, 500))
	if touches < 2 {
		t.Errorf("touches = %d, want ≥ 2 (the language button and the screen)", touches)
	}
}

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
	themedApp(t)
	for _, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
		views := credentialViews()
		for name, want := range map[string][]string{
			"credential_offered":  {i18n.T(l, i18n.CredentialButton), i18n.T(l, i18n.AccessButton)},
			"credential_printing": {i18n.T(l, i18n.CredentialPrinting), "D****0002"},
			"credential_ssc":      {i18n.T(l, i18n.CredentialDoneSSC), i18n.T(l, i18n.CredentialCard) + "  D****0002", i18n.CredentialUntilText(l, asOf.Add(24*time.Hour))},
			"credential_id_card":  {i18n.T(l, i18n.CredentialDone), i18n.T(l, i18n.CredentialNoCard)},
		} {
			w := showSelf(t, l, screenSize, views[name])
			var not []string
			if name != "credential_offered" {
				not = []string{i18n.T(l, i18n.ReadAloud), healthcode.Green.Word()}
			}
			if name != "credential_offered" && name != "credential_printing" { // its title says 正在打印就医凭证
				not = append(not, i18n.T(l, i18n.CredentialButton))
			}
			screenSays(t, string(l)+"/"+name, w, want, not)
		}
	}
}

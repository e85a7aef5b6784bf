package ui_test

import (
	"flag"
	"image"
	"image/color"
	"os"
	"path/filepath"
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

var update = flag.Bool("update", false, "rewrite golden files")

var asOf = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

// screenSize is a 1080p panel at scale 1.
var screenSize = fyne.NewSize(1920, 1080)

func slipImage() image.Image {
	img := image.NewGray(image.Rect(0, 0, 384, 600))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	for y := 100; y < 340; y++ {
		for x := 72; x < 312; x++ {
			if (x/8+y/8)%2 == 0 {
				img.Set(x, y, color.Black)
			}
		}
	}
	return img
}

func ticket(kind flow.TicketKind, src healthcode.Source, c healthcode.Colour) flow.Ticket {
	return flow.Ticket{Kind: kind, MaskedName: "张*丰", MaskedID: "3*************0019", QR: "HC1:X",
		Status: healthcode.Status{Source: src, Colour: c, AsOf: asOf}}
}

var bar = flow.Bar{ReaderConnected: true, Printer: flow.PrinterReady, Link: flow.Link{Online: true}}

// withContact is bar with the contact reader of social-security cards.
func withContact(c flow.ContactState) flow.Bar {
	b := bar
	b.Contact = c
	return b
}

func resident(step flow.Step, t flow.Ticket) flow.SelfView {
	return flow.SelfView{Step: step, MaskedName: "张*丰", MaskedID: "3*************0019", Ticket: t,
		Preview: slipImage(), CardOn: true, Bar: bar}
}

// golden compares the window's markup with testdata/name, or rewrites it.
func golden(t *testing.T, name string, w fyne.Window) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(test.RenderToMarkup(w.Canvas())), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	test.AssertRendersToMarkup(t, name, w.Canvas())
}

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
			a := test.NewTempApp(t)
			a.Settings().SetTheme(theme.New())
			s := ui.NewSelf(ui.SelfControls{}, tc.lang)
			w := test.NewTempWindow(t, s.Content())
			w.Resize(screenSize)
			s.Show(tc.view)
			markup := test.RenderToMarkup(w.Canvas())
			for _, word := range tc.want {
				if !strings.Contains(markup, word) {
					t.Errorf("screen lacks %q", word)
				}
			}
			for _, plain := range []string{"张三丰", "310101194803140019"} {
				if strings.Contains(markup, plain) {
					t.Errorf("screen shows the plain %q", plain)
				}
			}
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
	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.New())
	for _, tc := range []struct {
		lang i18n.Lang
		want []string
	}{
		{i18n.ZH, []string{"这台机器暂停服务", "请到柜台，由工作人员为您办理", "本机数据异常，暂停服务"}},
		{i18n.EN, []string{"This kiosk is out of service", "Please go to the counter", "Local data damaged"}},
	} {
		w := test.NewTempWindow(t, ui.OutOfService(tc.lang))
		w.Resize(screenSize)
		markup := test.RenderToMarkup(w.Canvas())
		for _, word := range tc.want {
			if !strings.Contains(markup, word) {
				t.Errorf("%s: screen lacks %q", tc.lang, word)
			}
		}
	}
}

// TestMainTargets checks every button on every screen against the
// 60 × 60 dp minimum.
func TestMainTargets(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.New())
	for _, v := range []flow.SelfView{
		{Step: flow.StepStart, Bar: bar},
		resident(flow.StepDone, ticket(flow.TicketCode, healthcode.SourceLive, healthcode.Green)),
		{Step: flow.StepError, Problem: flow.ProblemPaperOut, HelpCalled: true},
		{Step: flow.StepConsent, CardOn: true, Bar: bar},
		{Step: flow.StepPhone, Phone: "138", CardOn: true, Bar: bar},
	} {
		s := ui.NewSelf(ui.SelfControls{}, i18n.ZH)
		w := test.NewTempWindow(t, s.Content())
		w.Resize(screenSize)
		s.Show(v)
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
	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.New())
	for _, size := range []fyne.Size{fyne.NewSize(1366, 768), fyne.NewSize(1080, 1920)} {
		for _, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
			for _, v := range []flow.SelfView{
				{Step: flow.StepConsent, CardOn: true, Bar: bar},
				{Step: flow.StepConsent, Offline: true, CardOn: true, Bar: bar},
				{Step: flow.StepPhone, Phone: "13812345678", PhoneRefused: true, CardOn: true, Bar: bar},
			} {
				s := ui.NewSelf(ui.SelfControls{}, l)
				w := test.NewTempWindow(t, s.Content())
				w.Resize(size)
				s.Show(v)
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
	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.New())
	var helps, dismisses, touches int
	s := ui.NewSelf(ui.SelfControls{
		Touch: func() { touches++ }, Help: func() { helps++ }, Dismiss: func() { dismisses++ },
	}, i18n.ZH)
	w := test.NewTempWindow(t, s.Content())
	w.Resize(screenSize)
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

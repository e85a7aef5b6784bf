package ui_test

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/i18n"
	"github.com/shcommunity/kiosk/app/setup"
	"github.com/shcommunity/kiosk/app/theme"
	"github.com/shcommunity/kiosk/app/ui"
	"github.com/shcommunity/kiosk/devices/conn"
	"github.com/shcommunity/kiosk/devices/serialport"
	"github.com/shcommunity/kiosk/healthcode"
	"github.com/shcommunity/kiosk/internal/kioskmode"
)

// displays are the screens kiosks and counters have: laptops, 16:9
// panels, an older 5:4 kiosk and a portrait kiosk.
var displays = []fyne.Size{
	fyne.NewSize(1366, 768), fyne.NewSize(1600, 900), fyne.NewSize(1920, 1080),
	fyne.NewSize(1280, 1024), fyne.NewSize(1080, 1920),
}

// decorations is what a window on a desktop loses of its display: a
// title bar and a panel or taskbar (about 30 + 48 dp on Windows 10,
// 37 + 32 on GNOME).
const decorations = 80

// canvasSize is an area a screen is drawn on.
type canvasSize struct {
	name string
	size fyne.Size
}

// canvasSizes are every display full screen and windowed, and the least
// window. Under the race detector, which finds nothing in this
// single-goroutine layout and makes it ten times slower, they are the two
// tightest only, the least window and the portrait kiosk windowed, in
// English, the longer language (go test without -race draws every one in
// both languages).
func canvasSizes() []canvasSize {
	if raceEnabled {
		d := displays[len(displays)-1]
		return []canvasSize{{"least", ui.LeastCanvas}, {"1080x1920-windowed", fyne.NewSize(d.Width, d.Height-decorations)}}
	}
	var out []canvasSize
	for _, d := range displays {
		out = append(out,
			canvasSize{fmt.Sprintf("%gx%g", d.Width, d.Height), d},
			canvasSize{fmt.Sprintf("%gx%g-windowed", d.Width, d.Height), fyne.NewSize(d.Width, d.Height-decorations)})
	}
	return append(out, canvasSize{"least", ui.LeastCanvas})
}

// screenCase is one view of one screen.
type screenCase struct {
	name string
	// resident: a resident's screen, held to 30 dp body text; the staff's
	// screens are held to theme.MinWorkerText.
	resident bool
	// show puts the view on w, which is already at its size.
	show func(t *testing.T, w fyne.Window)
	// must are buttons that must be on screen in full: the primary
	// action and, on a resident's screen, the help button.
	must []string
}

// selfCases are every self-service view in language l.
func selfCases(l i18n.Lang) []screenCase {
	offline := bar
	offline.Link = flow.Link{Online: false, Waiting: 3}
	pending := ticket(flow.TicketPending, healthcode.SourcePending, "")
	pending.Receipt = "R-20260301-0042"
	enrolled := resident(flow.StepPrinting, ticket(flow.TicketCode, healthcode.SourceLive, healthcode.Green))
	enrolled.Enrolled = true
	enrolledOffline := resident(flow.StepDone, pending)
	enrolledOffline.Enrolled, enrolledOffline.Bar = true, offline
	reprint := resident(flow.StepDone, ticket(flow.TicketReprint, healthcode.SourceCached, healthcode.Red))
	reprint.Bar = offline
	views := map[string]flow.SelfView{
		"start":           {Step: flow.StepStart, Bar: offline},
		"cancelled":       {Step: flow.StepStart, Notice: flow.NoticeCancelled, Bar: bar},
		"checking":        {Step: flow.StepChecking, MaskedName: "张*丰", MaskedID: "3*************0019", CardOn: true, Bar: bar},
		"green":           resident(flow.StepDone, ticket(flow.TicketCode, healthcode.SourceLive, healthcode.Green)),
		"yellow_printing": resident(flow.StepPrinting, ticket(flow.TicketCode, healthcode.SourceLive, healthcode.Yellow)),
		"red":             resident(flow.StepDone, ticket(flow.TicketCode, healthcode.SourceLive, healthcode.Red)),
		"reprint":         reprint,
		"pending":         func() flow.SelfView { v := resident(flow.StepDone, pending); v.Bar = offline; return v }(),
		"unknown":         resident(flow.StepDone, ticket(flow.TicketCode, healthcode.SourceUnknown, healthcode.Green)),
		"consent":         {Step: flow.StepConsent, MaskedName: "王*芬", CardOn: true, Bar: bar},
		"consent_offline": {Step: flow.StepConsent, Offline: true, CardOn: true, Bar: offline},
		"phone":           {Step: flow.StepPhone, Phone: "1381234", CardOn: true, Bar: bar},
		"phone_refused":   {Step: flow.StepPhone, Phone: "02112345678", PhoneRefused: true, CardOn: true, Bar: bar},
		"enrolling":       {Step: flow.StepEnrolling, MaskedName: "王*芬", MaskedID: "3*************0026", CardOn: true, Bar: bar},
		"enrolled":        enrolled,
		"enrolled_off":    enrolledOffline,
		"declined":        {Step: flow.StepDeclined, CardOn: true, Bar: bar},
		"help":            {Step: flow.StepError, Problem: flow.ProblemPaperOut, HelpCalled: true, Bar: bar},
	}
	for _, p := range []flow.Problem{flow.ProblemCardUnreadable, flow.ProblemCardExpired, flow.ProblemCardNotYetValid,
		flow.ProblemCardInvalid, flow.ProblemNotEnrolled, flow.ProblemServiceDown, flow.ProblemPaperOut, flow.ProblemCoverOpen,
		flow.ProblemPrinterDown, flow.ProblemPrinterFault, flow.ProblemReaderDown, flow.ProblemOutOfService, flow.Problem("other")} {
		views["error_"+string(p)] = flow.SelfView{Step: flow.StepError, Problem: p, CardOn: true, Bar: offline}
	}
	for name, pv := range privacyViews() {
		views[name] = pv.view
	}
	for name, v := range credentialViews() {
		views[name] = v
	}
	help := i18n.T(l, i18n.HelpButton)
	var out []screenCase
	for name, v := range views {
		must := []string{help, i18n.T(l, i18n.LangButton)}
		if v.CanAsk {
			must = append(must, privacyMust(l, v)...)
		}
		if v.CanCredential {
			must = append(must, i18n.T(l, i18n.CredentialButton))
		}
		switch {
		case v.HelpCalled:
			must = []string{i18n.T(l, i18n.BackButton)}
		case v.Step == flow.StepConsent:
			must = append(must, i18n.T(l, i18n.ConsentAgree), i18n.T(l, i18n.ConsentDecline))
		case v.Step == flow.StepPhone:
			must = append(must, i18n.T(l, i18n.PhoneConfirm), i18n.T(l, i18n.PhoneSkip))
		case v.Step == flow.StepDone && v.Ticket.Kind != flow.TicketPending && v.Ticket.Kind != flow.TicketCredential:
			must = append(must, i18n.T(l, i18n.ReadAloud))
		}
		out = append(out, screenCase{name: "self_" + name, resident: true, must: must, show: func(t *testing.T, w fyne.Window) {
			s := ui.NewSelf(ui.SelfControls{}, l)
			w.SetContent(s.Content())
			s.Show(v)
		}})
	}
	out = append(out, screenCase{name: "self_out_of_service", resident: true, show: func(t *testing.T, w fyne.Window) {
		w.SetContent(ui.OutOfService(l))
	}})
	return out
}

// venueCases are the venue check's views.
func venueCases(l i18n.Lang) []screenCase {
	live := flow.CodeCheck{MaskedName: "李*英", Status: healthcode.Status{Source: healthcode.SourceLive, Colour: healthcode.Yellow, AsOf: asOf}}
	claim := flow.CodeCheck{MaskedName: "张*丰", Status: healthcode.Status{Source: healthcode.SourceCached, Colour: healthcode.Green, AsOf: asOf},
		Explanation: "Could not reach the service; checked offline. The signature is valid; the code says green as of 2026-03-01 17:30 (not live)."}
	revoked := flow.CodeCheck{Explanation: "此纸码已被新码取代（已补办），旧码不能使用"}
	views := map[string]flow.VenueView{
		"ready":    {Step: flow.VenueReady, Bar: bar},
		"checking": {Step: flow.VenueChecking, Bar: bar},
		"live":     {Step: flow.VenueResult, Check: live, Bar: bar},
		"claim":    {Step: flow.VenueResult, Check: claim, Bar: bar},
		"refused":  {Step: flow.VenueRefused, Check: revoked, Problem: flow.ProblemCardExpired, Bar: bar},
	}
	var out []screenCase
	for name, v := range views {
		out = append(out, screenCase{name: "venue_" + name, resident: true, show: func(t *testing.T, w fyne.Window) {
			s := ui.NewVenue(nil, l)
			w.SetContent(s.Content())
			s.Show(v)
		}})
	}
	return out
}

// counterCases are the counter's views.
func counterCases(l i18n.Lang) []screenCase {
	dash := flow.Dashboard{TodayActions: 12, Pending: 3, Online: true, LastSync: asOf,
		HelpCalls: []string{"09:30 演示自助机", "10:02 演示自助机"},
		Calls: []flow.Call{{MaskedName: "李*英", MaskedID: "3****002X", Printed: healthcode.Green, Current: healthcode.Yellow},
			{MaskedName: "赵*", MaskedID: "3****0030", Printed: healthcode.Yellow, Current: healthcode.Red}},
		Quarantined: []string{"enrolment K3QF-7XBA: invalid_phone"},
		Ready:       []flow.Ready{{Receipt: "M2QX-7KAB", MaskedName: "王*芬", Since: asOf}}}
	res := flow.CounterView{Step: flow.CounterResident, Worker: "演示社工", MaskedName: "张*丰", MaskedID: "3*************0019",
		FamilyName: "孙*", Dashboard: dash}
	printed := res
	printed.Step, printed.Message, printed.Preview = flow.CounterDone, "printed", slipImage()
	printed.Ticket = ticket(flow.TicketCode, healthcode.SourceLive, healthcode.Yellow)
	failed := res
	failed.ManualFailed, failed.Problem = "check_digit", flow.ProblemPaperOut
	again := printed
	again.Message, again.Problem, again.PrintAgain = "", flow.ProblemPaperOut, true
	known := res
	known.Record = sampleRecord()
	known.Serving = &flow.Serving{List: flow.ListCalls, Call: dash.Calls[0]}
	access := known
	access.AccessShown, access.Access = true, flow.AccessList{Since: asOf, Groups: []flow.AccessGroup{
		{Place: "徐家汇地铁站", Purpose: "venue_entry", Count: 3, First: asOf, Last: asOf},
		{Place: "田林街道社区事务受理服务中心", Purpose: "counter_service", Count: 1, First: asOf, Last: asOf}}}
	lost := known
	lost.Step, lost.Message, lost.Revoked = flow.CounterDone, flow.MessageLost, 1
	offline := res
	offline.Dashboard.Online, offline.Record = false, flow.Record{Status: healthcode.Status{Source: healthcode.SourceCached,
		Colour: healthcode.Green, AsOf: asOf}, Enrolled: true}
	serving := flow.CounterView{Step: flow.CounterReady, Worker: "演示社工", Dashboard: dash,
		Serving: &flow.Serving{List: flow.ListWatch, Watch: flow.Watch{MaskedName: "周*国", MaskedID: "3****0030",
			Reason: "correction_pending", Since: asOf, Colour: healthcode.Yellow}}}
	views := map[string]flow.CounterView{
		"record":       known,
		"access":       access,
		"lost":         lost,
		"offline":      offline,
		"serving":      serving,
		"login":        {Step: flow.CounterLogin, LoginFailed: true},
		"ready":        {Step: flow.CounterReady, Worker: "演示社工", Dashboard: dash},
		"resident":     res,
		"printed":      printed,
		"failed":       failed,
		"print_again":  again,
		"busy":         func() flow.CounterView { v := res; v.Step = flow.CounterBusy; return v }(),
		"family_waits": func() flow.CounterView { v := res; v.WaitFamily = true; return v }(),
	}
	var out []screenCase
	for name, v := range views {
		out = append(out, screenCase{name: "counter_" + name, show: func(t *testing.T, w fyne.Window) {
			c := ui.NewCounter(context.Background(), &flow.Counter{}, l)
			w.SetContent(c.Content())
			c.Show(v)
		}})
	}
	return out
}

// sampleRecord is a resident's record with a code of each state and an
// item of each kind waiting.
func sampleRecord() flow.Record {
	return flow.Record{Enrolled: true, CodesKnown: true,
		Status: healthcode.Status{Source: healthcode.SourceLive, Colour: healthcode.Yellow, AsOf: asOf},
		Codes: []flow.Code{
			{TokenID: "T4", State: flow.CodeActive, Place: "田林街道社区事务受理服务中心", IssuedAt: asOf, ExpiresAt: asOf.AddDate(0, 6, 0)},
			{TokenID: "T3", State: flow.CodeRevoked, Place: "田林街道社区事务受理服务中心", IssuedAt: asOf.AddDate(0, 0, -3), StateAt: asOf},
			{TokenID: "T2", State: flow.CodeSuperseded, Place: "演示自助机", IssuedAt: asOf.AddDate(0, 0, -9), StateAt: asOf.AddDate(0, 0, -3)},
			{TokenID: "T1", State: flow.CodeExpired, Place: "演示自助机", IssuedAt: asOf.AddDate(-1, 0, 0)}},
		Pending: []flow.PendingItem{{Kind: flow.PendingCorrection, Receipt: "C7QX-2KAB", Since: asOf},
			{Kind: flow.PendingEnrolment, Receipt: "K3QF-7XBA", Since: asOf, Refused: "invalid_phone"}}}
}

// dialogCases are the first-run screen and kiosk mode's dialogs.
func dialogCases(l i18n.Lang) []screenCase {
	return []screenCase{
		{name: "provision", must: []string{i18n.T(l, i18n.ProvisionButton), i18n.T(l, i18n.SetupBack)}, show: func(t *testing.T, w fyne.Window) {
			p := ui.NewProvision(func(ui.ProvisionForm) {}, l, ui.ProvisionSetup{ServiceURL: "https://codes.shanghai.example:8443"})
			w.SetContent(p.Content())
			p.Failed(fmt.Errorf("register: status 403: the provisioning code is unknown, used or expired"))
		}},
		{name: "provision_devices", must: []string{i18n.T(l, i18n.SetupNext), i18n.T(l, i18n.SetupTestRead), i18n.T(l, i18n.SetupTestPrint)},
			show: func(t *testing.T, w fyne.Window) { showProvisionTested(t, w, l, true) }},
		{name: "provision_no_ports", must: []string{i18n.T(l, i18n.SetupNext), i18n.T(l, i18n.SetupRefresh)},
			show: func(t *testing.T, w fyne.Window) { showProvisionTested(t, w, l, false) }},
		{name: "pin_pad", must: []string{i18n.T(l, i18n.ExitOK), i18n.T(l, i18n.ExitCancel)}, show: func(t *testing.T, w fyne.Window) {
			w.SetContent(ui.NewSelf(ui.SelfControls{}, l).Content())
			lock := &ui.Lock{Guard: &kioskmode.Guard{}, Lang: l, DialogIdle: -1, Do: func(func()) {}}
			if err := lock.Install(w); err != nil {
				t.Fatal(err)
			}
			lock.Open() // no PIN set: the longest message
		}},
		{name: "worker_panel", must: []string{i18n.T(l, i18n.WorkerSave), i18n.T(l, i18n.WorkerExit), i18n.T(l, i18n.BackButton)},
			show: func(t *testing.T, w fyne.Window) {
				size := w.Canvas().Size()
				f := openPanelIn(t, w, l)
				if got := f.win.Canvas().Size(); got != size {
					t.Fatalf("panel window %v, want %v", got, size)
				}
			}},
	}
}

// showProvisionTested puts the first-run screen's device step on w: with
// ports, both devices tested and failing with the longest words (no
// permission on the port); without, the words that say none were found.
func showProvisionTested(t *testing.T, w fyne.Window, l i18n.Lang, ports bool) {
	queue := make(chan func(), 2)
	d := setup.Devices{
		List: func() ([]setup.Port, error) { return nil, nil },
		Open: func(string, int) (conn.Conn, error) { return nil, serialport.ErrPermission },
	}
	if ports {
		d.List = func() ([]setup.Port, error) {
			return []setup.Port{{Name: "/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0", VIDPID: "1A86:7523", Product: "USB2.0-Ser!"},
				{Name: "/dev/ttyUSB1", VIDPID: "0403:6001", Product: "FT232R USB UART"}, {Name: "/dev/ttyS0"}}, nil
		}
	}
	p := ui.NewProvision(func(ui.ProvisionForm) {}, l, ui.ProvisionSetup{Devices: d, Reader: "/dev/ttyUSB0", Printer: "/dev/ttyUSB1",
		Do: func(fn func()) { queue <- fn }})
	w.SetContent(p.Content())
	if !ports {
		return
	}
	for _, b := range []string{i18n.T(l, i18n.SetupTestRead), i18n.T(l, i18n.SetupTestPrint)} {
		tapButton(t, w, b)
		(<-queue)()
	}
}

// openPanelIn opens the worker panel over w.
func openPanelIn(t *testing.T, w fyne.Window, l i18n.Lang) *lockFixture {
	t.Helper()
	f := &lockFixture{t: t, queue: make(chan func(), 16), win: &interceptWindow{Window: w}}
	w.SetContent(layout.NewSpacer())
	f.lock = &ui.Lock{Guard: &kioskmode.Guard{Hash: cheapHash(t)}, Lang: l, DialogIdle: -1, OnExit: func() {},
		Do: func(fn func()) { f.queue <- fn }, Sound: (&sound{}).controls(ui.SoundSettings{Volume: 0.8})}
	if err := f.lock.Install(f.win); err != nil {
		t.Fatal(err)
	}
	f.win.intercept()
	for _, d := range exitPIN {
		test.Tap(f.button(string(d)))
	}
	test.Tap(f.button(i18n.T(l, i18n.ExitOK)))
	f.pump("the worker panel", func() bool { return f.lock.Panel() != nil })
	return f
}

// TestScreensFit draws every view of every screen, in both languages, on
// every display full screen and windowed, and checks what a resident or
// a worker would see: every line of text and every control inside the
// window, no text wider than the room it was given, no scrolling, the
// primary action and the help button on screen, tap targets of at least
// 60 × 60 dp, and text no smaller than the elderly-interface minimums.
func TestScreensFit(t *testing.T) {
	langs := []i18n.Lang{i18n.ZH, i18n.EN}
	if raceEnabled {
		langs = langs[1:]
	}
	for _, l := range langs {
		var cases []screenCase
		for _, f := range []func(i18n.Lang) []screenCase{selfCases, venueCases, counterCases, dialogCases} {
			cases = append(cases, f(l)...)
		}
		for _, sc := range cases {
			t.Run(string(l)+"/"+sc.name, func(t *testing.T) {
				themedApp(t)
				for _, cs := range canvasSizes() {
					w := test.NewWindow(nil)
					w.Resize(cs.size)
					sc.show(t, w)
					w.Resize(cs.size) // lays the content out at the size
					for _, p := range checkFit(w, sc) {
						t.Errorf("%s: %s", cs.name, p)
					}
					if dir := os.Getenv("KIOSK_FIT_PNG"); dir != "" {
						savePNG(t, filepath.Join(dir, cs.name, string(l)+"_"+sc.name+".png"), w.Canvas().Capture())
					}
					w.Close()
				}
			})
		}
	}
}

// savePNG writes what the test drew, for a person to look at:
// KIOSK_FIT_PNG=dir go test -run TestScreensFit ./app/ui writes every
// screen at every size under dir.
func savePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// placed is an object laid out on the canvas, at its absolute position.
type placed struct {
	o   fyne.CanvasObject
	pos fyne.Position
	in  *placed // the nearest widget it is part of, if any
}

// laidOut walks the visible objects of w's content and overlays.
func laidOut(w fyne.Window) []placed {
	var out []placed
	var walk func(o fyne.CanvasObject, at fyne.Position, in *placed)
	walk = func(o fyne.CanvasObject, at fyne.Position, in *placed) {
		if o == nil || !o.Visible() {
			return
		}
		pos := at.Add(o.Position())
		p := placed{o, pos, in}
		out = append(out, p)
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c, pos, in)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c, pos, &p)
			}
		}
	}
	walk(w.Content(), fyne.NewPos(0, 0), nil)
	for _, o := range w.Canvas().Overlays().List() {
		walk(o, fyne.NewPos(0, 0), nil)
	}
	return out
}

// checkFit returns what does not fit on w.
func checkFit(w fyne.Window, sc screenCase) []string {
	var probs []string
	size := w.Canvas().Size()
	if m := w.Content().MinSize(); m.Width > size.Width || m.Height > size.Height {
		probs = append(probs, fmt.Sprintf("the content needs %v: the window would grow past %v", m, size))
	}
	inside := func(p fyne.Position, s fyne.Size) bool {
		const slack = 0.5
		return p.X >= -slack && p.Y >= -slack && p.X+s.Width <= size.Width+slack && p.Y+s.Height <= size.Height+slack
	}
	body := float32(theme.MinWorkerText)
	if sc.resident {
		body = theme.MinMainText
	}
	seen := map[string]bool{}
	for _, p := range laidOut(w) {
		if e, ok := ui.EntryOf(p.o); ok {
			probs = append(probs, checkTarget(fmt.Sprintf("entry %q", e.PlaceHolder), p, inside, 44)...)
		}
		switch o := p.o.(type) {
		case *canvas.Text:
			probs = append(probs, checkText(o, p, inside, body)...)
		case *widget.Button:
			seen[o.Text] = inside(p.pos, o.Size())
			probs = append(probs, checkTarget(fmt.Sprintf("button %q", o.Text), p, inside, theme.MinTap)...)
		case *widget.Check:
			probs = append(probs, checkTarget(fmt.Sprintf("check box %q", o.Text), p, inside, 44)...)
		case *widget.RadioGroup:
			probs = append(probs, checkTarget(fmt.Sprintf("choice %q", o.Options), p, inside, 44)...)
		case *widget.Select:
			probs = append(probs, checkTarget(fmt.Sprintf("list %q", o.Selected), p, inside, 44)...)
		case *container.Scroll:
			if m, s := o.Content.MinSize(), o.Size(); m.Width > s.Width+0.5 || m.Height > s.Height+0.5 {
				probs = append(probs, fmt.Sprintf("a scroll of %v holding %v: the worker must scroll", s, m))
			}
		}
	}
	for _, label := range sc.must {
		if on, ok := seen[label]; !ok || !on {
			probs = append(probs, fmt.Sprintf("button %q is not on screen in full", label))
		}
	}
	return probs
}

// checkText: a line of text lies inside the canvas, is not wider than
// the room it was given, and is large enough.
func checkText(o *canvas.Text, p placed, inside func(fyne.Position, fyne.Size) bool, body float32) []string {
	if strings.TrimSpace(o.Text) == "" {
		return nil
	}
	var probs []string
	need, have := o.MinSize(), o.Size()
	x := p.pos.X
	switch o.Alignment {
	case fyne.TextAlignCenter:
		x += (have.Width - need.Width) / 2
	case fyne.TextAlignTrailing:
		x += have.Width - need.Width
	}
	if need.Width > have.Width+0.5 {
		probs = append(probs, fmt.Sprintf("text %q needs %.0f dp, has %.0f", o.Text, need.Width, have.Width))
	}
	if !inside(fyne.NewPos(x, p.pos.Y), need) {
		probs = append(probs, fmt.Sprintf("text %q at %v (%v) is outside the window", o.Text, fyne.NewPos(x, p.pos.Y), need))
	}
	if p.in != nil {
		if _, ok := p.in.o.(*widget.Button); ok {
			// A button clips its words: they must lie inside it.
			b := p.in.o.Size()
			if x < p.in.pos.X-0.5 || x+need.Width > p.in.pos.X+b.Width+0.5 {
				probs = append(probs, fmt.Sprintf("the words %q are cut off by their button (%v wide)", o.Text, b.Width))
			}
		}
	}
	least := float32(theme.MinSecondaryText)
	if p.in != nil {
		if _, ok := p.in.o.(*widget.Button); ok {
			least = body // a button's words are main text
		}
	}
	if o.TextSize < least-0.01 {
		probs = append(probs, fmt.Sprintf("text %q is %.1f dp, want ≥ %.0f", o.Text, o.TextSize, least))
	}
	return probs
}

// checkTarget: a control lies inside the canvas and is at least least
// dp high (and, for a button, wide).
func checkTarget(what string, p placed, inside func(fyne.Position, fyne.Size) bool, least float32) []string {
	s := p.o.Size()
	var probs []string
	if !inside(p.pos, s) {
		probs = append(probs, fmt.Sprintf("%s at %v (%v) is outside the window", what, p.pos, s))
	}
	if s.Height < least-0.01 || (least == theme.MinTap && s.Width < least-0.01) {
		probs = append(probs, fmt.Sprintf("%s is %v, want ≥ %.0f", what, s, least))
	}
	return probs
}

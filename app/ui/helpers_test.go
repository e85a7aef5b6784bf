package ui_test

import (
	"context"
	"flag"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
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

// themedApp makes a test app, dropped when t ends, that draws with the
// kiosk's theme.
func themedApp(t testing.TB) {
	t.Helper()
	test.NewTempApp(t).Settings().SetTheme(theme.New())
}

// window is a test window of the given size showing content.
func window(t *testing.T, content fyne.CanvasObject, size fyne.Size) fyne.Window {
	t.Helper()
	w := test.NewTempWindow(t, content)
	w.Resize(size)
	return w
}

// showSelf is the self-service screen in language l, without controls,
// in a window of the given size, showing v.
func showSelf(t *testing.T, l i18n.Lang, size fyne.Size, v flow.SelfView) fyne.Window {
	t.Helper()
	s := ui.NewSelf(ui.SelfControls{}, l)
	w := window(t, s.Content(), size)
	s.Show(v)
	return w
}

// showVenue is the venue check in language l, with no scanner, in a
// window of the given size, showing v.
func showVenue(t *testing.T, l i18n.Lang, size fyne.Size, v flow.VenueView) fyne.Window {
	t.Helper()
	s := ui.NewVenue(nil, l)
	w := window(t, s.Content(), size)
	s.Show(v)
	return w
}

// screenSays checks that the markup of w has every word of want and none
// of not, and returns the markup; what names the screen in a failure.
func screenSays(t *testing.T, what string, w fyne.Window, want, not []string) string {
	t.Helper()
	m := test.RenderToMarkup(w.Canvas())
	for _, s := range want {
		if !strings.Contains(m, s) {
			t.Errorf("%s lacks %q", what, s)
		}
	}
	for _, s := range not {
		if strings.Contains(m, s) {
			t.Errorf("%s shows %q", what, s)
		}
	}
	return m
}

// startShell starts the kiosk's screens on p in a 1080p test window;
// they stop when t ends.
func startShell(t *testing.T, p ui.Parts) (fyne.Window, *ui.Shell) {
	t.Helper()
	w := window(t, nil, screenSize)
	ctx, cancel := context.WithCancel(context.Background())
	s := ui.Start(ctx, w, p)
	t.Cleanup(func() { cancel(); s.Wait() })
	return w, s
}

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

// labels walks the widget tree under o and returns every word the screen
// itself shows: texts, labels, buttons, check boxes, radio options and
// the entries' placeholders; not what was typed into an entry.
func labels(o fyne.CanvasObject) []string {
	objs := test.LaidOutObjects(o)
	typed := map[string]bool{}
	for _, o := range objs {
		if e, ok := ui.EntryOf(o); ok && e.Text != "" {
			typed[e.Text] = true
		}
	}
	var out []string
	for _, o := range objs {
		switch o := o.(type) {
		case *canvas.Text:
			if !typed[o.Text] {
				out = append(out, o.Text)
			}
		case *widget.Label:
			out = append(out, o.Text)
		case *widget.Button:
			out = append(out, o.Text)
		case *widget.Check:
			out = append(out, o.Text)
		case *widget.RadioGroup:
			out = append(out, o.Options...)
		}
		if e, ok := ui.EntryOf(o); ok {
			out = append(out, e.PlaceHolder)
		}
	}
	return out
}

// isCJK reports a Han character or CJK / full-width punctuation (，（）).
func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
}

// cjkIn returns the first string holding a CJK character, or "". The
// language button is left out: in English it offers 中文, named in its
// own script so that a Chinese reader finds it.
func cjkIn(ss []string) string {
	for _, s := range ss {
		if s != i18n.T(i18n.EN, i18n.LangButton) && strings.IndexFunc(s, isCJK) >= 0 {
			return s
		}
	}
	return ""
}

// tapButton taps the button labelled label in w.
func tapButton(t *testing.T, w fyne.Window, label string) {
	t.Helper()
	b := findButton(w, label)
	if b == nil {
		t.Fatalf("no button %q in %q", label, labels(w.Content()))
	}
	test.Tap(b)
}

// findButton is the button of w labelled label, or nil.
func findButton(w fyne.Window, label string) *widget.Button {
	for _, o := range test.LaidOutObjects(w.Content()) {
		if b, ok := o.(*widget.Button); ok && b.Text == label {
			return b
		}
	}
	return nil
}

// find is every object of type T laid out in w.
func find[T fyne.CanvasObject](w fyne.Window) []T {
	var out []T
	for _, o := range test.LaidOutObjects(w.Content()) {
		if x, ok := o.(T); ok {
			out = append(out, x)
		}
	}
	return out
}

// nopBackend is a self-service backend with no service behind it.
type nopBackend struct{}

func (nopBackend) PaperCode(context.Context, flow.Resident) (flow.Ticket, error) {
	return flow.Ticket{}, flow.ErrServiceUnavailable
}
func (nopBackend) EnrolSelf(context.Context, flow.SelfEnrolment) (flow.Ticket, error) {
	return flow.Ticket{}, flow.ErrServiceUnavailable
}
func (nopBackend) Printed(context.Context, flow.Ticket) error { return nil }
func (nopBackend) CallHelp(context.Context, string) error     { return nil }
func (nopBackend) Link(context.Context) flow.Link             { return flow.Link{} }
func (nopBackend) Status(context.Context, flow.Resident) (healthcode.Status, error) {
	return healthcode.Status{}, flow.ErrServiceUnavailable
}

// nopPrinter is a printer that is always ready and prints nothing.
type nopPrinter struct{}

func (nopPrinter) Preview(flow.Ticket) (image.Image, error) { return nil, nil }
func (nopPrinter) Print(context.Context, flow.Ticket) error { return nil }
func (nopPrinter) State(context.Context) flow.PrinterState  { return flow.PrinterReady }

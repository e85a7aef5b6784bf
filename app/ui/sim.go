package ui

import (
	"image"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/flow"
)

// SimCard is one card of the simulator's deck as the panel lists it.
type SimCard struct {
	Label string
	Title string // e.g. "张*丰 · 绿码": masked, with what to expect
}

// SimControls is what the demo's simulator panel drives. Every function
// only flips a simulator's state and returns at once.
type SimControls struct {
	Cards     []SimCard
	Place     func(label string)
	Remove    func()
	PaperOut  func(on bool)
	CoverOpen func(on bool)
	Online    func(on bool)
	Mode      func(m flow.Mode)
}

// SimPanel is the demo's second window: the deck to place and remove,
// the printer's faults, the network switch, the kiosk's mode, and the
// last slip the simulated printer printed, as an image.
type SimPanel struct {
	slip  *canvas.Image
	count *widget.Label
	root  fyne.CanvasObject
	n     int
}

// NewSimPanel builds the panel.
func NewSimPanel(c SimControls) *SimPanel {
	p := &SimPanel{count: widget.NewLabel("尚未打印 No slip yet")}
	p.slip = canvas.NewImageFromImage(image.NewGray(image.Rect(0, 0, 1, 1)))
	p.slip.FillMode = canvas.ImageFillContain
	p.slip.ScaleMode = canvas.ImageScalePixels
	p.slip.SetMinSize(fyne.NewSize(288, 520))

	cards := container.NewVBox(widget.NewLabelWithStyle("放置身份证 Place a card", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, k := range c.Cards {
		cards.Add(widget.NewButton(k.Title, func() { c.Place(k.Label) }))
	}
	cards.Add(widget.NewButton("移开卡片 Remove the card", c.Remove))

	faults := container.NewVBox(
		widget.NewLabelWithStyle("故障 Faults", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewCheck("打印机缺纸 Paper out", c.PaperOut),
		widget.NewCheck("打印机开盖 Cover open", c.CoverOpen),
		widget.NewCheck("断网 Network cut", func(on bool) { c.Online(!on) }),
	)
	modes := widget.NewRadioGroup([]string{"自助 Self-service", "柜台 Counter", "场所核验 Venue"}, func(s string) {
		switch s {
		case "柜台 Counter":
			c.Mode(flow.ModeCounter)
		case "场所核验 Venue":
			c.Mode(flow.ModeVenue)
		default:
			c.Mode(flow.ModeSelf)
		}
	})
	modes.SetSelected("自助 Self-service")
	left := container.NewVBox(cards, faults,
		widget.NewLabelWithStyle("模式 Mode", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), modes, layout.NewSpacer())
	right := container.NewBorder(p.count, nil, nil, nil, p.slip)
	p.root = container.NewHSplit(container.NewVScroll(left), right)
	return p
}

// Content is the panel's root.
func (p *SimPanel) Content() fyne.CanvasObject { return p.root }

// ShowSlip shows a printed slip; on the UI goroutine.
func (p *SimPanel) ShowSlip(img image.Image) {
	p.n++
	p.slip.Image = img
	p.slip.Refresh()
	p.count.SetText("已打印 Printed: " + strconv.Itoa(p.n))
}

// Provision is the first-run screen: the code service's URL, the
// one-time provisioning code an administrator printed, the centre's
// name and the mode.
type Provision struct {
	url, code, centre *widget.Entry
	mode              *widget.RadioGroup
	msg               *widget.Label
	root              fyne.CanvasObject
}

// NewProvision builds the screen; submit runs on the UI goroutine and
// must hand the work to a goroutine.
func NewProvision(submit func(url, code, centre string, m flow.Mode)) *Provision {
	p := &Provision{url: widget.NewEntry(), code: widget.NewEntry(), centre: widget.NewEntry(), msg: widget.NewLabel("")}
	p.url.SetPlaceHolder("服务地址 Service URL, e.g. https://codes.example")
	p.code.SetPlaceHolder("开通码 Provisioning code")
	p.centre.SetPlaceHolder("服务点名称 Centre name")
	p.msg.Wrapping = fyne.TextWrapWord
	p.mode = widget.NewRadioGroup([]string{string(flow.ModeSelf), string(flow.ModeCounter), string(flow.ModeVenue)}, nil)
	p.mode.SetSelected(string(flow.ModeSelf))
	btn := bigButton("开通 Provision", true, func() {
		p.msg.SetText("正在开通… Registering…")
		submit(p.url.Text, p.code.Text, p.centre.Text, flow.ParseMode(p.mode.Selected))
	})
	p.root = container.NewCenter(container.NewVBox(heading("首次开通 First run"), p.url, p.code, p.centre, p.mode,
		container.NewCenter(btn), p.msg))
	return p
}

// Content is the screen's root.
func (p *Provision) Content() fyne.CanvasObject { return p.root }

// Failed shows why provisioning did not work; on the UI goroutine.
func (p *Provision) Failed(msg string) { p.msg.SetText(msg) }

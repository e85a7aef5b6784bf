package ui

import (
	"image"
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/shcommunity/kiosk/app/flow"
	"github.com/shcommunity/kiosk/app/theme"
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
	// UnplugReader on pulls the ID card reader out in the middle of the
	// next card read, and it stays out; off plugs it in again.
	UnplugReader func(on bool)
	Online       func(on bool)
	Mode         func(m flow.Mode)
	// SSCCards are the social-security cards InsertSSC puts in the
	// contact reader and RemoveSSC pulls out; none when the demo has no
	// contact reader, and then NoSSC says why.
	SSCCards  []SimCard
	InsertSSC func(label string)
	RemoveSSC func()
	NoSSC     string
}

// SimPanel is the demo's second window: the deck to place and remove,
// the social-security cards to insert and pull out,
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
	p.slip = canvas.NewImageFromImage(blankSlip())
	p.slip.FillMode = canvas.ImageFillContain
	p.slip.ScaleMode = canvas.ImageScalePixels
	p.slip.SetMinSize(fyne.NewSize(288, 520))

	title := func(s string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	cards := container.NewGridWithColumns(2)
	for _, k := range c.Cards {
		cards.Add(widget.NewButton(k.Title, func() { c.Place(k.Label) }))
	}
	remove := widget.NewButton("移开卡片 Remove the card", c.Remove)
	remove.Importance = widget.HighImportance
	faults := container.NewGridWithColumns(2,
		widget.NewCheck("打印机缺纸 Paper out", c.PaperOut),
		widget.NewCheck("打印机开盖 Cover open", c.CoverOpen),
		widget.NewCheck("断网 Network cut", func(on bool) { c.Online(!on) }),
		widget.NewCheck("读卡时拔出读卡器 Pull the reader mid-read", c.UnplugReader),
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
	modes.Horizontal = true
	modes.SetSelected("自助 Self-service")
	left := container.NewVBox(title("放置身份证 Place a card"), cards, remove, title("插入社保卡 Insert a social-security card"))
	if len(c.SSCCards) > 0 {
		sscs := container.NewGridWithColumns(3)
		for _, k := range c.SSCCards {
			sscs.Add(widget.NewButton(k.Title, func() { c.InsertSSC(k.Label) }))
		}
		left.Add(sscs)
		left.Add(widget.NewButton("拔出社保卡 Remove the social-security card", c.RemoveSSC))
	} else {
		left.Add(widget.NewLabel(c.NoSSC))
	}
	for _, o := range []fyne.CanvasObject{title("故障 Faults"), faults, title("模式 Mode"), modes, layout.NewSpacer()} {
		left.Add(o)
	}
	// Side by side, each at its full size, at a technician's text size
	// (the residents' sizes are for the kiosk's own window): the window
	// opens at the content's minimum with every card, the remove button,
	// the fault switches and the blank slip in view.
	paper := canvas.NewRectangle(color.White)
	right := container.NewBorder(p.count, nil, nil, nil, container.NewStack(paper, p.slip))
	p.root = container.NewThemeOverride(container.NewBorder(nil, nil, left, nil, right), &theme.Theme{Scale: simScale})
	return p
}

// simScale is the simulator window's text scale: 19 dp body text.
const simScale = 0.6

// blankSlip is the slip area before the first slip: white paper, the
// size of a 58 mm slip.
func blankSlip() image.Image {
	img := image.NewGray(image.Rect(0, 0, 384, 600))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	return img
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

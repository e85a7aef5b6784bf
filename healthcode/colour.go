package healthcode

// Colour is a health-code colour. The values are the stable wire names used
// by the rules JSON, the HTTP API, the kiosk's cache and the paper code's
// token. The empty Colour means "no colour": an answer that cannot be
// trusted shows none.
type Colour string

// The three colours.
const (
	Green  Colour = "green"
	Yellow Colour = "yellow"
	Red    Colour = "red"
)

// Valid reports whether c is one of the three colours.
func (c Colour) Valid() bool { return c == Green || c == Yellow || c == Red }

// Word is the colour's name in Chinese, as screens, slips and venue staff
// say it: a colour is never shown or printed without its word. It is ""
// for no colour.
func (c Colour) Word() string { return colourWords[c][0] }

// EnglishWord is Word in English ("Green code"), "" for no colour.
func (c Colour) EnglishWord() string { return colourWords[c][1] }

var colourWords = map[Colour][2]string{
	Green:  {"绿码", "Green code"},
	Yellow: {"黄码", "Yellow code"},
	Red:    {"红码", "Red code"},
}

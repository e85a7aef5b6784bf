package sscsim

import (
	_ "embed"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/shcommunity/kiosk/devices/internal/deck"
	"github.com/shcommunity/kiosk/devices/ssc"
)

// Deck is the JSON file of virtual cards:
//
//	{"cards": [{"label": "ssc-green", "name": "张三丰", "number": "3101...", ...}]}
//
// Unknown keys (such as "comment") are ignored.
type Deck struct {
	Cards []DeckCard `json:"cards"`
}

// DeckCard is one card of a deck. Values are strings as the card's face
// would print them; dates are YYYYMMDD. The _hex keys replace a record's
// value with raw bytes, to make a card no issuer would (a name that is
// not GBK, an expiry never written):
//
//	label, note       the card's name in commands, and what it shows
//	id_card           the label of the same person's card in the ID card deck
//	application       "ssc" (the default) or "bank": a card without the
//	                  social-security application
//	name, number, card_number, gender (0 1 2 9), nation (GB 3304),
//	birth_place (GB/T 2260), birth, issued, valid_to
//	name_hex, issued_hex, valid_to_hex
//	locked            every READ RECORD answers 6983
//	missing           record numbers in hex ("0D") that answer 6A83
type DeckCard struct {
	Label       string   `json:"label"`
	Note        string   `json:"note,omitempty"`
	IDCard      string   `json:"id_card,omitempty"`
	Application string   `json:"application,omitempty"`
	Name        string   `json:"name,omitempty"`
	NameHex     string   `json:"name_hex,omitempty"`
	Number      string   `json:"number,omitempty"`
	CardNumber  string   `json:"card_number,omitempty"`
	Gender      string   `json:"gender,omitempty"`
	Nation      string   `json:"nation,omitempty"`
	BirthPlace  string   `json:"birth_place,omitempty"`
	Birth       string   `json:"birth,omitempty"`
	Issued      string   `json:"issued,omitempty"`
	IssuedHex   string   `json:"issued_hex,omitempty"`
	ValidTo     string   `json:"valid_to,omitempty"`
	ValidToHex  string   `json:"valid_to_hex,omitempty"`
	Locked      bool     `json:"locked,omitempty"`
	Missing     []string `json:"missing,omitempty"`
}

//go:embed deck.json
var sampleDeck []byte

// SampleDeck returns the deck compiled into the program (deck.json beside
// this file).
func SampleDeck() *Deck { return deck.Sample(sampleDeck, ParseDeck) }

// LoadDeck reads a deck file.
func LoadDeck(path string) (*Deck, error) { return deck.Load("sscsim", path, ParseDeck) }

// ParseDeck decodes a deck and checks that every card can be built and
// that labels are unique.
func ParseDeck(data []byte) (*Deck, error) {
	cards := func(d *Deck) []DeckCard { return d.Cards }
	build := func(c DeckCard) error { _, err := c.files(); return err }
	return deck.Parse("sscsim", data, cards, label, build)
}

// Find returns the card with the label.
func (d *Deck) Find(want string) (DeckCard, bool) { return deck.Find(d.Cards, label, want) }

// label is a deck card's label.
func label(c DeckCard) string { return c.Label }

// Labels returns the labels in deck order.
func (d *Deck) Labels() []string {
	out := make([]string, len(d.Cards))
	for i, c := range d.Cards {
		out[i] = c.Label
	}
	return out
}

// files is the content of a card: EF05's and EF06's records by number,
// each as the SIMPLE-TLV the card answers. nil for a card without the
// application.
type files struct {
	ef05, ef06 map[byte][]byte
}

// files builds the records the entry describes. Its values are not
// validated beyond their shape: a deck may hold broken cards on purpose.
func (c DeckCard) files() (*files, error) {
	switch c.Application {
	case "", "ssc":
	case "bank":
		return nil, nil
	default:
		return nil, fmt.Errorf("application %q is not ssc or bank", c.Application)
	}
	f := &files{ef05: map[byte][]byte{}, ef06: map[byte][]byte{}}
	put := func(m map[byte][]byte, id byte, v []byte) { m[id] = ssc.EncodeRecord(id, v) }
	raw := func(field, s string) ([]byte, error) {
		b, err := hex.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("%s %q is not hex", field, s)
		}
		return b, nil
	}
	date := func(field, s, hexs string) ([]byte, error) {
		if hexs != "" {
			return raw(field+"_hex", hexs)
		}
		d, err := time.ParseInLocation("20060102", s, time.UTC)
		if err != nil {
			return nil, fmt.Errorf("%s %q is not YYYYMMDD", field, s)
		}
		return ssc.EncodeDate(d), nil
	}
	text := func(field, s string, n int) ([]byte, error) {
		if len(s) != n || strings.ContainsFunc(s, func(r rune) bool { return r < 0x21 || r > 0x7E }) {
			return nil, fmt.Errorf("%s %q: want %d printable ASCII characters", field, s, n)
		}
		return []byte(s), nil
	}
	digits := func(field, s string, n int) ([]byte, error) {
		if len(s) != n || strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
			return nil, fmt.Errorf("%s %q: want %d digits", field, s, n)
		}
		return ssc.EncodeBCD(s), nil
	}
	type rec struct {
		m   map[byte][]byte
		id  byte
		val func() ([]byte, error)
	}
	for _, r := range []rec{
		{f.ef05, ssc.RecIssued, func() ([]byte, error) { return date("issued", c.Issued, c.IssuedHex) }},
		{f.ef05, ssc.RecValidTo, func() ([]byte, error) { return date("valid_to", c.ValidTo, c.ValidToHex) }},
		{f.ef05, ssc.RecCardNumber, func() ([]byte, error) { return text("card_number", c.CardNumber, 9) }},
		{f.ef06, ssc.RecNumber, func() ([]byte, error) { return text("number", c.Number, 18) }},
		{f.ef06, ssc.RecName, func() ([]byte, error) {
			if c.NameHex != "" {
				return raw("name_hex", c.NameHex)
			}
			return ssc.EncodeName(c.Name)
		}},
		{f.ef06, ssc.RecGender, func() ([]byte, error) { return text("gender", c.Gender, 1) }},
		{f.ef06, ssc.RecNation, func() ([]byte, error) { return digits("nation", c.Nation, 2) }},
		{f.ef06, ssc.RecBirthPlace, func() ([]byte, error) { return digits("birth_place", c.BirthPlace, 6) }},
		{f.ef06, ssc.RecBirth, func() ([]byte, error) { return date("birth", c.Birth, "") }},
	} {
		v, err := r.val()
		if err != nil {
			return nil, err
		}
		put(r.m, r.id, v)
	}
	for _, m := range c.Missing {
		b, err := hex.DecodeString(m)
		if err != nil || len(b) != 1 {
			return nil, fmt.Errorf("missing %q is not a record number in hex", m)
		}
		delete(f.ef05, b[0])
		delete(f.ef06, b[0])
	}
	return f, nil
}

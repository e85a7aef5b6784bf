package idcardsim

import (
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/shcommunity/kiosk/assets"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/internal/deck"
	"github.com/shcommunity/kiosk/pii"
)

// Deck is the JSON file of simulated cards:
//
//	{"cards": [{"label": "resident-green", "type": "resident", "name": "张三丰", ...}]}
//
// Unknown keys (such as "comment" and "note") are ignored.
type Deck struct {
	Cards []DeckCard `json:"cards"`
}

// DeckCard is one card of a deck. Every value is a string as printed on
// the card; dates are YYYYMMDD and valid_to may be "长期". Which keys a
// card needs depends on its type:
//
//	all:          label, type (resident | hmt | foreign2017 | foreign2023),
//	              name, gender (0 1 2 9), birth, id_number, valid_from,
//	              valid_to, photo_seed
//	resident:     nation (GB 3304, "01"), address, authority
//	hmt:          address, authority, pass_number, issue_count
//	foreign2017:  name is the English name; chinese_name, nationality,
//	              authority (a 4-digit office code), card_version
//	foreign2023:  name is the Chinese name; english_name, nationality,
//	              renewal_count, previous_number
//	optional:     appended_address (served by 30 03), fingerprint_seed
//	              (a 1024-byte fingerprint for 30 10), note
type DeckCard struct {
	Label           string `json:"label"`
	Type            string `json:"type"`
	Name            string `json:"name"`
	ChineseName     string `json:"chinese_name,omitempty"`
	EnglishName     string `json:"english_name,omitempty"`
	Gender          string `json:"gender"`
	Nation          string `json:"nation,omitempty"`
	Birth           string `json:"birth"`
	Address         string `json:"address,omitempty"`
	IDNumber        string `json:"id_number"`
	Authority       string `json:"authority,omitempty"`
	ValidFrom       string `json:"valid_from"`
	ValidTo         string `json:"valid_to"`
	PassNumber      string `json:"pass_number,omitempty"`
	IssueCount      string `json:"issue_count,omitempty"`
	Nationality     string `json:"nationality,omitempty"`
	CardVersion     string `json:"card_version,omitempty"`
	RenewalCount    string `json:"renewal_count,omitempty"`
	PreviousNumber  string `json:"previous_number,omitempty"`
	AppendedAddress string `json:"appended_address,omitempty"`
	Note            string `json:"note,omitempty"`
	PhotoSeed       string `json:"photo_seed"`
	FingerprintSeed string `json:"fingerprint_seed,omitempty"`
}

// ParseDeck decodes a deck and checks that every card can be built and
// that labels are unique.
func ParseDeck(data []byte) (*Deck, error) {
	cards := func(d *Deck) []DeckCard { return d.Cards }
	build := func(c DeckCard) error { _, err := c.Card(); return err }
	return deck.Parse("idcardsim", data, cards, label, build)
}

// SampleDeck returns the deck compiled into the program (assets/deck.json).
func SampleDeck() *Deck { return deck.Sample(assets.SampleDeck, ParseDeck) }

// LoadDeck reads a deck file.
func LoadDeck(path string) (*Deck, error) { return deck.Load("idcardsim", path, ParseDeck) }

// Find returns the card with the label.
func (d *Deck) Find(want string) (DeckCard, bool) { return deck.Find(d.Cards, label, want) }

// label is a deck card's label.
func label(c DeckCard) string { return c.Label }

// Card builds the idcard.Card the deck entry describes, with its photo
// and fingerprint. The number is not validated: a deck may hold broken
// cards on purpose.
func (c DeckCard) Card() (*idcard.Card, error) {
	t, err := idcard.ParseCardType(c.Type)
	if err != nil {
		return nil, err
	}
	g, ok := idcard.ParseGender(c.Gender)
	if !ok {
		return nil, fmt.Errorf("gender %q is not 0, 1, 2 or 9", c.Gender)
	}
	date := func(name, s string) (time.Time, error) {
		d, err := time.ParseInLocation("20060102", s, time.UTC)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s %q is not YYYYMMDD", name, s)
		}
		return d, nil
	}
	card := &idcard.Card{
		Type:            t,
		Name:            pii.Name(c.Name),
		Gender:          g,
		Nation:          c.Nation,
		Address:         idcard.Address(c.Address),
		Number:          pii.IDNumber(c.IDNumber),
		Authority:       c.Authority,
		PassNumber:      pii.IDNumber(c.PassNumber),
		IssueCount:      c.IssueCount,
		Nationality:     c.Nationality,
		CardVersion:     c.CardVersion,
		RenewalCount:    c.RenewalCount,
		PreviousNumber:  pii.IDNumber(c.PreviousNumber),
		AppendedAddress: idcard.Address(c.AppendedAddress),
		Photo:           Opaque("photo:"+c.PhotoSeed, idcard.PhotoLen),
	}
	switch t {
	case idcard.CardForeign2017:
		card.OtherName = pii.Name(c.ChineseName)
	case idcard.CardForeign2023:
		card.OtherName = pii.Name(c.EnglishName)
	}
	if c.FingerprintSeed != "" {
		card.Fingerprint = Opaque("fingerprint:"+c.FingerprintSeed, idcard.FingerprintLen)
	}
	if card.Birth, err = date("birth", c.Birth); err != nil {
		return nil, err
	}
	if card.ValidFrom, err = date("valid_from", c.ValidFrom); err != nil {
		return nil, err
	}
	if c.ValidTo == idcard.Permanent {
		card.Permanent = true
	} else if card.ValidTo, err = date("valid_to", c.ValidTo); err != nil {
		return nil, err
	}
	if _, err := idcard.EncodeText(card); err != nil {
		return nil, err
	}
	return card, nil
}

// Opaque returns n deterministic bytes derived from seed (SHA-256 in
// counter mode): the stand-in for a WLT photo or a fingerprint template,
// which only a licensed decoder could read anyway.
func Opaque(seed string, n int) []byte {
	out := make([]byte, 0, n+sha256.Size)
	for i := 0; len(out) < n; i++ {
		sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d", seed, i))
		out = append(out, sum[:]...)
	}
	return out[:n]
}

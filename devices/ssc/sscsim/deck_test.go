package sscsim_test

import (
	"strings"
	"testing"

	"github.com/shcommunity/kiosk/devices/idcard/idcardsim"
	"github.com/shcommunity/kiosk/devices/ssc/sscsim"
)

// TestSameResidentsAsIDCards: a card that names an ID card of the ID card
// deck is the same person (name, number, birth date, gender), so that the
// kiosk can show that either card identifies the resident.
func TestSameResidentsAsIDCards(t *testing.T) {
	ids := idcardsim.SampleDeck()
	n := 0
	for _, c := range sscsim.SampleDeck().Cards {
		if c.IDCard == "" {
			continue
		}
		n++
		id, ok := ids.Find(c.IDCard)
		if !ok {
			t.Errorf("%s: no ID card %q in the ID card deck", c.Label, c.IDCard)
			continue
		}
		if id.Name != c.Name || id.IDNumber != c.Number || id.Birth != c.Birth || id.Gender != c.Gender {
			t.Errorf("%s and the ID card %s are not the same person", c.Label, c.IDCard)
		}
	}
	if n < 1 {
		t.Error("no card of the deck is the same person as an ID card")
	}
}

func TestParseDeckRefuses(t *testing.T) {
	for _, tt := range []struct{ deck, want string }{
		{`{"cards":[{"label":""}]}`, "no label"},
		{`{"cards":[{"label":"a","application":"bank"},{"label":"a","application":"bank"}]}`, "used twice"},
		{`{"cards":[{"label":"a","application":"atm"}]}`, "not ssc or bank"},
		{`{"cards":[{"label":"a","number":"1","card_number":"D00000001","issued":"20200101","valid_to":"20300101"}]}`, "number"},
		{`{"cards":[{"label":"a","name_hex":"zz"}]}`, "issued"},
		{`{"cards":[`, "deck"},
	} {
		if _, err := sscsim.ParseDeck([]byte(tt.deck)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseDeck(%s) = %v, want an error about %q", tt.deck, err, tt.want)
		}
	}
}

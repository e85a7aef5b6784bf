package idcardsim_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/assets"
	"github.com/shcommunity/kiosk/devices/idcard"
	"github.com/shcommunity/kiosk/devices/idcard/idcardsim"
)

// now is the tests' clock: the deck's "expired" card ran out on
// 2026-01-05.
var now = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func TestSampleDeck(t *testing.T) {
	d, err := idcardsim.ParseDeck(assets.SampleDeck)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Cards) != 11 {
		t.Fatalf("%d cards, want 11", len(d.Cards))
	}
	types := map[idcard.CardType]bool{}
	for _, dc := range d.Cards {
		t.Run(dc.Label, func(t *testing.T) {
			c, err := dc.Card()
			if err != nil {
				t.Fatal(err)
			}
			types[c.Type] = true
			err = c.Validate(now)
			if dc.Label == "expired" {
				if !errors.Is(err, idcard.ErrCardExpired) {
					t.Fatalf("Validate = %v, want ErrCardExpired", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Validate = %v, want nil", err)
			}
			if len(c.Photo) != idcard.PhotoLen {
				t.Fatalf("photo is %d bytes, want 1024", len(c.Photo))
			}
		})
	}
	if len(types) != 4 {
		t.Errorf("deck covers %d layouts, want all 4", len(types))
	}
}

func TestOpaque(t *testing.T) {
	a, b := idcardsim.Opaque("photo:x", 1024), idcardsim.Opaque("photo:x", 1024)
	if !bytes.Equal(a, b) || len(a) != 1024 {
		t.Fatal("Opaque is not deterministic or not 1024 bytes")
	}
	if bytes.Equal(a, idcardsim.Opaque("photo:y", 1024)) {
		t.Fatal("different seeds give the same bytes")
	}
}

func TestParseDeckErrors(t *testing.T) {
	card := `{"label":"a","type":"resident","name":"张三","gender":"1","nation":"01","birth":"19480314","id_number":"310101194803140019","valid_from":"20120601","valid_to":"长期"}`
	tests := []struct {
		name, json, want string
	}{
		{"not json", `{`, "deck"},
		{"no label", `{"cards":[{"type":"resident"}]}`, "no label"},
		{"twice", `{"cards":[` + card + `,` + card + `]}`, "twice"},
		{"bad type", `{"cards":[` + strings.Replace(card, `"resident"`, `"passport"`, 1) + `]}`, "card type"},
		{"bad gender", `{"cards":[` + strings.Replace(card, `"gender":"1"`, `"gender":"m"`, 1) + `]}`, "gender"},
		{"bad date", `{"cards":[` + strings.Replace(card, `"19480314"`, `"1948-03-14"`, 1) + `]}`, "birth"},
		{"too long", `{"cards":[` + strings.Replace(card, `"张三"`, `"`+strings.Repeat("张", 16)+`"`, 1) + `]}`, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := idcardsim.ParseDeck([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseDeck = %v, want an error about %q", err, tt.want)
			}
		})
	}
}

func TestLoadDeckFile(t *testing.T) {
	d, err := idcardsim.LoadDeck(filepath.Join("testdata", "deck_extra.json"))
	if err != nil {
		t.Fatal(err)
	}
	dc, ok := d.Find("with-extras")
	if !ok {
		t.Fatal("card with-extras not found")
	}
	c, err := dc.Card()
	if err != nil {
		t.Fatal(err)
	}
	if c.AppendedAddress == "" || len(c.Fingerprint) != idcard.FingerprintLen {
		t.Fatalf("appended address %q, fingerprint %d bytes; want both", c.AppendedAddress.Reveal(), len(c.Fingerprint))
	}
	if _, err := idcardsim.LoadDeck(filepath.Join(t.TempDir(), "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("LoadDeck(missing) = %v, want os.ErrNotExist", err)
	}
}

package devseed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shcommunity/kiosk/assets"
	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/pii"
)

// The demo worker Seed adds, for logging in at a kiosk's counter.
const (
	WorkerID   = "demo"
	WorkerName = "演示社工"
	Password   = "demo1234"
)

// Phone is the invented contact number every seeded resident gets.
const Phone = "13800138000"

// event is one event of a seeded history, dated ago before the service's
// now.
type event struct {
	kind rules.EventKind
	ago  time.Duration
}

// histories gives the deck labels whose note is not plain green the
// events behind it; every other card is seeded with no events (green).
var histories = map[string][]event{
	// Arrived three days ago: yellow for the 11 days left of 14.
	"resident-yellow": {{rules.ArrivalKeyArea, 3 * 24 * time.Hour}},
	// Under medical management since two days ago: red until released.
	"resident-red": {{rules.MedicalStart, 2 * 24 * time.Hour}},
}

// NotEnrolled lists the deck cards Seed leaves out: residents the service
// has never seen, who enrol themselves at a self-service kiosk in the demo.
var NotEnrolled = map[string]bool{"first-visit": true}

// Resident is one seeded resident and its status as the service gives
// it at the end of Seed.
type Resident struct {
	Label  string // the deck card's label, e.g. "resident-yellow"
	Note   string // the deck card's note
	ID     pii.IDNumber
	Name   pii.Name
	Status api.Status
}

// card is the part of a deck card Seed reads.
type card struct {
	Label    string `json:"label"`
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Note     string `json:"note"`
}

// Seed creates (or refreshes) every deck resident with its history and
// adds the demo worker. It is safe to run again on the same store: a
// resident that already has events gets no second copy, so a restarted
// `serve --dev --db F` keeps its dates. A card whose ID number the service
// refuses is an error: the deck is ours and must be valid.
func Seed(ctx context.Context, svc *server.Service) ([]Resident, error) {
	now := svc.Now()
	cards, ids, err := deck(now)
	if err != nil {
		return nil, err
	}
	out := make([]Resident, 0, len(cards))
	for i, c := range cards {
		if NotEnrolled[c.Label] {
			continue
		}
		id := ids[i]
		name := pii.Name(c.Name)
		r, err := svc.SeedResident(ctx, id, name, Phone)
		if err != nil {
			return nil, fmt.Errorf("devseed: card %s: %w", c.Label, err)
		}
		if err := addHistory(ctx, svc, id, r.Key, histories[c.Label], now); err != nil {
			return nil, fmt.Errorf("devseed: card %s: %w", c.Label, err)
		}
		st, err := svc.StatusFor(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("devseed: card %s: %w", c.Label, err)
		}
		out = append(out, Resident{Label: c.Label, Note: c.Note, ID: id, Name: name, Status: st.Status})
	}
	if err := svc.AddWorker(ctx, WorkerID, WorkerName, Password); err != nil {
		return nil, fmt.Errorf("devseed: worker: %w", err)
	}
	return out, nil
}

// IDNumbers returns the ID numbers of the residents Seed creates, in deck
// order: for a client that exercises a seeded service (the status load
// generator).
func IDNumbers(now time.Time) ([]pii.IDNumber, error) {
	cards, ids, err := deck(now)
	if err != nil {
		return nil, err
	}
	out := ids[:0]
	for i, id := range ids {
		if !NotEnrolled[cards[i].Label] {
			out = append(out, id)
		}
	}
	return out, nil
}

// deck reads the sample deck and parses its ID numbers.
func deck(now time.Time) ([]card, []pii.IDNumber, error) {
	var d struct {
		Cards []card `json:"cards"`
	}
	if err := json.Unmarshal(assets.SampleDeck, &d); err != nil {
		return nil, nil, fmt.Errorf("devseed: deck: %w", err)
	}
	ids := make([]pii.IDNumber, len(d.Cards))
	for i, c := range d.Cards {
		id, err := pii.ParseIDNumber(c.IDNumber, now)
		if err != nil {
			return nil, nil, fmt.Errorf("devseed: card %s: %w", c.Label, err)
		}
		ids[i] = id
	}
	return d.Cards, ids, nil
}

// addHistory records h for the resident unless it has events already.
func addHistory(ctx context.Context, svc *server.Service, id pii.IDNumber, key []byte, h []event, now time.Time) error {
	if len(h) == 0 {
		return nil
	}
	_, evs, err := svc.Store.ResidentByKey(ctx, key)
	if err != nil || len(evs) > 0 {
		return err
	}
	for _, ev := range h {
		if _, err := svc.AddEvent(ctx, id, ev.kind, now.Add(-ev.ago), "dev"); err != nil {
			return err
		}
	}
	return nil
}

// ErrNotDevDatabase: the database was not made by development mode, so
// seeding it (sample residents, the demo worker's known password) would
// plant a login anyone can read in the README in a real service.
var ErrNotDevDatabase = errors.New("devseed: the database was not created in development mode; refusing to seed it")

// devMark names the store secret that marks a development database.
const devMark = "dev-database"

// errNoMark is what the marker's generator returns when it must not make
// one; nothing is written then.
var errNoMark = errors.New("no development mark")

// Claim marks a database that did not exist before this start as a
// development database (fresh), or checks that an existing one carries
// that mark: only then may Seed run on it. An existing database without
// the mark fails with ErrNotDevDatabase and is left as it was.
func Claim(ctx context.Context, svc *server.Service, fresh bool) error {
	gen := func() ([]byte, error) {
		if !fresh {
			return nil, errNoMark
		}
		return []byte("created by codeservice serve --dev"), nil
	}
	_, err := svc.Store.Secret(ctx, devMark, gen)
	if errors.Is(err, errNoMark) {
		return ErrNotDevDatabase
	}
	return err
}

package deck

import (
	"encoding/json"
	"fmt"
	"os"
)

// Check returns the first fault of cards, its message led by pkg (the
// simulator's package name): a card without a label, a label used twice,
// or a card build refuses.
func Check[C any](pkg string, cards []C, label func(C) string, build func(C) error) error {
	seen := make(map[string]bool, len(cards))
	for i, c := range cards {
		l := label(c)
		if l == "" {
			return fmt.Errorf("%s: deck card %d has no label", pkg, i)
		}
		if seen[l] {
			return fmt.Errorf("%s: deck label %q used twice", pkg, l)
		}
		seen[l] = true
		if err := build(c); err != nil {
			return fmt.Errorf("%s: deck card %q: %w", pkg, l, err)
		}
	}
	return nil
}

// Parse decodes a deck from JSON and checks the cards that cards finds in
// it with Check; pkg leads the messages.
func Parse[D, C any](pkg string, data []byte, cards func(*D) []C, label func(C) string, build func(C) error) (*D, error) {
	var d D
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("%s: deck: %w", pkg, err)
	}
	if err := Check(pkg, cards(&d), label, build); err != nil {
		return nil, err
	}
	return &d, nil
}

// Load reads the deck file at path and parses it with parse.
func Load[D any](pkg, path string, parse func([]byte) (*D, error)) (*D, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkg, err)
	}
	return parse(data)
}

// Sample parses the deck compiled into a simulator. It panics on a broken
// one: the tests check the embedded decks.
func Sample[D any](data []byte, parse func([]byte) (*D, error)) *D {
	d, err := parse(data)
	if err != nil {
		panic(err)
	}
	return d
}

// Find returns the card with the label want.
func Find[C any](cards []C, label func(C) string, want string) (C, bool) {
	for _, c := range cards {
		if label(c) == want {
			return c, true
		}
	}
	var none C
	return none, false
}

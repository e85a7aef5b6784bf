package deck

import "fmt"

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

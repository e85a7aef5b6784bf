// Package deck checks the decks of sample cards the simulators of every
// card reader load: each card labelled, no label used twice, each card
// one the simulator can build.
package deck

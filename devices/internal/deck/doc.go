// Package deck reads and checks the decks of sample cards the simulators
// of every card reader load: a deck is parsed from JSON, compiled in or
// read from a file, and every card in it is labelled, no label is used
// twice, and each card is one the simulator can build.
package deck

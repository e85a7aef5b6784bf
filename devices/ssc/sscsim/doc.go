// Package sscsim is a virtual social-security card, for the tests, the
// benchmark, the demo (cmd/devsim ssc) and development without hardware.
//
// Card answers command APDUs as docs/ssc-card.md ("The virtual card")
// describes: the social-security application, EF05 and EF06 with their
// records, in the manner of a T=0 card (61xx, 6Cxx), with faults armed
// on a command (pulled out, truncated, no status word, 6F00). A Card is
// itself an ssc.Transmitter, to read in process with no PC/SC stack.
//
// Sim puts cards into vsmartcard's vpcd reader driver over its TCP link
// ("The vpcd link"): Insert connects a card of the deck, Remove closes
// the connection, and pcscd sees a card come and go, so that the
// application reads it through libpcsclite and pcscd exactly as a real
// card. Its cards come from a deck in JSON (SampleDeck, or a file of the
// same shape; see Deck).
package sscsim

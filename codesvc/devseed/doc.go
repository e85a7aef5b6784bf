// Package devseed fills a code service with development data: the
// residents of the sample card deck (assets.SampleDeck, assets/deck.json),
// each with the event history that gives the colour its card's note
// describes, and the demo worker. `codeservice serve --dev` and the
// one-process kiosk (app/rig) both start from it, so the demo, the
// end-to-end tests and a developer's service agree on who is green,
// yellow and red. Health fills the sample health cloud (codesvc/healthcloud)
// with invented records for the same residents.
//
// Colours come from the service's own rules (codesvc/rules, docs/api.md):
// the package records events, never a colour.
package devseed

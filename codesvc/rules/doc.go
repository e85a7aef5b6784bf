// Package rules decides a resident's health-code colour. The colour is one
// pure function of the resident's recorded events, the rules in force and
// the current instant: Evaluate. Every channel of the code service (the
// status API, the feed, the status claim inside a paper token) takes its
// colour from Evaluate, so two channels can never disagree.
//
// The default rules follow the Shanghai 随申码 colour semantics of 2020
// (see docs/health-code-systems.md, "The colours"): red while
// confirmed, suspected or under medical management until released; yellow
// for 14 days after arriving from a key area or while a close contact is
// under observation; green otherwise. Red beats yellow beats green.
//
// Rules are data (JSON, versioned, validated): which events start and end
// which state, how long a timed state lasts and the precedence of colours.
// A timed state's end is scheduled: Status.ValidUntil names the instant the
// colour changes by itself, so a cache that honours it never shows a
// yellow that should already be green, or a green past a recorded change.
package rules

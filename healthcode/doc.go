// Package healthcode holds the domain's own vocabulary, in one place that
// every layer uses: the colours of the health code and their words, where
// a status answer comes from, and the status a screen or a slip may show.
//
// A colour travels from the service's rules to the wire, the kiosk's
// cache, a screen and a slip as the same Colour value; its word
// (绿码/黄码/红码, "Green code"...) is defined here and nowhere else, so a
// screen and a slip cannot disagree on it. The package imports only the
// standard library (internal/archtest holds it to that).
package healthcode

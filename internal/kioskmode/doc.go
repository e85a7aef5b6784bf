// Package kioskmode holds the parts of the kiosk's locked-down mode that do
// not need Fyne: the worker PIN that lets staff leave it, checked against
// a slow hash kept in the kiosk's settings, with a lockout after repeated
// failures.
//
// The PIN hash is an argon2id PHC string made by codesvc/api.HashPassword
// (RFC 9106), the same scheme as the workers' passwords, so one hash
// format is reviewed; comparison is constant-time (crypto/subtle). The
// lockout follows NIST SP 800-63B §5.2.2 (rate limiting of failed
// attempts): a short PIN is guessable in hours without it.
//
// What the GUI does with it (full screen, no decorations, the exit key
// combination, start at login) is written down in packaging/PACKAGING.md,
// "Kiosk mode".
package kioskmode

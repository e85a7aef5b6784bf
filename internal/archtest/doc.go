// Package archtest holds no code: its test enforces the rules of
// ARCHITECTURE.md on the whole module (which packages may import which,
// one package comment per package, no test helpers in production code,
// no citation of anything outside the repository).
package archtest

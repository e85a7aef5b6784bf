// Package clocktest is the settable clock that tests hand to code which
// asks for the time: the test moves it on or sets it, and every reader,
// from any goroutine, sees the new time. Only tests import it.
package clocktest

package crashpoint

import "strconv"

// Point names one place where a crash test may kill the process. It is
// a small integer, so that an untagged build passes nothing to Hit at
// all; String gives its name.
type Point uint8

// The crash points, in the order a change passes them.
const (
	// Enqueued: the transaction that put an item in the outbox (an
	// enrolment, a print, a correction) has committed.
	Enqueued Point = iota + 1
	// BeforeRequest: a push is about to send its request; nothing of it
	// has been written.
	BeforeRequest
	// RequestWritten: a push's request is written to the connection and
	// its answer not yet read; the service may or may not act on it.
	RequestWritten
	// BeforeAck: the service answered a push; the transaction that
	// records the answer is open and has not committed.
	BeforeAck
	// FeedMidPage: half of a feed page's entries are applied in its
	// transaction, the rest and the cursor are not.
	FeedMidPage
	// TrustMidUpdate: a verified trust list is written and its version
	// not yet, in one open transaction.
	TrustMidUpdate
	// PrintSent: a slip's bytes went to the printer and it answered; the
	// print is not yet recorded.
	PrintSent
)

// EnvVar is the environment variable a binary built with the tag
// crashpoints reads at start: "point:k" kills it at the k-th pass (from
// 1) through that point; empty or unset kills nothing.
const EnvVar = "KIOSK_CRASH_AT"

// All lists every point, in the order above.
func All() []Point {
	return []Point{Enqueued, BeforeRequest, RequestWritten, BeforeAck, FeedMidPage, TrustMidUpdate, PrintSent}
}

var names = [...]string{"", "outbox.enqueued", "push.before-request", "push.request-written", "push.before-ack",
	"feed.mid-page", "trust.mid-update", "print.sent"}

// String is the point's name, as KIOSK_CRASH_AT and the campaign's table
// write it ("push.before-ack").
func (p Point) String() string {
	if !p.Valid() {
		return "point(" + strconv.Itoa(int(p)) + ")"
	}
	return names[p]
}

// Valid reports whether p is one of the points.
func (p Point) Valid() bool { return p >= Enqueued && p <= PrintSent }

// Parse finds the point with this name.
func Parse(name string) (Point, bool) {
	for _, p := range All() {
		if names[p] == name {
			return p, true
		}
	}
	return 0, false
}

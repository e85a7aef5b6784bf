package logfile

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/shcommunity/kiosk/pii"
)

// sensitiveKeys are attribute keys (compared case-insensitively, without
// '_', '-' and '.') whose values are personal data whatever their type.
var sensitiveKeys = map[string]bool{
	"name": true, "fullname": true, "residentname": true, "xm": true,
	"idnumber": true, "id_number": true, "idno": true, "idcard": true, "citizenid": true, "sfzh": true,
	"address": true, "phone": true, "mobile": true, "contact": true, "birth": true, "birthdate": true,
	"photo": true, "fingerprint": true,
}

var keySeparators = strings.NewReplacer("_", "", "-", "", ".", "")

func sensitiveKey(k string) bool {
	return sensitiveKeys[keySeparators.Replace(strings.ToLower(k))]
}

// The layouts Scrub masks, written with or without separators between
// the characters (docs/idcard-protocol.md, "ID numbers"):
//   - 18 characters, 17 digits and a digit or X with a right GB 11643
//     check digit: the resident ID card, the Hong Kong/Macao/Taiwan
//     residence permit (81/82/83...) and the 2023 foreign permanent
//     resident card (9...);
//   - 15 digits: the first-generation card, any check;
//   - 3 letters and 12 digits: the 2017 foreign permanent resident card.
//
// A number must not run on into more digits (it would be another kind of
// number): no digit, X or '*' (a masked number's) touches its end, and
// no digit or '*' the start of one that begins with a digit. Letters before the 2017
// layout's three do not matter ("IDUSA…" is masked from the U).
const (
	minDigits = 12 // the fewest digits of any layout
	maxSepRun = 3  // separators allowed between two characters
)

// isSep reports the separators people write numbers with: spaces (also
// no-break and ideographic), tabs and hyphens.
func isSep(r rune) bool {
	return r == ' ' || r == '-' || r == '\t' || r == '\u00a0' || r == '\u3000'
}

func isDigit(b byte) bool  { return b >= '0' && b <= '9' }
func isLetter(b byte) bool { return b|0x20 >= 'a' && b|0x20 <= 'z' }
func isDigitX(b byte) bool { return isDigit(b) || b == 'X' || b == 'x' }
func touching(b byte) bool { return isDigitX(b) || b == '*' }

// skipSeps returns the index after the separators at s[i:], or -1 if
// there are more than maxSepRun of them.
func skipSeps(s string, i int) int {
	for seps := 0; i < len(s); seps++ {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isSep(r) {
			break
		}
		if seps == maxSepRun {
			return -1
		}
		i += size
	}
	return i
}

// take reads n characters from s at i, the k-th satisfying ok(k, c),
// allowing up to maxSepRun separators between two of them (never before
// the first). It appends them to buf and returns it with the index just
// after the last one, or false if s does not hold them.
func take(s string, i, n int, ok func(k int, c byte) bool, buf []byte) ([]byte, int, bool) {
	for k := 0; k < n; k++ {
		if k > 0 {
			if i = skipSeps(s, i); i < 0 {
				return nil, 0, false
			}
		}
		if i >= len(s) || !ok(k, s[i]) {
			return nil, 0, false
		}
		buf = append(buf, s[i])
		i++
	}
	return buf, i, true
}

func digit(_ int, c byte) bool  { return isDigit(c) }
func letter(_ int, c byte) bool { return isLetter(c) }

// matchDigits reports the 18- or 15-character number starting at s[i].
func matchDigits(s string, i int, buf []byte) ([]byte, int, bool) {
	if i >= len(s) || !isDigit(s[i]) || i > 0 && (isDigit(s[i-1]) || s[i-1] == '*') {
		return nil, 0, false
	}
	eighteen := func(k int, c byte) bool { return isDigit(c) || k == 17 && isDigitX(c) }
	if d, end, ok := take(s, i, 18, eighteen, buf[:0]); ok && ends(s, end) {
		if want, err := pii.CheckDigit(string(d[:17])); err == nil && want == upper(d[17]) {
			return d, end, true
		}
	}
	if d, end, ok := take(s, i, 15, digit, buf[:0]); ok && ends(s, end) {
		return d, end, true
	}
	return nil, 0, false
}

// matchForeign reports the 2017 layout starting at s[i]. Its twelve
// digits must not start a number of the other layouts ("card 3101 …" is
// a resident's number after a word, not a foreigner's).
func matchForeign(s string, i int, buf []byte) ([]byte, int, bool) {
	l, end, ok := take(s, i, 3, letter, buf[:0])
	if !ok {
		return nil, 0, false
	}
	j := skipSeps(s, end)
	if j < 0 {
		return nil, 0, false
	}
	var other [18]byte
	if _, _, ok := matchDigits(s, j, other[:0]); ok {
		return nil, 0, false
	}
	if d, end, ok := take(s, j, 12, digit, l); ok && ends(s, end) {
		return d, end, true
	}
	return nil, 0, false
}

// ends reports whether a number may end at s[end]: nothing touches it.
func ends(s string, end int) bool { return end == len(s) || !touching(s[end]) }

// match reports the ID number starting at s[i], if any: its characters
// without separators and the index just after it.
func match(s string, i int, buf []byte) ([]byte, int, bool) {
	if isDigit(s[i]) {
		return matchDigits(s, i, buf)
	}
	// Four letters in a row never start a number (the fourth would have
	// to be a digit or a separator); checked here first, since most text
	// is words.
	if isLetter(s[i]) && !(i+3 < len(s) && isLetter(s[i+1]) && isLetter(s[i+2]) && isLetter(s[i+3])) {
		return matchForeign(s, i, buf)
	}
	return nil, 0, false
}

// Scrub masks everything in s shaped like an ID number of one of the
// layouts above, with or without separators, to its first character and
// last four (pii.MaskID of the characters without separators). Other
// text is unchanged, and Scrub(Scrub(s)) == Scrub(s).
func Scrub(s string) string {
	digits := 0
	for i := 0; i < len(s) && digits < minDigits; i++ {
		if isDigit(s[i]) {
			digits++
		}
	}
	if digits < minDigits {
		// The common case, decided without allocating.
		return s
	}
	var out strings.Builder
	var buf [18]byte
	done := 0
	for i := 0; i < len(s); i++ {
		d, end, ok := match(s, i, buf[:0])
		if !ok {
			continue
		}
		if out.Len() == 0 {
			out.Grow(len(s))
		}
		out.WriteString(s[done:i])
		out.WriteString(pii.MaskID(string(d)))
		done, i = end, end-1
	}
	if done == 0 {
		return s
	}
	out.WriteString(s[done:])
	return out.String()
}

func upper(b byte) byte {
	if b == 'x' {
		return 'X'
	}
	return b
}

// ReplaceAttr is a slog.HandlerOptions.ReplaceAttr that redacts attributes
// under personal-data keys and scrubs ID-number-shaped text from string
// values and error texts. Values that are LogValuers (the pii types) have
// already been resolved to their redacted form when it runs.
func ReplaceAttr(_ []string, a slog.Attr) slog.Attr {
	if sensitiveKey(a.Key) {
		return slog.String(a.Key, pii.Redacted)
	}
	switch a.Value.Kind() {
	case slog.KindString:
		if s := a.Value.String(); len(s) >= 15 {
			return slog.String(a.Key, Scrub(s))
		}
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok {
			return slog.String(a.Key, Scrub(err.Error()))
		}
		if st, ok := a.Value.Any().(interface{ String() string }); ok {
			return slog.String(a.Key, Scrub(st.String()))
		}
	}
	return a
}

// NewHandler returns a JSON slog handler writing to w (a *Writer, usually)
// at the given level (nil means Info), with ReplaceAttr and with the
// message scrubbed like a string value.
func NewHandler(w io.Writer, level slog.Leveler) slog.Handler {
	return &scrubHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: ReplaceAttr})}
}

// NewTextHandler is NewHandler's twin for a terminal: a text slog handler
// writing to w (the program's stderr) with the same ReplaceAttr and the
// message scrubbed. Whatever reaches stderr may end up in a journal, a
// service manager's log or a support screenshot, so it gets no less care
// than the log file.
func NewTextHandler(w io.Writer, level slog.Leveler) slog.Handler {
	return &scrubHandler{slog.NewTextHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: ReplaceAttr})}
}

// ScrubWriter returns a writer that scrubs each write before passing it
// to w: for the lines a command prints on stderr outside a logger (its
// final error). Each write must hold whole lines, as fmt.Fprintln writes
// them; a number split across two writes would pass.
func ScrubWriter(w io.Writer) io.Writer { return scrubWriter{w} }

type scrubWriter struct{ w io.Writer }

func (s scrubWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(s.w, Scrub(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// scrubHandler scrubs the record's message, which ReplaceAttr does not
// see.
type scrubHandler struct{ slog.Handler }

func (h *scrubHandler) Handle(ctx context.Context, r slog.Record) error {
	if len(r.Message) >= 15 {
		if s := Scrub(r.Message); s != r.Message {
			nr := slog.NewRecord(r.Time, r.Level, s, r.PC)
			r.Attrs(func(a slog.Attr) bool { nr.AddAttrs(a); return true })
			r = nr
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h *scrubHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &scrubHandler{h.Handler.WithAttrs(as)}
}

func (h *scrubHandler) WithGroup(name string) slog.Handler {
	return &scrubHandler{h.Handler.WithGroup(name)}
}

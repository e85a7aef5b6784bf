package logfile

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"strings"

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

// idShape matches 18-character runs shaped like a citizen ID number (17
// digits and a digit or X) that are not part of a longer run of digits,
// and 15-digit first-generation numbers.
var idShape = regexp.MustCompile(`(^|[^0-9])([0-9]{17}[0-9Xx]|[0-9]{15})($|[^0-9Xx])`)

// Scrub masks everything in s shaped like a citizen ID number whose check
// digit is right (GB 11643), or any 15-digit run, to its first character
// and last four (pii.MaskID). Other text is unchanged.
func Scrub(s string) string {
	if !hasDigitRun(s, 15) {
		// The common case, checked without the regexp's allocations.
		return s
	}
	// Matches share their delimiters, so loop until nothing changes.
	for {
		changed := false
		s = idShape.ReplaceAllStringFunc(s, func(m string) string {
			sub := idShape.FindStringSubmatch(m)
			id := sub[2]
			if len(id) == 18 {
				want, err := pii.CheckDigit(id[:17])
				if err != nil || byte(want) != upper(id[17]) {
					return m
				}
			}
			changed = true
			return sub[1] + pii.MaskID(id) + sub[3]
		})
		if !changed {
			return s
		}
	}
}

// hasDigitRun reports whether s holds n ASCII digits in a row.
func hasDigitRun(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if run++; run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
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

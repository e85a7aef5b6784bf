package render

import (
	"errors"
)

// Op says what a token is.
type Op uint8

// Token kinds. OpOther is a known command the renderer does not draw;
// OpUnknown is a byte sequence the table does not know, skipped.
const (
	OpText           Op = iota // printable bytes (ASCII and GBK double bytes)
	OpLF                       // 0A: print the line and feed
	OpCR                       // 0D: ignored, as on most printers
	OpControl                  // another single control byte, ignored
	OpInit                     // ESC @
	OpChineseOn                // FS &
	OpChineseOff               // FS .
	OpPrintMode                // ESC ! n
	OpAlign                    // ESC a n
	OpBold                     // ESC E n or ESC G n
	OpSize                     // GS ! n
	OpLineSpacing              // ESC 3 n
	OpDefaultSpacing           // ESC 2
	OpFeedLines                // ESC d n
	OpFeedDots                 // ESC J n
	OpCut                      // GS V m [n]
	OpRaster                   // GS v 0 m xL xH yL yH d…
	OpQR                       // GS ( k pL pH cn fn …
	OpStatus                   // DLE EOT n
	OpOther                    // a known command, not drawn
	OpUnknown                  // an unknown command, skipped
)

// Token is one command or text run. Raw is the whole token; Arg holds the
// bytes after the command code that are parameters (for GS ( k: cn fn and
// its parameters; for GS v 0: m xL xH yL yH), and Data the variable part.
// All three are slices of the tokenizer's input.
type Token struct {
	Op   Op
	Raw  []byte
	Arg  []byte
	Data []byte
}

// MaxCommand caps the length a command may declare: above it Next returns
// ErrTooLong with the declared length, so a streaming caller can skip the
// bytes without buffering them. 1 MiB is far above any slip (a 58 mm
// full-page raster of 40 cm is 150 KB).
const MaxCommand = 1 << 20

// Errors from Next.
var (
	// ErrIncomplete: the input ends inside a command; call again with
	// more bytes.
	ErrIncomplete = errors.New("escpos: incomplete command")
	// ErrTooLong: a command declares more than MaxCommand bytes.
	ErrTooLong = errors.New("escpos: command longer than the limit")
)

// Next reads one token from the start of b and returns it with its length.
// With ErrIncomplete nothing is consumed. With ErrTooLong, n is the
// declared total length of the command, which the caller should skip.
// An empty b gives ErrIncomplete.
func Next(b []byte) (t Token, n int, err error) {
	if len(b) == 0 {
		return Token{}, 0, ErrIncomplete
	}
	c := b[0]
	switch {
	case c >= 0x20:
		i := 1
		for i < len(b) && b[i] >= 0x20 {
			i++
		}
		return Token{Op: OpText, Raw: b[:i], Data: b[:i]}, i, nil
	case c == 0x0A:
		return Token{Op: OpLF, Raw: b[:1]}, 1, nil
	case c == 0x0D:
		return Token{Op: OpCR, Raw: b[:1]}, 1, nil
	case c == 0x1B:
		return esc(b)
	case c == 0x1D:
		return gs(b)
	case c == 0x1C:
		return fs(b)
	case c == 0x10:
		return dle(b)
	}
	return Token{Op: OpControl, Raw: b[:1]}, 1, nil
}

// fixed returns a command of n bytes whose parameters start at 2.
func fixed(b []byte, op Op, n int) (Token, int, error) {
	if len(b) < n {
		return Token{}, 0, ErrIncomplete
	}
	return Token{Op: op, Raw: b[:n], Arg: b[2:n]}, n, nil
}

// variable returns a command with hdr bytes of header (parameters from
// argAt) followed by data bytes of data.
func variable(b []byte, op Op, argAt, hdr int, data int64) (Token, int, error) {
	total := int64(hdr) + data
	if total > MaxCommand {
		return Token{}, int(min(total, 1<<40)), ErrTooLong
	}
	if int64(len(b)) < total {
		return Token{}, 0, ErrIncomplete
	}
	n := int(total)
	return Token{Op: op, Raw: b[:n], Arg: b[argAt:hdr], Data: b[hdr:n]}, n, nil
}

// cmd is a command of a fixed length: the codes after its prefix byte
// (ESC, GS) that name it, its kind and its length with the prefix.
type cmd struct {
	codes string
	op    Op
	n     int
}

// table indexes cmds by their second byte.
func table(cmds ...cmd) map[byte]cmd {
	t := make(map[byte]cmd)
	for _, c := range cmds {
		for i := range len(c.codes) {
			t[c.codes[i]] = c
		}
	}
	return t
}

// The fixed-length ESC and GS commands, in the order of docs/escpos.md's
// tables; the variable ones are read in esc and gs.
var (
	escFixed = table(
		cmd{"@", OpInit, 2}, cmd{"!", OpPrintMode, 3}, cmd{"a", OpAlign, 3},
		cmd{"EG", OpBold, 3}, cmd{"3", OpLineSpacing, 3}, cmd{"2", OpDefaultSpacing, 2},
		cmd{"d", OpFeedLines, 3}, cmd{"J", OpFeedDots, 3},
		cmd{"<LSim\x0c", OpOther, 2},
		cmd{" %-=?KMRTUVertuv{FI", OpOther, 3},
		cmd{"c$\\B", OpOther, 4}, // ESC c 3 n, ESC c 4 n, ESC c 5 n
		cmd{"p", OpOther, 5}, cmd{"W", OpOther, 10},
	)
	gsFixed = table(
		cmd{"!", OpSize, 3},
		cmd{":\x0c", OpOther, 2},
		cmd{"/BHIabcfhrwETjg", OpOther, 3},
		cmd{"$LPW\\", OpOther, 4},
		cmd{"^", OpOther, 5},
	)
)

// le16 is the little-endian 16-bit number at b[i:i+2].
func le16(b []byte, i int) int64 { return int64(b[i]) | int64(b[i+1])<<8 }

// nulEnded finds the end of a command whose last part, from at, runs to a
// NUL (part of the command) or to limit bytes: the command ends at end,
// the part at stop.
func nulEnded(b []byte, at, limit int) (end, stop int, err error) {
	for i := at; i < len(b) && i < at+limit; i++ {
		if b[i] == 0 {
			return i + 1, i, nil
		}
	}
	if len(b) >= at+limit {
		return at + limit, at + limit, nil
	}
	return 0, 0, ErrIncomplete
}

// esc reads one ESC command at the start of b.
func esc(b []byte) (Token, int, error) {
	if len(b) < 2 {
		return Token{}, 0, ErrIncomplete
	}
	if c, ok := escFixed[b[1]]; ok {
		return fixed(b, c.op, c.n)
	}
	switch b[1] {
	case '(':
		// ESC ( A pL pH …, ESC ( Y pL pH …
		if len(b) < 5 {
			return Token{}, 0, ErrIncomplete
		}
		return variable(b, OpOther, 3, 5, le16(b, 3))
	case '*':
		// ESC * m nL nH d1…dk: k = columns × (1 or 3 bytes).
		if len(b) < 5 {
			return Token{}, 0, ErrIncomplete
		}
		cols := le16(b, 3)
		if b[2] == 32 || b[2] == 33 {
			cols *= 3
		}
		return variable(b, OpOther, 2, 5, cols)
	case '&':
		return userChars(b)
	case 'D':
		// ESC D n1 … NUL: horizontal tabs, at most 32.
		end, stop, err := nulEnded(b, 2, 33)
		if err != nil {
			return Token{}, 0, err
		}
		return Token{Op: OpOther, Raw: b[:end], Arg: b[2:stop]}, end, nil
	}
	return Token{Op: OpUnknown, Raw: b[:2]}, 2, nil
}

// userChars reads ESC & y c1 c2 [x d1…d(y·x)]…: user-defined characters.
func userChars(b []byte) (Token, int, error) {
	if len(b) < 5 {
		return Token{}, 0, ErrIncomplete
	}
	y, c1, c2 := int(b[2]), int(b[3]), int(b[4])
	if c2 < c1 {
		return fixed(b, OpOther, 5)
	}
	i := 5
	for range c2 - c1 + 1 {
		if i >= len(b) {
			return Token{}, 0, ErrIncomplete
		}
		i += 1 + y*int(b[i])
	}
	if i > len(b) {
		return Token{}, 0, ErrIncomplete
	}
	return Token{Op: OpOther, Raw: b[:i], Arg: b[2:5], Data: b[5:i]}, i, nil
}

// gs reads one GS command at the start of b.
func gs(b []byte) (Token, int, error) {
	if len(b) < 2 {
		return Token{}, 0, ErrIncomplete
	}
	if c, ok := gsFixed[b[1]]; ok {
		return fixed(b, c.op, c.n)
	}
	switch b[1] {
	case 'V':
		if len(b) < 3 {
			return Token{}, 0, ErrIncomplete
		}
		switch b[2] {
		case 0, 1, '0', '1':
			return fixed(b, OpCut, 3)
		}
		return fixed(b, OpCut, 4)
	case 'v', 'Q':
		// GS v 0 m xL xH yL yH d1…dk (raster) and GS Q 0 … (variable
		// vertical size bit image), k = x·y.
		if len(b) < 8 {
			return Token{}, 0, ErrIncomplete
		}
		op := OpOther
		if b[1] == 'v' {
			if b[2] != '0' {
				return fixed(b, OpUnknown, 3)
			}
			op = OpRaster
		}
		return variable(b, op, 3, 8, le16(b, 4)*le16(b, 6))
	case '(', 'D':
		// GS ( x pL pH …, GS D 0 …: pL pH at 3.
		if len(b) < 5 {
			return Token{}, 0, ErrIncomplete
		}
		op := OpOther
		if b[1] == '(' && b[2] == 'k' {
			op = OpQR
		}
		return variable(b, op, 5, 5, le16(b, 3))
	case '8':
		// GS 8 L p1 p2 p3 p4 …: graphics with a 32-bit length.
		if len(b) < 7 {
			return Token{}, 0, ErrIncomplete
		}
		return variable(b, OpOther, 7, 7, le16(b, 3)|le16(b, 5)<<16)
	case '*':
		// GS * x y d1…d(x·y·8): define downloaded bit image.
		if len(b) < 4 {
			return Token{}, 0, ErrIncomplete
		}
		return variable(b, OpOther, 2, 4, int64(b[2])*int64(b[3])*8)
	case 'k':
		return barcode(b)
	}
	return Token{Op: OpUnknown, Raw: b[:2]}, 2, nil
}

// barcode reads GS k m …: NUL-terminated data of at most 255 bytes for
// m ≤ 6, a length byte n before the data otherwise.
func barcode(b []byte) (Token, int, error) {
	if len(b) < 3 {
		return Token{}, 0, ErrIncomplete
	}
	if b[2] <= 6 {
		end, stop, err := nulEnded(b, 3, 256)
		if err != nil {
			return Token{}, 0, err
		}
		return Token{Op: OpOther, Raw: b[:end], Arg: b[2:3], Data: b[3:stop]}, end, nil
	}
	if len(b) < 4 {
		return Token{}, 0, ErrIncomplete
	}
	return variable(b, OpOther, 2, 4, int64(b[3]))
}

func fs(b []byte) (Token, int, error) {
	if len(b) < 2 {
		return Token{}, 0, ErrIncomplete
	}
	switch b[1] {
	case '&':
		return fixed(b, OpChineseOn, 2)
	case '.':
		return fixed(b, OpChineseOff, 2)
	case '!', '-', 'C', 'W', 'p', 'P':
		if b[1] == 'p' {
			return fixed(b, OpOther, 4)
		}
		return fixed(b, OpOther, 3)
	case 'S':
		return fixed(b, OpOther, 4)
	case '2':
		// FS 2 c1 c2 d1…d72: a user-defined 24×24 Chinese character.
		return fixed(b, OpOther, 76)
	case 'q':
		// FS q n [xL xH yL yH d1…dk]1…n: NV bit images, k = x·y·8.
		if len(b) < 3 {
			return Token{}, 0, ErrIncomplete
		}
		i := 3
		for range int(b[2]) {
			if len(b) < i+4 {
				return Token{}, 0, ErrIncomplete
			}
			k := 4 + le16(b, i)*le16(b, i+2)*8
			if int64(i)+k > MaxCommand {
				return Token{}, int(min(int64(i)+k, 1<<40)), ErrTooLong
			}
			i += int(k)
		}
		if i > len(b) {
			return Token{}, 0, ErrIncomplete
		}
		return Token{Op: OpOther, Raw: b[:i], Arg: b[2:3], Data: b[3:i]}, i, nil
	}
	return Token{Op: OpUnknown, Raw: b[:2]}, 2, nil
}

func dle(b []byte) (Token, int, error) {
	if len(b) < 2 {
		return Token{}, 0, ErrIncomplete
	}
	switch b[1] {
	case 0x04:
		return fixed(b, OpStatus, 3)
	case 0x05:
		return fixed(b, OpOther, 3)
	case 0x14:
		return fixed(b, OpOther, 5)
	}
	return Token{Op: OpControl, Raw: b[:1]}, 1, nil
}

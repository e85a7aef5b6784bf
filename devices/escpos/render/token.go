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

// esc reads one ESC command at the start of b.
//
// Length: one case per ESC command the renderer knows, in the order of
// docs/escpos.md's table; split up, the table would no longer read as one.
func esc(b []byte) (Token, int, error) {
	if len(b) < 2 {
		return Token{}, 0, ErrIncomplete
	}
	switch b[1] {
	case '@':
		return fixed(b, OpInit, 2)
	case '!':
		return fixed(b, OpPrintMode, 3)
	case 'a':
		return fixed(b, OpAlign, 3)
	case 'E', 'G':
		return fixed(b, OpBold, 3)
	case '3':
		return fixed(b, OpLineSpacing, 3)
	case '2':
		return fixed(b, OpDefaultSpacing, 2)
	case 'd':
		return fixed(b, OpFeedLines, 3)
	case 'J':
		return fixed(b, OpFeedDots, 3)
	case '<', 'L', 'S', 'i', 'm', 0x0C:
		return fixed(b, OpOther, 2)
	case ' ', '%', '-', '=', '?', 'K', 'M', 'R', 'T', 'U', 'V', 'e', 'r', 't', 'u', 'v', '{', 'c', 'F', 'I':
		if b[1] == 'c' {
			// ESC c 3 n, ESC c 4 n, ESC c 5 n
			return fixed(b, OpOther, 4)
		}
		return fixed(b, OpOther, 3)
	case '$', '\\', 'B':
		return fixed(b, OpOther, 4)
	case 'p':
		return fixed(b, OpOther, 5)
	case 'W':
		return fixed(b, OpOther, 10)
	case '(':
		// ESC ( A pL pH …, ESC ( Y pL pH …
		if len(b) < 5 {
			return Token{}, 0, ErrIncomplete
		}
		return variable(b, OpOther, 3, 5, int64(b[3])|int64(b[4])<<8)
	case '*':
		// ESC * m nL nH d1…dk: k = columns × (1 or 3 bytes).
		if len(b) < 5 {
			return Token{}, 0, ErrIncomplete
		}
		cols := int64(b[3]) | int64(b[4])<<8
		if b[2] == 32 || b[2] == 33 {
			cols *= 3
		}
		return variable(b, OpOther, 2, 5, cols)
	case '&':
		// ESC & y c1 c2 [x d1…d(y·x)]…: user-defined characters.
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
	case 'D':
		// ESC D n1 … NUL: horizontal tabs, at most 32.
		for i := 2; i < len(b) && i < 2+33; i++ {
			if b[i] == 0 {
				return Token{Op: OpOther, Raw: b[:i+1], Arg: b[2:i]}, i + 1, nil
			}
		}
		if len(b) >= 2+33 {
			return Token{Op: OpOther, Raw: b[:2+33], Arg: b[2 : 2+33]}, 2 + 33, nil
		}
		return Token{}, 0, ErrIncomplete
	}
	return Token{Op: OpUnknown, Raw: b[:2]}, 2, nil
}

// gs reads one GS command at the start of b.
//
// Length: one case per GS command the renderer knows, as esc.
func gs(b []byte) (Token, int, error) {
	if len(b) < 2 {
		return Token{}, 0, ErrIncomplete
	}
	switch b[1] {
	case '!':
		return fixed(b, OpSize, 3)
	case 'V':
		if len(b) < 3 {
			return Token{}, 0, ErrIncomplete
		}
		switch b[2] {
		case 0, 1, '0', '1':
			return fixed(b, OpCut, 3)
		}
		return fixed(b, OpCut, 4)
	case 'v':
		// GS v 0 m xL xH yL yH d1…dk, k = x·y.
		if len(b) < 8 {
			return Token{}, 0, ErrIncomplete
		}
		if b[2] != '0' {
			return fixed(b, OpUnknown, 3)
		}
		x := int64(b[4]) | int64(b[5])<<8
		y := int64(b[6]) | int64(b[7])<<8
		return variable(b, OpRaster, 3, 8, x*y)
	case '(':
		// GS ( x pL pH …: every function of this family.
		if len(b) < 5 {
			return Token{}, 0, ErrIncomplete
		}
		op := OpOther
		if b[2] == 'k' {
			op = OpQR
		}
		return variable(b, op, 5, 5, int64(b[3])|int64(b[4])<<8)
	case '8':
		// GS 8 L p1 p2 p3 p4 …: graphics with a 32-bit length.
		if len(b) < 7 {
			return Token{}, 0, ErrIncomplete
		}
		p := int64(b[3]) | int64(b[4])<<8 | int64(b[5])<<16 | int64(b[6])<<24
		return variable(b, OpOther, 7, 7, p)
	case '*':
		// GS * x y d1…d(x·y·8): define downloaded bit image.
		if len(b) < 4 {
			return Token{}, 0, ErrIncomplete
		}
		return variable(b, OpOther, 2, 4, int64(b[2])*int64(b[3])*8)
	case 'k':
		if len(b) < 3 {
			return Token{}, 0, ErrIncomplete
		}
		m := b[2]
		if m <= 6 {
			// NUL-terminated data, at most 255 bytes.
			for i := 3; i < len(b) && i < 3+256; i++ {
				if b[i] == 0 {
					return Token{Op: OpOther, Raw: b[:i+1], Arg: b[2:3], Data: b[3:i]}, i + 1, nil
				}
			}
			if len(b) >= 3+256 {
				return Token{Op: OpOther, Raw: b[:3+256], Arg: b[2:3], Data: b[3 : 3+256]}, 3 + 256, nil
			}
			return Token{}, 0, ErrIncomplete
		}
		if len(b) < 4 {
			return Token{}, 0, ErrIncomplete
		}
		return variable(b, OpOther, 2, 4, int64(b[3]))
	case 'Q':
		// GS Q 0 m xL xH yL yH d…: variable vertical size bit image.
		if len(b) < 8 {
			return Token{}, 0, ErrIncomplete
		}
		x := int64(b[4]) | int64(b[5])<<8
		y := int64(b[6]) | int64(b[7])<<8
		return variable(b, OpOther, 3, 8, x*y)
	case 'D':
		// GS D 0 … family: pL pH at 3.
		if len(b) < 5 {
			return Token{}, 0, ErrIncomplete
		}
		return variable(b, OpOther, 5, 5, int64(b[3])|int64(b[4])<<8)
	case ':', 0x0C:
		return fixed(b, OpOther, 2)
	case '/', 'B', 'H', 'I', 'a', 'b', 'c', 'f', 'h', 'r', 'w', 'E', 'T', 'j', 'g':
		return fixed(b, OpOther, 3)
	case '$', 'L', 'P', 'W', '\\':
		return fixed(b, OpOther, 4)
	case '^':
		return fixed(b, OpOther, 5)
	}
	return Token{Op: OpUnknown, Raw: b[:2]}, 2, nil
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
			x := int64(b[i]) | int64(b[i+1])<<8
			y := int64(b[i+2]) | int64(b[i+3])<<8
			k := 4 + x*y*8
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

package speaker

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// Clip is a decoded sound: mono signed 16-bit samples.
type Clip struct {
	Rate    int // samples a second
	Samples []int16
}

// Duration is how long the clip plays.
func (c Clip) Duration() time.Duration {
	if c.Rate <= 0 {
		return 0
	}
	return time.Duration(len(c.Samples)) * time.Second / time.Duration(c.Rate)
}

// RMS is the clip's root-mean-square level in dB below full scale
// (0 dBFS is a full-scale square wave); -Inf for silence.
func (c Clip) RMS() float64 {
	if len(c.Samples) == 0 {
		return math.Inf(-1)
	}
	var sum float64
	for _, s := range c.Samples {
		sum += float64(s) * float64(s)
	}
	return 20 * math.Log10(math.Sqrt(sum/float64(len(c.Samples)))/32768)
}

// Encoding is how a WAV file stores its samples: the fmt chunk's format
// tag.
type Encoding uint16

// The encodings the player reads.
const (
	// PCM16 is linear PCM, 16 bits a sample (WAVE_FORMAT_PCM).
	PCM16 Encoding = 0x0001
	// IMAADPCM is IMA ADPCM, 4 bits a sample (WAVE_FORMAT_IMA_ADPCM):
	// a quarter of the size of PCM16, and what the shipped clips use.
	IMAADPCM Encoding = 0x0011
)

// Limits of the files the player accepts: mono, a speech rate, and at
// most two minutes, so a hostile file cannot make it allocate much.
const (
	MinRate    = 8000
	MaxRate    = 48000
	MaxSamples = 2 * 60 * MaxRate
)

// WAV errors. Decode returns them wrapped in a *WAVError.
var (
	// ErrNotWAV: the bytes do not start as a RIFF WAVE file.
	ErrNotWAV = errors.New("speaker: not a RIFF WAVE file")
	// ErrTruncated: a chunk or a sample runs past the end of the file,
	// or the file ends before its data chunk.
	ErrTruncated = errors.New("speaker: WAV file truncated")
	// ErrUnsupported: a valid WAV file the player does not play (stereo,
	// another encoding, an odd rate, too long).
	ErrUnsupported = errors.New("speaker: WAV format not supported")
	// ErrMalformed: the fmt chunk contradicts itself or the data.
	ErrMalformed = errors.New("speaker: malformed WAV file")
)

// WAVError is a file Decode refused.
type WAVError struct {
	Err    error // ErrNotWAV, ErrTruncated, ErrUnsupported or ErrMalformed
	Offset int   // the byte offset of the chunk at fault
	Detail string
}

func (e *WAVError) Error() string {
	return fmt.Sprintf("%v at byte %d: %s", e.Err, e.Offset, e.Detail)
}

// Unwrap returns one of the WAV errors above.
func (e *WAVError) Unwrap() error { return e.Err }

func wavErr(err error, offset int, format string, a ...any) error {
	return &WAVError{Err: err, Offset: offset, Detail: fmt.Sprintf(format, a...)}
}

func le16(b []byte) uint16 { return binary.LittleEndian.Uint16(b) }
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

// wavFormat is what the fmt chunk says.
type wavFormat struct {
	enc        Encoding
	rate       int
	blockAlign int
}

// Decode reads a mono WAV file in PCM16 or IMAADPCM (docs/audio.md, "The
// WAV files"). Chunks other than fmt, fact and data are skipped; the data
// chunk must come after fmt.
func Decode(b []byte) (Clip, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return Clip{}, wavErr(ErrNotWAV, 0, "no RIFF WAVE header")
	}
	size := uint64(le32(b[4:8]))
	if size < 4 || size > uint64(len(b)-8) {
		return Clip{}, wavErr(ErrTruncated, 4, "RIFF size %d for %d bytes", size, len(b)-8)
	}
	b = b[:8+size]
	var f *wavFormat
	facts := -1
	for off := 12; off < len(b); {
		if len(b)-off < 8 {
			return Clip{}, wavErr(ErrTruncated, off, "a chunk header of %d bytes", len(b)-off)
		}
		id, size := string(b[off:off+4]), uint64(le32(b[off+4:off+8]))
		if size > uint64(len(b)-off-8) {
			return Clip{}, wavErr(ErrTruncated, off, "chunk %q of %d bytes, %d left", id, size, len(b)-off-8)
		}
		body := b[off+8 : off+8+int(size)]
		switch id {
		case "fmt ":
			ff, err := parseFormat(body, off)
			if err != nil {
				return Clip{}, err
			}
			f = &ff
		case "fact":
			if len(body) >= 4 {
				facts = int(min(le32(body), MaxSamples+1))
			}
		case "data":
			if f == nil {
				return Clip{}, wavErr(ErrMalformed, off, "data chunk before the fmt chunk")
			}
			return decodeData(*f, body, facts, off)
		}
		off += 8 + int(size) + int(size&1)
	}
	return Clip{}, wavErr(ErrTruncated, len(b), "no data chunk")
}

// parseFormat reads a fmt chunk at offset off.
func parseFormat(c []byte, off int) (wavFormat, error) {
	if len(c) < 16 {
		return wavFormat{}, wavErr(ErrMalformed, off, "fmt chunk of %d bytes, want 16 or more", len(c))
	}
	f := wavFormat{enc: Encoding(le16(c[0:2])), rate: int(le32(c[4:8])), blockAlign: int(le16(c[12:14]))}
	channels, bits := le16(c[2:4]), le16(c[14:16])
	switch {
	case f.enc != PCM16 && f.enc != IMAADPCM:
		return f, wavErr(ErrUnsupported, off, "format tag 0x%04X: only PCM (1) and IMA ADPCM (0x11)", uint16(f.enc))
	case channels != 1:
		return f, wavErr(ErrUnsupported, off, "%d channels: mono only", channels)
	case f.rate < MinRate || f.rate > MaxRate:
		return f, wavErr(ErrUnsupported, off, "%d samples a second: %d to %d only", f.rate, MinRate, MaxRate)
	}
	if f.enc == PCM16 {
		if bits != 16 || f.blockAlign != 2 {
			return f, wavErr(ErrUnsupported, off, "PCM of %d bits in blocks of %d bytes: 16-bit only", bits, f.blockAlign)
		}
		return f, nil
	}
	if bits != 4 {
		return f, wavErr(ErrMalformed, off, "IMA ADPCM of %d bits a sample, want 4", bits)
	}
	if f.blockAlign <= imaHeader || f.blockAlign > 1<<14 {
		return f, wavErr(ErrMalformed, off, "IMA ADPCM block of %d bytes", f.blockAlign)
	}
	if len(c) >= 20 && le16(c[16:18]) >= 2 {
		if per := int(le16(c[18:20])); per != imaSamplesPerBlock(f.blockAlign) {
			return f, wavErr(ErrMalformed, off, "%d samples a block of %d bytes, want %d", per, f.blockAlign, imaSamplesPerBlock(f.blockAlign))
		}
	}
	return f, nil
}

// decodeData decodes the data chunk at offset off. facts is the fact
// chunk's sample count, -1 if there was none.
func decodeData(f wavFormat, data []byte, facts, off int) (Clip, error) {
	var n int
	switch f.enc {
	case PCM16:
		if len(data)%2 != 0 {
			return Clip{}, wavErr(ErrTruncated, off, "PCM data of %d bytes ends inside a sample", len(data))
		}
		n = len(data) / 2
	default:
		full, rest := len(data)/f.blockAlign, len(data)%f.blockAlign
		n = full * imaSamplesPerBlock(f.blockAlign)
		if rest > 0 && rest < imaHeader {
			return Clip{}, wavErr(ErrTruncated, off, "last IMA ADPCM block of %d bytes holds no code", rest)
		}
		if rest > 0 {
			n += imaSamplesPerBlock(rest)
		}
	}
	if facts >= 0 {
		if facts > n {
			return Clip{}, wavErr(ErrMalformed, off, "fact chunk says %d samples, the data holds %d", facts, n)
		}
		n = facts
	}
	if n > MaxSamples {
		return Clip{}, wavErr(ErrUnsupported, off, "%d samples, more than %d", n, MaxSamples)
	}
	c := Clip{Rate: f.rate}
	if f.enc == PCM16 {
		c.Samples = make([]int16, n)
		for i := range c.Samples {
			c.Samples[i] = int16(le16(data[2*i:]))
		}
		return c, nil
	}
	s, err := decodeIMA(data, f.blockAlign, n)
	if err != nil {
		err.(*WAVError).Offset = off
		return Clip{}, err
	}
	c.Samples = s
	return c, nil
}

// Encode writes the clip as a mono WAV file: PCM16, or IMAADPCM in blocks
// of 512 bytes with a fact chunk giving the exact number of samples.
// scripts/voicegen writes the shipped clips with it.
func Encode(c Clip, enc Encoding) ([]byte, error) {
	if c.Rate < MinRate || c.Rate > MaxRate || len(c.Samples) == 0 || len(c.Samples) > MaxSamples {
		return nil, wavErr(ErrUnsupported, 0, "%d samples at %d a second", len(c.Samples), c.Rate)
	}
	var fmtChunk, data []byte
	var fact []byte
	switch enc {
	case PCM16:
		fmtChunk = binary.LittleEndian.AppendUint16(nil, uint16(PCM16))
		fmtChunk = binary.LittleEndian.AppendUint16(fmtChunk, 1)
		fmtChunk = binary.LittleEndian.AppendUint32(fmtChunk, uint32(c.Rate))
		fmtChunk = binary.LittleEndian.AppendUint32(fmtChunk, uint32(c.Rate*2))
		fmtChunk = binary.LittleEndian.AppendUint16(fmtChunk, 2)
		fmtChunk = binary.LittleEndian.AppendUint16(fmtChunk, 16)
		for _, s := range c.Samples {
			data = binary.LittleEndian.AppendUint16(data, uint16(s))
		}
	case IMAADPCM:
		per := imaSamplesPerBlock(imaBlockAlign)
		fmtChunk = binary.LittleEndian.AppendUint16(nil, uint16(IMAADPCM))
		fmtChunk = binary.LittleEndian.AppendUint16(fmtChunk, 1)
		fmtChunk = binary.LittleEndian.AppendUint32(fmtChunk, uint32(c.Rate))
		fmtChunk = binary.LittleEndian.AppendUint32(fmtChunk, uint32(c.Rate*imaBlockAlign/per))
		fmtChunk = binary.LittleEndian.AppendUint16(fmtChunk, imaBlockAlign)
		fmtChunk = binary.LittleEndian.AppendUint16(fmtChunk, 4)
		fmtChunk = binary.LittleEndian.AppendUint16(fmtChunk, 2) // cbSize
		fmtChunk = binary.LittleEndian.AppendUint16(fmtChunk, uint16(per))
		fact = binary.LittleEndian.AppendUint32(nil, uint32(len(c.Samples)))
		data = encodeIMA(c.Samples, imaBlockAlign)
	default:
		return nil, wavErr(ErrUnsupported, 0, "format tag 0x%04X", uint16(enc))
	}
	out := append([]byte("RIFF"), 0, 0, 0, 0)
	out = append(out, "WAVE"...)
	out = appendChunk(out, "fmt ", fmtChunk)
	if fact != nil {
		out = appendChunk(out, "fact", fact)
	}
	out = appendChunk(out, "data", data)
	binary.LittleEndian.PutUint32(out[4:8], uint32(len(out)-8))
	return out, nil
}

// appendChunk appends a RIFF chunk, padded to an even length.
func appendChunk(out []byte, id string, body []byte) []byte {
	out = append(out, id...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(body)))
	out = append(out, body...)
	if len(body)%2 != 0 {
		out = append(out, 0)
	}
	return out
}

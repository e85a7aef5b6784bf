package speaker_test

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/shcommunity/kiosk/devices/speaker"
)

// tone is a clip of a few overlaid sine waves with an envelope, about
// as hard for ADPCM as speech.
func tone(n int) speaker.Clip {
	c := speaker.Clip{Rate: speaker.Rate, Samples: make([]int16, n)}
	for i := range c.Samples {
		t := float64(i) / speaker.Rate
		env := math.Sin(math.Pi * float64(i) / float64(n))
		v := 0.5*math.Sin(2*math.Pi*220*t) + 0.3*math.Sin(2*math.Pi*1250*t) + 0.15*math.Sin(2*math.Pi*3100*t)
		c.Samples[i] = int16(20000 * env * v)
	}
	return c
}

func TestPCMRoundTrip(t *testing.T) {
	c := tone(5000)
	b, err := speaker.Encode(c, speaker.PCM16)
	if err != nil {
		t.Fatal(err)
	}
	if want := 44 + 2*len(c.Samples); len(b) != want {
		t.Errorf("PCM file of %d bytes, want %d", len(b), want)
	}
	got, err := speaker.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Rate != c.Rate || !slices.Equal(got.Samples, c.Samples) {
		t.Errorf("round trip changed the clip: rate %d, %d samples", got.Rate, len(got.Samples))
	}
}

// TestIMARoundTrip: an ADPCM clip keeps every sample (the fact chunk trims
// the last block), is a quarter of the size, and is close to the original.
func TestIMARoundTrip(t *testing.T) {
	for _, n := range []int{1, 2, 1017, 1018, 22050} {
		c := tone(n)
		b, err := speaker.Encode(c, speaker.IMAADPCM)
		if err != nil {
			t.Fatal(err)
		}
		got, err := speaker.Decode(b)
		if err != nil {
			t.Fatalf("%d samples: %v", n, err)
		}
		if len(got.Samples) != n || got.Rate != c.Rate {
			t.Fatalf("%d samples: decoded %d at %d", n, len(got.Samples), got.Rate)
		}
		if n < 1000 {
			continue
		}
		if pcm := 2 * n; len(b) > pcm/4+600 {
			t.Errorf("%d samples: %d bytes, more than a quarter of PCM's %d", n, len(b), pcm)
		}
		var sig, noise float64
		for i, s := range c.Samples {
			d := float64(got.Samples[i]) - float64(s)
			sig += float64(s) * float64(s)
			noise += d * d
		}
		if snr := 10 * math.Log10(sig/noise); snr < 20 {
			t.Errorf("%d samples: signal to noise %.1f dB, want 20 or more", n, snr)
		}
	}
}

// TestIMAKnownCodes pins the decoder to the IMA algorithm with codes
// worked by hand. From predictor 0 and step index 0 (step 7):
// code 7 adds 7>>3 + 7>>2 + 7>>1 + 7 = 0+1+3+7 = 11, index 0+8 = 8 (step 16);
// code 0xF subtracts 16>>3 + 16>>2 + 16>>1 + 16 = 2+4+8+16 = 30: -19, index 16 (step 34);
// code 0 adds 34>>3 = 4: -15, index 15 (step 31);
// code 4 adds 31>>3 + 31 = 3+31 = 34: 19, index 17.
func TestIMAKnownCodes(t *testing.T) {
	b := wavFile(fmtIMA(22050, 8), factChunk(5), chunk("data", []byte{0, 0, 0, 0, 0xF7, 0x40, 0, 0}))
	c, err := speaker.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int16{0, 11, -19, -15, 19}; !slices.Equal(c.Samples, want) {
		t.Errorf("decoded %v, want %v", c.Samples, want)
	}
}

func TestDecodeRefuses(t *testing.T) {
	good, _ := speaker.Encode(tone(100), speaker.PCM16)
	fmtPCM := func(tag, ch uint16, rate uint32, align, bits uint16) []byte {
		b := binary.LittleEndian.AppendUint16(nil, tag)
		b = binary.LittleEndian.AppendUint16(b, ch)
		b = binary.LittleEndian.AppendUint32(b, rate)
		b = binary.LittleEndian.AppendUint32(b, rate*uint32(align))
		b = binary.LittleEndian.AppendUint16(b, align)
		return chunk("fmt ", binary.LittleEndian.AppendUint16(b, bits))
	}
	data := chunk("data", make([]byte, 8))
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, speaker.ErrNotWAV},
		{"not RIFF", []byte("RIFX\x04\x00\x00\x00WAVE"), speaker.ErrNotWAV},
		{"AVI", []byte("RIFF\x04\x00\x00\x00AVI "), speaker.ErrNotWAV},
		{"cut short", good[:len(good)-10], speaker.ErrTruncated},
		{"no data chunk", wavFile(fmtPCM(1, 1, 22050, 2, 16)), speaker.ErrTruncated},
		{"chunk past the end", wavFile(fmtPCM(1, 1, 22050, 2, 16), []byte("data\xff\x00\x00\x00")), speaker.ErrTruncated},
		{"odd PCM data", wavFile(fmtPCM(1, 1, 22050, 2, 16), chunk("data", make([]byte, 7))), speaker.ErrTruncated},
		{"data before fmt", wavFile(data, fmtPCM(1, 1, 22050, 2, 16)), speaker.ErrMalformed},
		{"short fmt", wavFile(chunk("fmt ", make([]byte, 10)), data), speaker.ErrMalformed},
		{"stereo", wavFile(fmtPCM(1, 2, 22050, 4, 16), data), speaker.ErrUnsupported},
		{"8-bit", wavFile(fmtPCM(1, 1, 22050, 1, 8), data), speaker.ErrUnsupported},
		{"float", wavFile(fmtPCM(3, 1, 22050, 4, 32), data), speaker.ErrUnsupported},
		{"extensible", wavFile(fmtPCM(0xFFFE, 1, 22050, 2, 16), data), speaker.ErrUnsupported},
		{"rate 4000", wavFile(fmtPCM(1, 1, 4000, 2, 16), data), speaker.ErrUnsupported},
		{"rate 96000", wavFile(fmtPCM(1, 1, 96000, 2, 16), data), speaker.ErrUnsupported},
		{"IMA of 3 bits", wavFile(fmtPCM(0x11, 1, 22050, 256, 3), data), speaker.ErrMalformed},
		{"IMA block of 4 bytes", wavFile(fmtIMA(22050, 4), data), speaker.ErrMalformed},
		{"IMA samples a block wrong", wavFile(setSamplesPerBlock(fmtIMA(22050, 256), 500), data), speaker.ErrMalformed},
		{"IMA step index 89", wavFile(fmtIMA(22050, 8), chunk("data", []byte{0, 0, 89, 0, 0, 0, 0, 0})), speaker.ErrMalformed},
		{"IMA last block without a code", wavFile(fmtIMA(22050, 8), chunk("data", make([]byte, 10))), speaker.ErrTruncated},
		{"fact beyond the data", wavFile(fmtIMA(22050, 8), factChunk(100), chunk("data", make([]byte, 8))), speaker.ErrMalformed},
		{"fact far beyond the data", wavFile(fmtPCM(1, 1, 8000, 2, 16), factChunk(speaker.MaxSamples+1), chunk("data", make([]byte, 8))), speaker.ErrMalformed},
		{"over two minutes", wavFile(fmtPCM(1, 1, 8000, 2, 16), chunk("data", make([]byte, 2*speaker.MaxSamples+2))), speaker.ErrUnsupported},
	} {
		_, err := speaker.Decode(tc.b)
		var we *speaker.WAVError
		if !errors.Is(err, tc.want) || !errors.As(err, &we) {
			t.Errorf("%s: %v, want a *WAVError matching %v", tc.name, err, tc.want)
		}
	}
}

func TestEncodeRefuses(t *testing.T) {
	for _, c := range []speaker.Clip{{Rate: 22050}, {Rate: 1000, Samples: []int16{1}}} {
		if _, err := speaker.Encode(c, speaker.PCM16); !errors.Is(err, speaker.ErrUnsupported) {
			t.Errorf("Encode(%d samples at %d) = %v", len(c.Samples), c.Rate, err)
		}
	}
	if _, err := speaker.Encode(tone(10), speaker.Encoding(3)); !errors.Is(err, speaker.ErrUnsupported) {
		t.Errorf("Encode as float = %v", err)
	}
}

// FuzzDecode: no input makes Decode panic or return more than it allows,
// and whatever it accepts survives a PCM round trip.
func FuzzDecode(f *testing.F) {
	pcm, _ := speaker.Encode(tone(300), speaker.PCM16)
	ima, _ := speaker.Encode(tone(3000), speaker.IMAADPCM)
	f.Add(pcm)
	f.Add(ima)
	f.Add(wavFile(fmtIMA(22050, 8), factChunk(5), chunk("data", []byte{0, 0, 0, 0, 0xF7, 0x40, 0, 0})))
	f.Add(ima[:100])
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := speaker.Decode(b)
		if err != nil {
			var we *speaker.WAVError
			if !errors.As(err, &we) {
				t.Fatalf("error %v is not a *WAVError", err)
			}
			return
		}
		if c.Rate < speaker.MinRate || c.Rate > speaker.MaxRate || len(c.Samples) > speaker.MaxSamples {
			t.Fatalf("accepted %d samples at %d", len(c.Samples), c.Rate)
		}
		if len(c.Samples) == 0 {
			return
		}
		again, err := speaker.Encode(c, speaker.PCM16)
		if err != nil {
			t.Fatal(err)
		}
		back, err := speaker.Decode(again)
		if err != nil || !slices.Equal(back.Samples, c.Samples) {
			t.Fatalf("PCM round trip of an accepted clip: %v", err)
		}
	})
}

// The pieces of a WAV file, for the tests to build broken ones.

func chunk(id string, body []byte) []byte {
	b := append([]byte(id), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(body)))
	b = append(b, body...)
	if len(body)%2 != 0 {
		b = append(b, 0)
	}
	return b
}

func wavFile(chunks ...[]byte) []byte {
	b := []byte("RIFF\x00\x00\x00\x00WAVE")
	for _, c := range chunks {
		b = append(b, c...)
	}
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	return b
}

// fmtIMA is a mono IMA ADPCM fmt chunk with blocks of align bytes.
func fmtIMA(rate uint32, align uint16) []byte {
	b := binary.LittleEndian.AppendUint16(nil, 0x11)
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint32(b, rate)
	b = binary.LittleEndian.AppendUint32(b, rate/2)
	b = binary.LittleEndian.AppendUint16(b, align)
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint16(b, uint16((int(align)-4)*2+1))
	return chunk("fmt ", b)
}

func setSamplesPerBlock(fmtChunk []byte, n uint16) []byte {
	binary.LittleEndian.PutUint16(fmtChunk[8+18:], n)
	return fmtChunk
}

func factChunk(n uint32) []byte { return chunk("fact", binary.LittleEndian.AppendUint32(nil, n)) }

package speaker

// IMA ADPCM, as a WAV file carries it (format tag 0x0011): blocks of
// blockAlign bytes, each a 4-byte header (the first sample as a signed
// 16-bit predictor, the step index, a reserved zero) and then 4-bit codes,
// the low nibble of each byte first. docs/audio.md, "IMA ADPCM", names
// the sources.

// imaSteps is the IMA step-size table: 89 steps, each about 1.1 times the
// one before.
var imaSteps = [89]int32{
	7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 19, 21, 23, 25, 28, 31, 34, 37, 41, 45,
	50, 55, 60, 66, 73, 80, 88, 97, 107, 118, 130, 143, 157, 173, 190, 209, 230,
	253, 279, 307, 337, 371, 408, 449, 494, 544, 598, 658, 724, 796, 876, 963,
	1060, 1166, 1282, 1411, 1552, 1707, 1878, 2066, 2272, 2499, 2749, 3024, 3327,
	3660, 4026, 4428, 4871, 5358, 5894, 6484, 7132, 7845, 8630, 9493, 10442,
	11487, 12635, 13899, 15289, 16818, 18500, 20350, 22385, 24623, 27086, 29794,
	32767,
}

// imaIndex is how a code moves the step index.
var imaIndex = [16]int8{-1, -1, -1, -1, 2, 4, 6, 8, -1, -1, -1, -1, 2, 4, 6, 8}

// imaHeader is the size of a mono block's header.
const imaHeader = 4

// imaBlockAlign is the block size the encoder writes: 512 bytes, the
// usual choice for mono at 22,050 Hz, 1,017 samples a block.
const imaBlockAlign = 512

// imaSamplesPerBlock is the number of samples a full mono block holds:
// the header's sample and two per byte after it.
func imaSamplesPerBlock(blockAlign int) int { return (blockAlign-imaHeader)*2 + 1 }

// imaState is the decoder's (and the encoder's) running state.
type imaState struct {
	pred  int32
	index int32
}

// step applies one 4-bit code and returns the new sample.
func (s *imaState) step(code byte) int16 {
	step := imaSteps[s.index]
	diff := step >> 3
	if code&1 != 0 {
		diff += step >> 2
	}
	if code&2 != 0 {
		diff += step >> 1
	}
	if code&4 != 0 {
		diff += step
	}
	if code&8 != 0 {
		s.pred -= diff
	} else {
		s.pred += diff
	}
	s.pred = max(-32768, min(32767, s.pred))
	s.index = max(0, min(88, s.index+int32(imaIndex[code&15])))
	return int16(s.pred)
}

// encode picks the code that brings the predictor nearest to x and
// applies it.
func (s *imaState) encode(x int16) byte {
	diff := int32(x) - s.pred
	var code byte
	if diff < 0 {
		code = 8
		diff = -diff
	}
	step := imaSteps[s.index]
	for bit := byte(4); bit != 0; bit >>= 1 {
		if diff >= step {
			code |= bit
			diff -= step
		}
		step >>= 1
	}
	s.step(code)
	return code
}

// decodeIMA decodes the data chunk of a mono IMA ADPCM file into at most
// limit samples. A last block may be short; a block header whose step
// index is out of range is malformed.
func decodeIMA(data []byte, blockAlign, limit int) ([]int16, error) {
	per := imaSamplesPerBlock(blockAlign)
	blocks := (len(data) + blockAlign - 1) / blockAlign
	out := make([]int16, 0, min(limit, blocks*per))
	for off := 0; off < len(data) && len(out) < limit; off += blockAlign {
		b := data[off:min(off+blockAlign, len(data))]
		if len(b) < imaHeader {
			return nil, wavErr(ErrTruncated, 0, "IMA ADPCM block of %d bytes, shorter than its header", len(b))
		}
		s := imaState{pred: int32(int16(le16(b))), index: int32(b[2])}
		if s.index > 88 {
			return nil, wavErr(ErrMalformed, 0, "IMA ADPCM step index %d is above 88", s.index)
		}
		out = append(out, int16(s.pred))
		for _, v := range b[imaHeader:] {
			if len(out) >= limit {
				break
			}
			out = append(out, s.step(v&15))
			if len(out) >= limit {
				break
			}
			out = append(out, s.step(v>>4))
		}
	}
	return out, nil
}

// encodeIMA encodes mono samples into IMA ADPCM blocks of blockAlign
// bytes; the last block is as long as it needs to be. The step index runs
// on from block to block; each header restarts the predictor at the
// block's first sample exactly.
func encodeIMA(samples []int16, blockAlign int) []byte {
	per := imaSamplesPerBlock(blockAlign)
	out := make([]byte, 0, (len(samples)+per-1)/per*blockAlign)
	var s imaState
	for start := 0; start < len(samples); start += per {
		blk := samples[start:min(start+per, len(samples))]
		s.pred = int32(blk[0])
		out = append(out, byte(uint16(blk[0])), byte(uint16(blk[0])>>8), byte(s.index), 0)
		for i := 1; i < len(blk); i += 2 {
			lo := s.encode(blk[i])
			var hi byte
			if i+1 < len(blk) {
				hi = s.encode(blk[i+1])
			}
			out = append(out, lo|hi<<4)
		}
	}
	return out
}

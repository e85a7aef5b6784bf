// Package speaker is the kiosk's loudspeaker: it plays the pre-rendered
// spoken prompts (assets/voice) so that a resident who does not read well
// hears each self-service screen's instruction.
//
// A Player plays on its own goroutine and never makes its caller wait:
// Play returns at once, a newer clip cuts off the one playing, Repeat says
// the last one again, and volume and mute change while it plays. The sound
// device is opened through Oto (github.com/ebitengine/oto/v3: ALSA on
// Linux, WASAPI or WinMM on Windows); where there is none the Player logs
// one line and plays to Null, so a kiosk without sound runs as before.
//
// The clips are mono WAV files, 16-bit PCM or IMA ADPCM, which Decode
// reads itself; docs/audio.md describes the format, its sources (the RIFF
// WAVE and IMA ADPCM specifications) and the privacy rule the callers
// keep: a health status is never said aloud unasked.
package speaker

// Command voicegen renders the self-service kiosk's spoken prompts
// (flow.Prompts, in the words of i18n.Spoken) into the clips the kiosk
// ships: assets/voice/<lang>/<prompt>.wav, and assets/voice/clips.json
// listing each clip with its words.
//
//	go run ./scripts/voicegen [-out assets/voice] [-espeak espeak-ng]
//
// (`make voice`). It runs eSpeak NG (the Debian package espeak-ng, which
// scripts/deps.sh installs): the Mandarin voice cmn-latn-pinyin and the
// British English voice en-gb, slower than their default speed for
// elderly listeners. Each clip is trimmed of eSpeak's leading and trailing
// silence, brought to a peak of -1 dBFS and written as mono IMA ADPCM at
// eSpeak's 22,050 samples a second (devices/speaker.Encode), a quarter of
// the size of 16-bit PCM. assets/voice/README.md has the exact commands,
// the version used and the licences.
//
// The same words and the same eSpeak NG version give the same bytes: the
// tests render a few clips again and compare them with the shipped ones,
// and fail when a prompt's words changed without `make voice`.
package main

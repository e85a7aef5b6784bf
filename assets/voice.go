package assets

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
)

// voice holds the spoken prompts: voice/<lang>/<prompt>.wav, rendered by
// scripts/voicegen (voice/README.md), and voice/clips.json, which lists
// them with the words each says.
//
//go:embed voice
var voice embed.FS

// Voice is the file system of the spoken prompts: "<lang>/<prompt>.wav"
// (lang is "zh-CN" or "en", the prompt a flow.Prompt) and "clips.json".
func Voice() fs.FS {
	sub, err := fs.Sub(voice, "voice")
	if err != nil {
		panic(err) // "voice" is a constant, valid path
	}
	return sub
}

// VoiceManifest is voice/clips.json: what rendered the clips, and each
// clip's words.
type VoiceManifest struct {
	// Tool is the speech engine and its version ("eSpeak NG 1.51").
	Tool  string      `json:"tool"`
	Clips []VoiceClip `json:"clips"`
}

// VoiceClip is one clip of the manifest.
type VoiceClip struct {
	Lang    string  `json:"lang"`
	Prompt  string  `json:"prompt"`
	Text    string  `json:"text"`    // the words the clip says
	Seconds float64 `json:"seconds"` // how long it plays
}

// Name is the clip's name for the player, "<lang>/<prompt>"; its file in
// Voice is Name + ".wav".
func (c VoiceClip) Name() string { return c.Lang + "/" + c.Prompt }

// ReadVoiceManifest reads voice/clips.json.
func ReadVoiceManifest() (VoiceManifest, error) {
	b, err := fs.ReadFile(voice, "voice/clips.json")
	if err != nil {
		return VoiceManifest{}, fmt.Errorf("voice manifest: %w", err)
	}
	var m VoiceManifest
	if err := json.Unmarshal(b, &m); err != nil {
		return VoiceManifest{}, fmt.Errorf("voice manifest: %w", err)
	}
	return m, nil
}

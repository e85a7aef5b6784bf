package main

import (
	"io"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"--demo", "--pty", "--mode", "venue", "--lang", "en", "--idle", "3s", "--screenshots", "out"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !o.demo || !o.pty || o.mode != "venue" || o.lang != "en" || o.idle != 3*time.Second || o.screenshots != "out" {
		t.Errorf("parsed %+v", o)
	}
	if _, err := parseFlags([]string{"--no-such-flag"}, io.Discard); err == nil {
		t.Error("an unknown flag was accepted")
	}
}

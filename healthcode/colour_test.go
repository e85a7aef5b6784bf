package healthcode_test

import (
	"testing"
	"time"

	"github.com/shcommunity/kiosk/healthcode"
)

func TestColourWords(t *testing.T) {
	tests := []struct {
		c      healthcode.Colour
		valid  bool
		zh, en string
	}{
		{healthcode.Green, true, "绿码", "Green code"},
		{healthcode.Yellow, true, "黄码", "Yellow code"},
		{healthcode.Red, true, "红码", "Red code"},
		{"", false, "", ""},
		{"blue", false, "", ""},
		{"Green", false, "", ""},
	}
	for _, tt := range tests {
		if got := tt.c.Valid(); got != tt.valid {
			t.Errorf("%q.Valid() = %v, want %v", tt.c, got, tt.valid)
		}
		if got := tt.c.Word(); got != tt.zh {
			t.Errorf("%q.Word() = %q, want %q", tt.c, got, tt.zh)
		}
		if got := tt.c.EnglishWord(); got != tt.en {
			t.Errorf("%q.EnglishWord() = %q, want %q", tt.c, got, tt.en)
		}
	}
}

func TestStatusHasColour(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		s    healthcode.Status
		want bool
	}{
		{healthcode.Status{Source: healthcode.SourceLive, Colour: healthcode.Green, AsOf: now}, true},
		{healthcode.Status{Source: healthcode.SourceCached, Colour: healthcode.Red, AsOf: now}, true},
		{healthcode.Status{Source: healthcode.SourcePending, Colour: healthcode.Green}, false},
		{healthcode.Status{Source: healthcode.SourceUnknown, Colour: healthcode.Green}, false},
		{healthcode.Status{Source: healthcode.SourceLive}, false},
		{healthcode.Status{Source: healthcode.SourceLive, Colour: "blue"}, false},
	}
	for _, tt := range tests {
		if got := tt.s.HasColour(); got != tt.want {
			t.Errorf("%+v.HasColour() = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestStatusExpired(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	valid, fresh := at.Add(time.Hour), at.Add(30*time.Minute)
	tests := []struct {
		name  string
		s     healthcode.Status
		until time.Time
	}{
		{"valid_until alone", healthcode.Status{Source: healthcode.SourceLive, Colour: healthcode.Yellow, AsOf: at, ValidUntil: valid}, valid},
		{"freshness first", healthcode.Status{Source: healthcode.SourceCached, Colour: healthcode.Yellow, AsOf: at, ValidUntil: valid, ShowUntil: fresh}, fresh},
		{"valid_until first", healthcode.Status{Source: healthcode.SourceCached, Colour: healthcode.Yellow, AsOf: at, ValidUntil: fresh, ShowUntil: valid}, fresh},
		{"freshness alone", healthcode.Status{Source: healthcode.SourceCached, Colour: healthcode.Green, AsOf: at, ShowUntil: fresh}, fresh},
		{"no bound", healthcode.Status{Source: healthcode.SourceLive, Colour: healthcode.Green, AsOf: at}, time.Time{}},
		{"no colour", healthcode.Status{Source: healthcode.SourceUnknown, ValidUntil: valid}, time.Time{}},
	}
	for _, tt := range tests {
		if got := tt.s.Until(); !got.Equal(tt.until) {
			t.Errorf("%s: Until = %v, want %v", tt.name, got, tt.until)
		}
		if tt.until.IsZero() {
			if tt.s.Expired(at.AddDate(10, 0, 0)) {
				t.Errorf("%s: expired with nothing to bound it", tt.name)
			}
			continue
		}
		if tt.s.Expired(tt.until.Add(-time.Nanosecond)) || !tt.s.Expired(tt.until) {
			t.Errorf("%s: Expired is not exactly from %v", tt.name, tt.until)
		}
	}
}

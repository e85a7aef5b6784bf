package api_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
)

func TestCanonicalString(t *testing.T) {
	got := api.CanonicalString("GET", "/v1/feed?limit=5", 1772355600, "q3Zc9xU1pQ0fW2bN8kLr", nil)
	want := "KSV1\nGET\n/v1/feed?limit=5\n1772355600\nq3Zc9xU1pQ0fW2bN8kLr\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got != want {
		t.Errorf("CanonicalString = %q, want %q", got, want)
	}
}

func TestDecodeStrict(t *testing.T) {
	var v api.StatusRequest
	for _, tt := range []struct {
		in      string
		wantErr bool
	}{{`{"id_number":"x"}`, false}, {`{"id_number":"x","y":1}`, true}, {`{"id_number":"x"} {}`, true}, {`{`, true}} {
		if err := api.DecodeBytes([]byte(tt.in), &v); (err != nil) != tt.wantErr {
			t.Errorf("Decode(%q) err = %v, want error %v", tt.in, err, tt.wantErr)
		}
	}
}

// TestDecodeKeys: keys are matched exactly and once, at every depth, in
// structs, slices of structs and maps; a time (its own decoder) and a
// map's keys are not field names.
func TestDecodeKeys(t *testing.T) {
	type inner struct {
		Kind string `json:"kind"`
	}
	type embedded struct {
		Note string `json:"note,omitempty"`
	}
	type outer struct {
		embedded
		Items []inner          `json:"items"`
		Tags  map[string]inner `json:"tags"`
		At    time.Time        `json:"at"`
		Plain int
	}
	for _, tt := range []struct {
		in   string
		want error
	}{
		{`{"items":[{"kind":"a"}],"tags":{"X":{"kind":"b"}},"at":"2026-03-01T09:00:00Z","Plain":1,"note":"n"}`, nil},
		{`{"items":[{"Kind":"a"}]}`, api.ErrKeyCase},
		{`{"ITEMS":[]}`, api.ErrKeyCase},
		{`{"plain":1}`, api.ErrKeyCase},
		{`{"Note":"n"}`, api.ErrKeyCase},
		{`{"items":[{"kind":"a","kind":"b"}]}`, api.ErrDuplicateKey},
		{`{"tags":{"X":{"kind":"a"},"X":{"kind":"b"}}}`, api.ErrDuplicateKey},
		{`{"tags":{"x":{"kind":"a"},"X":{"kind":"b"}}}`, nil},
		{`{"note":"a","note":"b"}`, api.ErrDuplicateKey},
	} {
		var v outer
		if err := api.DecodeBytes([]byte(tt.in), &v); !errors.Is(err, tt.want) {
			t.Errorf("Decode(%s) err = %v, want %v", tt.in, err, tt.want)
		}
	}
}

func TestPassword(t *testing.T) {
	p := api.Argon2Params{Time: 1, Memory: 64, Threads: 1}
	h, err := api.HashPassword("s3cret!", p)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		pw   string
		want bool
	}{{"s3cret!", true}, {"s3cret", false}} {
		if ok, err := api.CheckPassword(h, tt.pw); ok != tt.want || err != nil {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", tt.pw, ok, err, tt.want)
		}
	}
	if _, err := api.CheckPassword("$argon2id$v=19$m=99999999,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", "x"); !errors.Is(err, api.ErrBadHash) {
		t.Errorf("hostile parameters: %v, want ErrBadHash", err)
	}
}

// TestSessionMAC checks that the streamed MAC is HMAC-SHA256 of exactly
// CanonicalString's text, and that a reused hash is reset.
func TestSessionMAC(t *testing.T) {
	key := bytes.Repeat([]byte{7}, api.SessionKeySize)
	m := api.NewSessionMAC(key)
	for _, tt := range []struct {
		method, path string
		body         []byte
	}{{"GET", "/v1/feed?limit=5", nil}, {"POST", "/v1/status", []byte(`{"id_number":"x"}`)}} {
		want := hmac.New(sha256.New, key)
		want.Write([]byte(api.CanonicalString(tt.method, tt.path, 1772355600, "q3Zc9xU1pQ0fW2bN8kLr", tt.body)))
		if got := api.SessionMAC(m, nil, tt.method, tt.path, 1772355600, "q3Zc9xU1pQ0fW2bN8kLr", tt.body); !hmac.Equal(got, want.Sum(nil)) {
			t.Errorf("SessionMAC(%s %s) = %x, want %x", tt.method, tt.path, got, want.Sum(nil))
		}
	}
}

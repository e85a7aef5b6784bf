package token_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/token"
)

func TestTrustListRoundTrip(t *testing.T) {
	tl := trustList(t)
	if tl.Issuer != "SH" || tl.Version != 7 || !tl.IssuedAt.Equal(t0) || len(tl.Keys) != len(trustKeys) {
		t.Fatalf("parsed %+v", tl)
	}
	if tl.RootKeyID != token.KeyIDFor(rootPub) || len(tl.Signature) != ed25519.SignatureSize {
		t.Errorf("root key ID %q, signature %d bytes", tl.RootKeyID, len(tl.Signature))
	}
	for _, want := range trustKeys {
		got, ok := tl.Key(want.KeyID)
		if !ok {
			t.Errorf("key %s missing", want.KeyID)
			continue
		}
		if got.Issuer != want.Issuer || !got.PublicKey.Equal(want.PublicKey) ||
			!got.NotBefore.Equal(want.NotBefore) || !got.NotAfter.Equal(want.NotAfter) {
			t.Errorf("key %s = %+v, want %+v", want.KeyID, got, want)
		}
	}
	if tl.Stale(t0.Add(7*24*time.Hour-time.Second)) || !tl.Stale(t0.Add(7*24*time.Hour)) {
		t.Errorf("Stale does not turn at NextUpdate")
	}
}

// TestTrustListCanonical: the same list in any key order signs to the same
// bytes, and the golden file pins the layout docs/token.md shows.
func TestTrustListCanonical(t *testing.T) {
	a, err := token.SignTrustList(token.TrustList{Issuer: "SH", Version: 7, IssuedAt: t0, NextUpdate: t0.Add(7 * 24 * time.Hour), Keys: trustKeys}, root)
	if err != nil {
		t.Fatal(err)
	}
	rev := []token.TrustedKey{trustKeys[2], trustKeys[0], trustKeys[1]}
	b, err := token.SignTrustList(token.TrustList{Issuer: "SH", Version: 7, IssuedAt: t0.Add(300 * time.Millisecond), NextUpdate: t0.Add(7 * 24 * time.Hour), Keys: rev}, root)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("key order or sub-second time changed the signed list:\n%s\n%s", a, b)
	}
	checkGolden(t, "trustlist.golden", "trust list", a)
}

func TestParseTrustListRefuses(t *testing.T) {
	good, err := token.SignTrustList(token.TrustList{Issuer: "SH", Version: 7, IssuedAt: t0, Keys: trustKeys}, root)
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(good, &env); err != nil {
		t.Fatal(err)
	}
	// resign builds an envelope around an edited list body, signed by root,
	// so the check after the signature is what refuses it.
	resign := func(edit func(string) string) []byte {
		body := edit(string(env["trust_list"]))
		out, _ := json.Marshal(map[string]any{
			"trust_list": json.RawMessage(body), "alg": "Ed25519", "root_key_id": token.KeyIDFor(rootPub),
			"signature": ed25519.Sign(root, []byte(body)),
		})
		return out
	}
	tests := []struct {
		name string
		data []byte
		root ed25519.PublicKey
		want error
	}{
		{"not JSON", []byte("{"), rootPub, token.ErrMalformed},
		{"empty", nil, rootPub, token.ErrMalformed},
		{"other algorithm", bytes.Replace(good, []byte(`"Ed25519"`), []byte(`"none"`), 1), rootPub, token.ErrMalformed},
		{"wrong root", good, shNew.PublicKey(), token.ErrBadSignature},
		{"no root", good, nil, token.ErrBadSignature},
		{"version bumped without signing", bytes.Replace(good, []byte(`"version":7`), []byte(`"version":8`), 1), rootPub, token.ErrBadSignature},
		{"key dropped without signing", resignFree(t, good), rootPub, token.ErrBadSignature},
		{"space added inside the list", bytes.Replace(good, []byte(`"version":7`), []byte(`"version": 7`), 1), rootPub, token.ErrBadSignature},
		{"key ID not derived", resign(func(s string) string { return strings.Replace(s, trustKeys[0].KeyID, "00000000", 1) }), rootPub, token.ErrMalformed},
		{"no issuer", resign(func(s string) string {
			return strings.Replace(s, `"issuer":"SH","version"`, `"issuer":"","version"`, 1)
		}), rootPub, token.ErrMalformed},
		{"bad time", resign(func(s string) string { return strings.Replace(s, "2026-03-01T09:30:00Z", "2026-03-01 09:30", 1) }), rootPub, token.ErrMalformed},
		{"local time", resign(func(s string) string {
			return strings.Replace(s, "2026-03-01T09:30:00Z", "2026-03-01T17:30:00+08:00", 1)
		}), rootPub, token.ErrMalformed},
		{"duplicate key", resign(func(s string) string {
			i := strings.Index(s, `"keys":[`) + len(`"keys":[`)
			j := strings.Index(s[i:], "}") + i + 1
			return s[:i] + s[i:j] + "," + s[i:]
		}), rootPub, token.ErrMalformed},
		{"list not an object", resign(func(string) string { return `[1,2]` }), rootPub, token.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl, err := token.ParseTrustList(tc.data, tc.root)
			if !errors.Is(err, tc.want) {
				t.Errorf("ParseTrustList = %+v, %v; want %v", tl, err, tc.want)
			}
		})
	}
}

// resignFree removes the first key from the list but keeps the old
// signature.
func resignFree(t *testing.T, good []byte) []byte {
	t.Helper()
	i := bytes.Index(good, []byte(`{"key_id"`))
	j := bytes.Index(good[i:], []byte(`},`)) + i + 2
	return append(bytes.Clone(good[:i]), good[j:]...)
}

func TestSignTrustListRefuses(t *testing.T) {
	bad := trustKeys[0]
	bad.NotAfter = bad.NotBefore
	short := trustKeys[0]
	short.PublicKey = short.PublicKey[:31]
	tests := []struct {
		name string
		tl   token.TrustList
		root ed25519.PrivateKey
	}{
		{"no root key", token.TrustList{Issuer: "SH", IssuedAt: t0}, nil},
		{"no issuer", token.TrustList{IssuedAt: t0}, root},
		{"no issued-at", token.TrustList{Issuer: "SH"}, root},
		{"empty window", token.TrustList{Issuer: "SH", IssuedAt: t0, Keys: []token.TrustedKey{bad}}, root},
		{"short public key", token.TrustList{Issuer: "SH", IssuedAt: t0, Keys: []token.TrustedKey{short}}, root},
		{"twice the same key", token.TrustList{Issuer: "SH", IssuedAt: t0, Keys: []token.TrustedKey{trustKeys[1], trustKeys[1]}}, root},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if data, err := token.SignTrustList(tc.tl, tc.root); err == nil {
				t.Errorf("SignTrustList = %s, want an error", data)
			}
		})
	}
}

func FuzzParseTrustList(f *testing.F) {
	good, err := token.SignTrustList(token.TrustList{Issuer: "SH", Version: 7, IssuedAt: t0, Keys: trustKeys}, root)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"trust_list":{},"alg":"Ed25519","signature":""}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tl, err := token.ParseTrustList(data, rootPub)
		if err != nil {
			if !errors.Is(err, token.ErrMalformed) && !errors.Is(err, token.ErrBadSignature) {
				t.Fatalf("error %v is neither ErrMalformed nor ErrBadSignature", err)
			}
			return
		}
		if tl.Version != 7 || len(tl.Keys) != len(trustKeys) {
			t.Fatalf("a changed list verified: %+v", tl)
		}
	})
}

// FuzzTrustListBody signs arbitrary list bodies with the test root, so the
// fuzzer reaches the parser behind the signature check.
func FuzzTrustListBody(f *testing.F) {
	good, err := token.SignTrustList(token.TrustList{Issuer: "SH", Version: 7, IssuedAt: t0, NextUpdate: t0.Add(time.Hour), Keys: trustKeys}, root)
	if err != nil {
		f.Fatal(err)
	}
	var env struct {
		TrustList json.RawMessage `json:"trust_list"`
	}
	if err := json.Unmarshal(good, &env); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(env.TrustList))
	f.Add([]byte(`{"issuer":"SH","version":1,"issued_at":"2026-01-01T00:00:00Z","keys":[]}`))
	f.Add([]byte(`{"issuer":"SH","keys":[{"key_id":"x","public_key":"AAAA"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return // the envelope could not carry it as a raw message
		}
		data, err := json.Marshal(map[string]any{
			"trust_list": json.RawMessage(body), "alg": "Ed25519", "signature": ed25519.Sign(root, body),
		})
		if err != nil {
			return // json.Marshal compacts; a body it rejects cannot be sent
		}
		var sent struct {
			TrustList json.RawMessage `json:"trust_list"`
		}
		if err := json.Unmarshal(data, &sent); err != nil || !bytes.Equal(sent.TrustList, body) {
			return // re-encoding changed the bytes, so the signature no longer matches
		}
		tl, err := token.ParseTrustList(data, rootPub)
		if err != nil {
			if !errors.Is(err, token.ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		// What parses signs again and parses to the same list.
		again, err := token.SignTrustList(*tl, root)
		if err != nil {
			t.Fatalf("re-sign a parsed list: %v", err)
		}
		tl2, err := token.ParseTrustList(again, rootPub)
		if err != nil {
			t.Fatalf("parse a re-signed list: %v", err)
		}
		tl.RootKeyID, tl.Signature, tl2.RootKeyID, tl2.Signature = "", nil, "", nil
		normalise(tl)
		normalise(tl2)
		if !reflect.DeepEqual(tl, tl2) {
			t.Fatalf("round trip changed the list:\n%+v\n%+v", tl, tl2)
		}
	})
}

// normalise sorts keys by ID as SignTrustList does.
func normalise(tl *token.TrustList) {
	for i := range tl.Keys {
		for j := i + 1; j < len(tl.Keys); j++ {
			if tl.Keys[j].KeyID < tl.Keys[i].KeyID {
				tl.Keys[i], tl.Keys[j] = tl.Keys[j], tl.Keys[i]
			}
		}
	}
}

package sealbox_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/shcommunity/kiosk/sealbox"
)

func mustKey(t testing.TB) *sealbox.PrivateKey {
	t.Helper()
	k, err := sealbox.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpen(t *testing.T) {
	k := mustKey(t)
	other := mustKey(t)
	info := []byte("kiosk-enrolment-v1")
	msg := []byte(`{"name":"张三"}`)
	box, err := sealbox.Seal(k.Public(), msg, info)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(box), len(msg)+sealbox.Overhead; got != want {
		t.Errorf("box length = %d, want %d", got, want)
	}
	box2, _ := sealbox.Seal(k.Public(), msg, info)
	if bytes.Equal(box, box2) {
		t.Error("two seals of the same plaintext are equal; want randomised boxes")
	}
	got, err := sealbox.Open(k, box, info)
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("Open = %q, %v; want %q", got, err, msg)
	}

	tampered := bytes.Clone(box)
	tampered[len(tampered)-1] ^= 1
	badVersion := bytes.Clone(box)
	badVersion[0] = 9
	tests := []struct {
		name string
		key  *sealbox.PrivateKey
		box  []byte
		info string
		want error
	}{
		{"wrong key", other, box, string(info), sealbox.ErrOpen},
		{"wrong info", k, box, "other-purpose", sealbox.ErrOpen},
		{"tampered", k, tampered, string(info), sealbox.ErrOpen},
		{"short", k, box[:10], string(info), sealbox.ErrMalformed},
		{"version", k, badVersion, string(info), sealbox.ErrMalformed},
		{"nil key", nil, box, string(info), sealbox.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sealbox.Open(tt.key, tt.box, []byte(tt.info))
			if !errors.Is(err, tt.want) {
				t.Errorf("Open err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestKeyEncoding(t *testing.T) {
	k := mustKey(t)
	k2, err := sealbox.ParsePrivateKey(k.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !k2.Public().Equal(k.Public()) {
		t.Error("private key round trip changed the public key")
	}
	pub, err := sealbox.DecodePublicKey(k.Public().String())
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(k.Public()) {
		t.Error("public key text round trip changed the key")
	}
	box, err := sealbox.Seal(pub, []byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := sealbox.Open(k2, box, nil); err != nil || string(got) != "x" {
		t.Errorf("Open with parsed keys = %q, %v", got, err)
	}
	for _, s := range []string{"", "sbx1:", "abc", "sbx1:!!!", "sbx1:AAAA", "sbx2:" + k.Public().String()[5:]} {
		if _, err := sealbox.DecodePublicKey(s); !errors.Is(err, sealbox.ErrMalformed) {
			t.Errorf("DecodePublicKey(%q) err = %v, want ErrMalformed", s, err)
		}
	}
	if _, err := sealbox.ParsePrivateKey([]byte{1, 2}); !errors.Is(err, sealbox.ErrMalformed) {
		t.Errorf("ParsePrivateKey(short) err = %v, want ErrMalformed", err)
	}
}

func FuzzOpen(f *testing.F) {
	k, err := sealbox.GenerateKey()
	if err != nil {
		f.Fatal(err)
	}
	box, _ := sealbox.Seal(k.Public(), []byte("hello"), []byte("i"))
	f.Add(box)
	f.Add([]byte{})
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		pt, err := sealbox.Open(k, b, []byte("i"))
		if err == nil && !bytes.Equal(b, box) && len(pt) > len(b) {
			t.Fatalf("opened %d bytes from a %d-byte box", len(pt), len(b))
		}
	})
}

func FuzzDecodePublicKey(f *testing.F) {
	k, _ := sealbox.GenerateKey()
	f.Add(k.Public().String())
	f.Add("sbx1:")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := sealbox.DecodePublicKey(s)
		if err == nil && p.String() != s {
			t.Fatalf("DecodePublicKey(%q) re-encodes as %q", s, p.String())
		}
	})
}

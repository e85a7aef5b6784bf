package server_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/sealbox"
)

func FuzzParseAuthHeaders(f *testing.F) {
	f.Add("D1", "1767000000", "nonce-aaaaaaaaaaaaaaaa", base64.RawURLEncoding.EncodeToString(make([]byte, 64)))
	f.Add("", "-1", "x", "!!")
	f.Fuzz(func(t *testing.T, id, ts, nonce, sig string) {
		h := http.Header{}
		stamp(h, api.HeaderDeviceID, id, ts, nonce, api.HeaderSignature, sig)
		a, err := server.ParseAuthHeaders(h)
		if err == nil && (len(a.Signature) != ed25519.SignatureSize || !api.ValidNonce(a.Nonce) || a.Timestamp < 0) {
			t.Fatalf("accepted malformed headers: %+v", a)
		}
	})
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add("")
	f.Add(server.EncodeCursor(server.Cursor{Seq: 5, Through: 1 << 60, PosAt: 3, PosResident: 2}))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := server.DecodeCursor(s)
		if err == nil && s != "" && server.EncodeCursor(c) != s {
			t.Fatalf("cursor %q decodes to %+v which encodes as %q", s, c, server.EncodeCursor(c))
		}
	})
}

// FuzzRequestBodies sends every signed endpoint arbitrary bodies through
// the whole handler: nothing may answer 5xx, and every error is the JSON
// error shape with a code.
func FuzzRequestBodies(f *testing.F) {
	e := newEnv(f, server.Options{})
	id := idNumber(f, "19480314", 1).Reveal()
	paths := []string{"/v1/status", "/v1/enrolments", "/v1/tokens", "/v1/tokens/lost",
		"/v1/tokens/AAAAAAAAAAAAAAAAAAAA/reissue", "/v1/prints", "/v1/corrections", "/v1/devices/register"}
	seeds := []string{
		`{"id_number":"` + id + `"}`,
		`{"items":[{"client_id":"abcdefgh","sealed":"AAAA"}]}`,
		`{"id_number":"` + id + `","replace":true,"worker_id":"w"}`,
		`{"client_id":"abcdefgh","token_id":"AAAAAAAAAAAAAAAAAAAA","printed_at":"2026-03-01T09:00:00Z"}`,
		`{"client_id":"abcdefgh","id_number":"` + id + `","reason":"x"}`,
		`{"client_id":"abcdefgh","worker_id":"w","sealed":"` + sealedCorrection(f, e, id) + `"}`,
		`{"code":"AAAA-BBBB","name":"k","public_key":"AAAA"}`,
		`[]`, `null`, `{"id_number":1e400}`, "",
	}
	for i := range paths {
		for _, s := range seeds {
			f.Add(uint8(i), []byte(s))
		}
	}
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		path := paths[int(which)%len(paths)]
		req := httptest.NewRequest("POST", path, bytes.NewReader(body))
		ts := e.clk.Now().Unix()
		nonce := "fuzz-nonce-" + strconv.FormatInt(n.Add(1), 10) + "-padding"
		msg := api.CanonicalString("POST", req.URL.RequestURI(), ts, nonce, body)
		sig := base64.RawURLEncoding.EncodeToString(ed25519.Sign(e.c.Key, []byte(msg)))
		stamp(req.Header, api.HeaderDeviceID, e.c.DeviceID, strconv.FormatInt(ts, 10), nonce, api.HeaderSignature, sig)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: status %d: %s", path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var eb api.ErrorBody
			if err := api.DecodeBytes(rec.Body.Bytes(), &eb); err != nil || eb.Error == nil || eb.Error.Code == "" {
				t.Fatalf("%s: error body %q is not the error shape", path, rec.Body)
			}
		}
	})
}

func FuzzParseSessionHeaders(f *testing.F) {
	f.Add("SABCDEFGHIJKLMNOPQRSTUVWXYZ", "1767000000", "nonce-aaaaaaaaaaaaaaaa", base64.RawURLEncoding.EncodeToString(make([]byte, 32)))
	f.Add("", "+1", "x", "!!")
	f.Add("S1", "1767000000", "nonce-aaaaaaaaaaaaaaaa", base64.RawURLEncoding.EncodeToString(make([]byte, 33)))
	f.Fuzz(func(t *testing.T, id, ts, nonce, mac string) {
		h := http.Header{}
		stamp(h, api.HeaderSessionID, id, ts, nonce, api.HeaderSessionMAC, mac)
		a, err := server.ParseSessionHeaders(h)
		if err != nil {
			return
		}
		want, derr := strconv.ParseInt(ts, 10, 64)
		if a.SessionID == "" || len(a.SessionID) > 64 || !api.ValidNonce(a.Nonce) || derr != nil || a.Timestamp != want || a.Timestamp < 0 {
			t.Fatalf("accepted malformed headers: %+v", a)
		}
		if raw, err := base64.RawURLEncoding.DecodeString(mac); err != nil || !bytes.Equal(raw, a.MAC[:]) {
			t.Fatalf("MAC %q parsed as %x", mac, a.MAC)
		}
	})
}

// FuzzPlainStatusRequest checks the fast path of the status body against
// the strict decoder: whatever it accepts, the decoder accepts with the
// same ID number and purpose.
func FuzzPlainStatusRequest(f *testing.F) {
	f.Add([]byte(`{"id_number":"31010419550922002X","purpose":"venue_entry"}`))
	f.Add([]byte(`{"id_number":"a\"b","purpose":"x"}`))
	f.Add([]byte(`{"id_number":"\u0031","purpose":""}`))
	f.Add([]byte(`{"id_number":"","purpose":"self_service"}`))
	f.Add([]byte(`{"id_number":"1","purpose":"a","purpose":"b"}`))
	f.Add([]byte(`{"id_number":"31010419550922002X"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		id, purpose, ok := server.PlainStatusRequest(b)
		if !ok {
			return
		}
		var req api.StatusRequest
		if err := api.DecodeBytes(b, &req); err != nil || req.IDNumber != id || string(req.Purpose) != purpose {
			t.Fatalf("fast path took %q as %q, %q; decoder: %q, %q, %v", b, id, purpose, req.IDNumber, req.Purpose, err)
		}
	})
}

// sealedCorrection is a valid sealed correction payload for id, so the
// fuzzer starts from a box that opens.
func sealedCorrection(f *testing.F, e *env, id string) string {
	box, err := sealbox.Seal(e.seal, []byte(`{"id_number":"`+id+`","reason":"x"}`), []byte(api.CorrectionSealInfo))
	if err != nil {
		f.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(box)
}

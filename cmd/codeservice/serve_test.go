package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/devseed"
	"github.com/shcommunity/kiosk/codesvc/server/servertest"
	"github.com/shcommunity/kiosk/codesvc/store"
)

// untilListening is the output of a serve under test: it cancels the
// serve's context once it says where it listens.
type untilListening struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	cancel context.CancelFunc
}

func (w *untilListening) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), "listening on") {
		w.cancel()
	}
	return len(p), nil
}

// serveBriefly runs `codeservice serve args...` until it listens and
// returns its error and output.
func serveBriefly(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &untilListening{cancel: cancel}
	err := run(ctx, append([]string{"serve"}, args...), strings.NewReader(""), out)
	out.mu.Lock()
	defer out.mu.Unlock()
	return out.buf.String(), err
}

// TestFinding6DevRefusals: `serve --dev --db FILE` seeded the sample
// residents into any database and reset the demo worker's password
// (public in the README) there, and --dev listened wherever it was told.
// Now --dev refuses a non-loopback address, and an existing database
// that development mode did not create, which it leaves untouched.
func TestFinding6DevRefusals(t *testing.T) {
	ctx := context.Background()
	t.Run("non-loopback address", func(t *testing.T) {
		for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:0", "example.org:0"} {
			if _, err := serveBriefly(t, "--dev", "--addr", addr); err == nil || !strings.Contains(err.Error(), "loopback") {
				t.Errorf("--dev --addr %s: err = %v, want a refusal", addr, err)
			}
		}
	})
	t.Run("production database", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "codes.db")
		svc, closeDB := openQuiet(t, db)
		if err := svc.AddWorker(ctx, devseed.WorkerID, "真实社工", "a real password"); err != nil {
			t.Fatal(err)
		}
		closeDB()
		if _, err := serveBriefly(t, "--dev", "--db", db, "--addr", "127.0.0.1:0"); !errors.Is(err, devseed.ErrNotDevDatabase) {
			t.Fatalf("err = %v, want ErrNotDevDatabase", err)
		}
		svc, closeDB = openQuiet(t, db)
		defer closeDB()
		w, err := svc.Store.Worker(ctx, devseed.WorkerID)
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := api.CheckPassword(w.PasswordHash, devseed.Password); ok {
			t.Error("the worker's password was reset to the demo password")
		}
		if ok, _ := api.CheckPassword(w.PasswordHash, "a real password"); !ok {
			t.Error("the worker's own password no longer works")
		}
		ids, err := devseed.IDNumbers(svc.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Store.ResidentByKey(ctx, svc.ResidentKey(ids[0])); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a sample resident was seeded: %v", err)
		}
	})
	t.Run("its own database again", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "codes.db")
		for range 2 {
			out, err := serveBriefly(t, "--dev", "--db", db, "--addr", "127.0.0.1:0")
			if err != nil {
				t.Fatalf("serve --dev on its own database: %v", err)
			}
			if !strings.Contains(out, "worker demo") {
				t.Errorf("no seed output: %q", out)
			}
		}
	})
}

// TestFinding7ServiceStderr: the service logged to stderr (the journal,
// under systemd) with a bare text handler and printed a command's last
// error as it was. Both go through the log's scrubbing now.
func TestFinding7ServiceStderr(t *testing.T) {
	const spaced, foreign = "110101 19900307 4258", "USA123456789012" // invented
	var buf bytes.Buffer
	for _, format := range []string{"text", "json"} {
		log, err := newLogger(&buf, format)
		if err != nil {
			t.Fatal(err)
		}
		log.Error("Request failed", "err", errors.New("lookup "+spaced), "note", "holder "+foreign)
	}
	printError(&buf, fmt.Errorf("event --id %s: refused", foreign))
	out := buf.String()
	for _, n := range []string{"19900307", "4567890"} {
		if strings.Contains(out, n) {
			t.Errorf("stderr holds %q:\n%s", n, out)
		}
	}
	if !strings.Contains(out, "Request failed") || !strings.Contains(out, "refused") {
		t.Errorf("stderr lost the messages:\n%s", out)
	}
}

// writeCert writes a new self-signed certificate for 127.0.0.1 and its
// key as PEM files with the key's mode, and returns their paths and the
// certificate's SPKI hash.
func writeCert(t *testing.T, keyMode os.FileMode) (string, string, []byte) {
	t.Helper()
	c, err := servertest.LoopbackCert()
	if err != nil {
		t.Fatal(err)
	}
	der := c.Certificate[0]
	kb, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), keyMode)
	os.Chmod(key, keyMode)
	return cert, key, api.SPKIHash(c.Leaf)
}

// listening runs serve with args until the test ends and returns the
// address it says it listens on, with the scheme.
func listening(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	lines := make(chan string, 64)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), strings.NewReader(""), pw)
		pw.Close()
	}()
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	for l := range lines {
		if u, ok := strings.CutPrefix(l, "listening on "); ok {
			go func() {
				for range lines {
				}
			}()
			return u
		}
	}
	t.Fatalf("serve ended: %v", <-done)
	return ""
}

// TestFinding2ServeRequiresTLS: the service had no TLS, and the packaged
// settings suggested listening on every interface without it. Now a
// non-loopback address needs --tls-cert and --tls-key (or, behind a TLS
// proxy, an explicit --insecure-no-tls), the service speaks TLS with
// them, and a private key others may read is refused.
func TestFinding2ServeRequiresTLS(t *testing.T) {
	db := func() string { return filepath.Join(t.TempDir(), "codes.db") }
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0"} {
		if _, err := serveBriefly(t, "--db", db(), "--addr", addr); err == nil || !strings.Contains(err.Error(), "--tls-cert") {
			t.Errorf("--addr %s without TLS: err = %v, want a refusal naming --tls-cert", addr, err)
		}
	}
	cert, key, spki := writeCert(t, 0o600)
	if _, err := serveBriefly(t, "--db", db(), "--addr", "0.0.0.0:0", "--tls-cert", cert); err == nil {
		t.Error("--tls-cert without --tls-key was accepted")
	}
	open, openKey, _ := writeCert(t, 0o644)
	if _, err := serveBriefly(t, "--db", db(), "--addr", "127.0.0.1:0", "--tls-cert", open, "--tls-key", openKey); err == nil ||
		!strings.Contains(err.Error(), "others may read") {
		t.Errorf("a world-readable key: err = %v, want a refusal", err)
	}
	if _, err := serveBriefly(t, "--db", db(), "--addr", "0.0.0.0:0", "--insecure-no-tls"); err != nil {
		t.Errorf("--insecure-no-tls: %v", err)
	}

	u := listening(t, "--db", db(), "--addr", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key)
	if !strings.HasPrefix(u, "https://") {
		t.Fatalf("listens on %s, want https", u)
	}
	resp, err := client.HTTPClient(spki, nil, 5*time.Second).Get(u + "/v1/health")
	if err != nil {
		t.Fatalf("health over pinned TLS: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("health: %d", resp.StatusCode)
	}
	plain := "http://" + strings.TrimPrefix(u, "https://")
	if resp, err := http.Get(plain + "/v1/health"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("plain HTTP was answered on the TLS port")
		}
	}
}

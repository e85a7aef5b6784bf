package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/devseed"
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
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	t.Run("non-loopback address", func(t *testing.T) {
		for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:0", "example.org:0"} {
			if _, err := serveBriefly(t, "--dev", "--addr", addr); err == nil || !strings.Contains(err.Error(), "loopback") {
				t.Errorf("--dev --addr %s: err = %v, want a refusal", addr, err)
			}
		}
	})
	t.Run("production database", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "codes.db")
		svc, closeDB, err := openService(ctx, db, "", "", quiet)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.AddWorker(ctx, devseed.WorkerID, "真实社工", "a real password"); err != nil {
			t.Fatal(err)
		}
		closeDB()
		if _, err := serveBriefly(t, "--dev", "--db", db, "--addr", "127.0.0.1:0"); !errors.Is(err, devseed.ErrNotDevDatabase) {
			t.Fatalf("err = %v, want ErrNotDevDatabase", err)
		}
		svc, closeDB, err = openService(ctx, db, "", "", quiet)
		if err != nil {
			t.Fatal(err)
		}
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

// TestFinding4RevokeKeyCommand: `admin revoke-key --id` takes a key out
// of the trust list at once (the key in use is replaced first), and an
// unknown key is an error.
func TestFinding4RevokeKeyCommand(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "codes.db")
	svc, closeDB, err := openService(ctx, db, "", "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := svc.Store.SigningKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	leaked := keys[0].KeyID
	closeDB()
	var out bytes.Buffer
	if err := run(ctx, []string{"admin", "--db", db, "revoke-key", "--id", leaked}, strings.NewReader(""), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "revoked signing key "+leaked) {
		t.Errorf("output %q", out.String())
	}
	if err := run(ctx, []string{"admin", "--db", db, "revoke-key", "--id", "00000000"}, strings.NewReader(""), &out); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown key: %v, want ErrNotFound", err)
	}
	svc, closeDB, err = openService(ctx, db, "", "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	tl, err := svc.TrustList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tl.Key(leaked); ok || len(tl.Keys) != 1 {
		t.Errorf("trust list after revoke-key: %+v", tl.Keys)
	}
}

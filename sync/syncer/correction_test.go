package syncer_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/pii"
	"github.com/shcommunity/kiosk/sealbox"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

// offline is a Remote whose every call fails as a cut network does.
type offline struct{}

var errOffline = errors.New("network unreachable")

func (offline) Enrol(context.Context, api.EnrolmentBatch) (api.EnrolmentResponse, error) {
	return api.EnrolmentResponse{}, errOffline
}
func (offline) RecordPrint(context.Context, api.PrintRequest) (api.PrintResponse, error) {
	return api.PrintResponse{}, errOffline
}
func (offline) FileCorrection(context.Context, api.CorrectionRequest) (api.Correction, error) {
	return api.Correction{}, errOffline
}
func (offline) Status(context.Context, pii.IDNumber) (api.StatusResponse, error) {
	return api.StatusResponse{}, errOffline
}
func (offline) Feed(context.Context, string, int) (api.FeedResponse, error) {
	return api.FeedResponse{}, errOffline
}
func (offline) TrustList(context.Context) ([]byte, error)       { return nil, errOffline }
func (offline) Workers(context.Context) (api.WorkerList, error) { return api.WorkerList{}, errOffline }

// settings reads every setting of a kiosk file directly, as a thief with
// the file would.
func settings(t *testing.T, path string) map[string][]byte {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT key, value FROM settings`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var k string
		var v []byte
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestQueuedCorrectionOnlyTheServiceOpens queues a correction while
// offline and checks that the outbox item is the sealed request, that the
// service's private key opens it (for corrections only), and that no key
// in the kiosk's file does.
func TestQueuedCorrectionOnlyTheServiceOpens(t *testing.T) {
	ctx := context.Background()
	service, err := sealbox.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kiosk.db")
	st, err := localstore.Open(ctx, path, localstore.Options{KeyFile: keyFile(path)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng, err := syncer.New(ctx, syncer.Config{Store: st, Remote: offline{}, DeviceID: "DTEST", SealingKey: service.Public(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	id := resident(t, 50, 7)
	const reason = "已出院，颜色应为绿码"
	r, err := eng.RequestCorrection(ctx, id, "w-1", "", reason)
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.SyncOnce(ctx); !errors.Is(err, errOffline) {
		t.Fatalf("SyncOnce offline: %v, want the network's error", err)
	}
	it, err := st.Item(ctx, r.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if it.State != localstore.StatePending || it.Kind != syncer.KindCorrection {
		t.Fatalf("item %s %s, want a pending correction", it.State, it.Kind)
	}
	for _, plain := range []string{id.Reveal(), reason} {
		if bytes.Contains(it.Body, []byte(plain)) {
			t.Errorf("queued body holds %q in the clear", plain)
		}
	}
	var req api.CorrectionRequest
	if err := api.DecodeBytes(it.Body, &req); err != nil {
		t.Fatalf("queued body is not a correction request: %v", err)
	}
	if req.ClientID != it.ClientID || req.WorkerID != "w-1" {
		t.Errorf("request client %q worker %q, want %q and w-1", req.ClientID, req.WorkerID, it.ClientID)
	}
	box, err := base64.RawURLEncoding.DecodeString(req.Sealed)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := sealbox.Open(service, box, []byte(api.CorrectionSealInfo))
	if err != nil {
		t.Fatalf("the service's key does not open the correction: %v", err)
	}
	var p api.CorrectionPayload
	if err := api.DecodeBytes(plain, &p); err != nil || p.IDNumber != id.Reveal() || p.Reason != reason {
		t.Errorf("opened payload = %+v, %v; want the ID number and the reason", p, err)
	}
	if _, err := sealbox.Open(service, box, []byte(api.SealInfo)); !errors.Is(err, sealbox.ErrOpen) {
		t.Errorf("opened as an enrolment: err = %v, want ErrOpen", err)
	}
	set := settings(t, path)
	if _, ok := set["local_outbox_key"]; ok {
		t.Error("the kiosk still keeps a local outbox key")
	}
	tried := 0
	for k, v := range set {
		if len(v) != 32 {
			continue
		}
		priv, err := sealbox.ParsePrivateKey(v)
		if err != nil {
			continue
		}
		tried++
		for _, info := range []string{api.CorrectionSealInfo, api.SealInfo, "kiosk-local-outbox-v1"} {
			if _, err := sealbox.Open(priv, box, []byte(info)); err == nil {
				t.Errorf("setting %s opens the queued correction (info %q)", k, info)
			}
		}
	}
	if tried == 0 {
		t.Error("no 32-byte setting to try; the test no longer looks at the kiosk's secrets")
	}
}

// TestLegacyCorrectionsResealed starts an engine on a file written by an
// older kiosk, which sealed queued corrections to a key pair of its own:
// the engine re-seals them to the service, deletes that key pair, and the
// correction then reaches the service.
func TestLegacyCorrectionsResealed(t *testing.T) {
	s, k, id := enrolledKiosk(t, 60, 3)
	ctx := context.Background()
	legacy, err := sealbox.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	const cid, reason = "legacycorrection0001", "已解除管控"
	plain, err := json.Marshal(map[string]string{"client_id": cid, "id_number": id.Reveal(), "worker_id": "", "reason": reason})
	if err != nil {
		t.Fatal(err)
	}
	box, err := sealbox.Seal(legacy.Public(), plain, []byte("kiosk-local-outbox-v1"))
	if err != nil {
		t.Fatal(err)
	}
	err = k.st.InTx(ctx, func(tx *localstore.Tx) error {
		if err := tx.SetSetting("local_outbox_key", legacy.Bytes()); err != nil {
			return err
		}
		_, err := tx.Enqueue(localstore.NewItem{ClientID: cid, Kind: syncer.KindCorrection, Body: box, Resident: k.st.KeyOf(id), Receipt: "LEGA-CY01"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	ident, err := syncer.LoadIdentity(ctx, k.st)
	if err != nil {
		t.Fatal(err)
	}
	rm := syncer.NewClientRemote(s.url(), &http.Client{Timeout: kioskHTTPTimeout}, ident, k.eng.Clock())
	rm.C.Purpose = api.PurposeSelfService
	eng, err := syncer.New(ctx, syncer.Config{Store: k.st, Remote: rm, Clock: k.eng.Clock(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := k.st.Setting(ctx, "local_outbox_key"); err != nil || ok {
		t.Errorf("legacy key after start: present %v, err %v; want it deleted", ok, err)
	}
	items, err := k.st.Pending(ctx, 10)
	if err != nil || len(items) != 1 {
		t.Fatalf("pending = %d, %v; want the one correction", len(items), err)
	}
	var req api.CorrectionRequest
	if err := api.DecodeBytes(items[0].Body, &req); err != nil || req.ClientID != cid || req.Sealed == "" {
		t.Errorf("resealed body = %+v, %v; want a sealed request for %s", req, err, cid)
	}
	if err := eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	// It names no worker, and a correction is a worker's action that the
	// service takes only under her session: it is refused, and kept for
	// a worker to file again.
	if cs, err := s.svc.Store.Corrections(ctx, "", ""); err != nil || len(cs) != 0 {
		t.Errorf("service corrections = %+v, %v; want none", cs, err)
	}
	if sum := k.summary(t); sum.Pending != 0 || len(sum.Quarantined) != 1 || sum.Quarantined[0].Reason != string(api.CodeWorkerSession) {
		t.Errorf("after sync: %+v; want the resealed one quarantined for %s", sum, api.CodeWorkerSession)
	}
	if err := k.st.VerifyAudit(ctx); err != nil {
		t.Errorf("audit after reseal: %v", err)
	}
}

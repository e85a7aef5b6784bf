package server

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/pii"
)

// residentCall reads the body of a request about one resident by ID
// number (access records, health services, consent, paper codes), checks
// its purpose and reads her number; a counter's request, and any that
// names a worker, needs that worker's session.
func (h *Handler) residentCall(w http.ResponseWriter, r *http.Request, c *call, req any, p *api.Purpose, worker, number *string) (accessor, pii.IDNumber, bool) {
	a, ok := h.decodeFor(w, r, c, req, p, worker)
	if !ok {
		return accessor{}, "", false
	}
	var err error
	if *p == api.PurposeCounter || *worker != "" {
		*worker, err = h.needWorker(r, c, *worker)
		a.worker = *worker
	}
	var id pii.IDNumber
	if err == nil {
		id, err = parseID(*number, h.svc.Now())
	}
	if err != nil {
		h.fail(w, err)
		return accessor{}, "", false
	}
	return a, id, true
}

// accessRecords is POST /v1/access-records: who looked the resident up
// (谁查询过我). The look itself is recorded after the list is read, so it
// shows the next time.
func (h *Handler) accessRecords(w http.ResponseWriter, r *http.Request, c *call) {
	var req api.AccessRequest
	a, id, ok := h.residentCall(w, r, c, &req, &req.Purpose, &req.WorkerID, &req.IDNumber)
	if !ok {
		return
	}
	resp, err := h.svc.AccessRecords(r.Context(), id)
	if err == nil {
		err = h.record(r.Context(), a, h.svc.ResidentKey(id))
	}
	h.answer(w, http.StatusOK, resp, err)
}

// healthServices is POST /v1/health-services (我的健康服务).
func (h *Handler) healthServices(w http.ResponseWriter, r *http.Request, c *call) {
	var req api.HealthRequest
	a, id, ok := h.residentCall(w, r, c, &req, &req.Purpose, &req.WorkerID, &req.IDNumber)
	if !ok {
		return
	}
	resp, err := h.svc.HealthServices(r.Context(), id)
	err = h.recorded(r.Context(), aboutHer(err) || errors.Is(err, ErrConsentRequired) || errors.Is(err, ErrNoHealthRecord), a, err, h.svc.ResidentKey(id))
	h.answer(w, http.StatusOK, resp, err)
}

// healthConsent is POST /v1/health-consent: agree, or withdraw.
func (h *Handler) healthConsent(w http.ResponseWriter, r *http.Request, c *call) {
	var req api.HealthConsentRequest
	a, id, ok := h.residentCall(w, r, c, &req, &req.Purpose, &req.WorkerID, &req.IDNumber)
	if !ok {
		return
	}
	resp, err := h.svc.SetHealthConsent(r.Context(), id, req.Given, req.Version, c.deviceID, req.WorkerID)
	err = h.recorded(r.Context(), aboutHer(err), a, err, h.svc.ResidentKey(id))
	h.answer(w, http.StatusOK, resp, err)
}

// export is GET /v1/export: the health cloud's pull, its body signed by
// the trust-list root key (api.ExportSignedText).
func (h *Handler) export(w http.ResponseWriter, r *http.Request, c *call) {
	a, ok := h.queryFor(w, r, c)
	if !ok {
		return
	}
	q := r.URL.Query()
	limit, ok := queryLimit(w, q)
	if !ok {
		return
	}
	page, ids, err := h.svc.Export(r.Context(), q.Get("cursor"), limit)
	if err == nil {
		err = h.recordResidents(r.Context(), a, ids...)
	}
	if err != nil {
		h.fail(w, err)
		return
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(page); err != nil {
		h.fail(w, err)
		return
	}
	sig := ed25519.Sign(h.svc.root, api.ExportSignedText(buf.Bytes()))
	w.Header().Set(api.HeaderExportSignature, base64.RawURLEncoding.EncodeToString(sig))
	writeRaw(w, http.StatusOK, buf.Bytes())
}

// residentCodes is POST /v1/resident-codes: the resident's paper codes,
// for the worker serving her at a counter.
func (h *Handler) residentCodes(w http.ResponseWriter, r *http.Request, c *call) {
	var req api.CodesRequest
	a, id, ok := h.residentCall(w, r, c, &req, &req.Purpose, &req.WorkerID, &req.IDNumber)
	if !ok {
		return
	}
	if !h.lookup(w, c) {
		return
	}
	resp, err := h.svc.ResidentCodes(r.Context(), id)
	err = h.recorded(r.Context(), aboutHer(err), a, err, h.svc.ResidentKey(id))
	h.answer(w, http.StatusOK, resp, err)
}

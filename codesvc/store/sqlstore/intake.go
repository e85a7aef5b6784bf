package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/internal/sqldb"
)

// Intake implements store.Store.
func (s *Store) Intake(ctx context.Context, req store.IntakeRequest) (store.Enrolment, bool, error) {
	var out store.Enrolment
	var dup bool
	err := s.inTx(ctx, func(tx txn) error {
		e := req.Enrolment
		var err error
		if out, dup, err = priorEnrolment(ctx, tx, e); err != nil || dup {
			return err
		}
		if e.Outcome != store.Rejected && e.Channel == store.ChannelKiosk {
			if err := checkSelfLimits(ctx, tx, e, req.Resident.Key, req.Limits); err != nil {
				return err
			}
		}
		if e.Outcome != store.Rejected && e.WorkerID != "" && req.Caps.WorkerPerDay > 0 {
			over, err := workerOverCap(ctx, tx, e, req.Caps.WorkerPerDay)
			if err != nil {
				return err
			}
			if over {
				e.Outcome, e.Reason = store.Rejected, api.ReasonWorkerCapExceeded
			}
		}
		var rid any
		if e.Outcome != store.Rejected {
			r, _, err := ensureResident(ctx, tx, req.Resident)
			if err != nil {
				return err
			}
			reason, err := linkProxy(ctx, tx, req.ProxyKey, r.ID, req.Caps, e.CreatedAt)
			if err != nil {
				return err
			}
			if reason != "" {
				e.Outcome, e.Reason = store.Rejected, reason
			} else {
				if _, err := tx.ExecContext(ctx, `UPDATE residents SET masked_name = ?, contact_sealed = ? WHERE id = ?`,
					req.Resident.MaskedName, req.Resident.ContactSealed, r.ID); err != nil {
					return err
				}
				e.Outcome, e.ResidentRef, rid = store.Accepted, r.Ref, r.ID
				if err := serve(ctx, tx, e.DeviceID, r.ID, e.CreatedAt); err != nil {
					return err
				}
			}
		}
		if e.Outcome == store.Rejected {
			e.ResidentRef = ""
		}
		channel := e.Channel
		if channel == "" {
			channel = store.ChannelCounter
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO enrolments(client_id, device_id, digest, outcome, reason, resident_id, created_at,
			channel, actor, consent_version, worker_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ClientID, e.DeviceID, e.Digest, e.Outcome, e.Reason, rid, sqldb.ToDB(e.CreatedAt), channel, e.Actor, e.ConsentVersion,
			e.WorkerID)
		out = e
		return err
	})
	if err != nil {
		return store.Enrolment{}, false, err
	}
	return out, dup, nil
}

// priorEnrolment returns the enrolment already stored under e's client
// ID, with dup true; ErrConflict when its digest differs from e's (the
// same ID for another item); dup false when there is none.
func priorEnrolment(ctx context.Context, tx txn, e store.Enrolment) (out store.Enrolment, dup bool, err error) {
	var digest []byte
	var created int64
	var resID sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT device_id, digest, outcome, reason, resident_id, created_at, channel, actor, consent_version,
		worker_id FROM enrolments WHERE client_id = ?`, e.ClientID).
		Scan(&out.DeviceID, &digest, &out.Outcome, &out.Reason, &resID, &created, &out.Channel, &out.Actor, &out.ConsentVersion,
			&out.WorkerID)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Enrolment{}, false, nil
	}
	if err != nil {
		return store.Enrolment{}, false, err
	}
	if !bytes.Equal(digest, e.Digest) {
		return store.Enrolment{}, false, store.ErrConflict
	}
	out.ClientID, out.Digest, out.CreatedAt = e.ClientID, digest, sqldb.FromDB(created)
	if resID.Valid {
		if err := tx.QueryRowContext(ctx, `SELECT ref FROM residents WHERE id = ?`, resID.Int64).Scan(&out.ResidentRef); err != nil {
			return store.Enrolment{}, false, err
		}
	}
	return out, true, nil
}

// workerOverCap reports whether e's worker already has max accepted
// enrolments in the 24 hours before e.
func workerOverCap(ctx context.Context, tx txn, e store.Enrolment, max int) (bool, error) {
	var n int
	since := sqldb.ToDB(e.CreatedAt.Add(-24 * time.Hour))
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM enrolments WHERE worker_id = ? AND outcome = 'accepted' AND created_at > ?`,
		e.WorkerID, since).Scan(&n)
	return n >= max, err
}

// checkSelfLimits fails with store.ErrRateLimited when the device, or the
// resident, already has as many accepted self-enrolments in the window
// before e as the limits allow.
func checkSelfLimits(ctx context.Context, tx txn, e store.Enrolment, residentKey []byte, l store.SelfLimits) error {
	if l.PerDevice > 0 {
		var n int
		since := sqldb.ToDB(e.CreatedAt.Add(-l.DeviceWindow))
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM enrolments WHERE device_id = ? AND channel = ?
			AND outcome = 'accepted' AND created_at > ?`, e.DeviceID, store.ChannelKiosk, since).Scan(&n); err != nil {
			return err
		}
		if n >= l.PerDevice {
			return store.ErrRateLimited
		}
	}
	if l.PerResident > 0 {
		var n int
		since := sqldb.ToDB(e.CreatedAt.Add(-l.ResidentWindow))
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM enrolments e JOIN residents r ON r.id = e.resident_id
			WHERE r.key = ? AND e.channel = ? AND e.outcome = 'accepted' AND e.created_at > ?`,
			residentKey, store.ChannelKiosk, since).Scan(&n); err != nil {
			return err
		}
		if n >= l.PerResident {
			return store.ErrRateLimited
		}
	}
	return nil
}

// linkProxy links a family proxy to a resident within the caps; it
// returns a rejection reason when a cap would be exceeded. Note that a
// rejected item leaves the resident row it may have created: that row has
// no events and no served device, and the next accepted enrolment uses it.
func linkProxy(ctx context.Context, tx txn, proxyKey []byte, residentID int64, caps store.ProxyCaps, at time.Time) (string, error) {
	if proxyKey == nil {
		return "", nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM proxies WHERE proxy_key = ? AND resident_id = ?`, proxyKey, residentID).Scan(&n); err != nil {
		return "", err
	}
	if n > 0 {
		return "", nil
	}
	var perProxy, perResident int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM proxies WHERE proxy_key = ?`, proxyKey).Scan(&perProxy); err != nil {
		return "", err
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM proxies WHERE resident_id = ?`, residentID).Scan(&perResident); err != nil {
		return "", err
	}
	if perProxy >= caps.ResidentsPerProxy || perResident >= caps.ProxiesPerResident {
		return "proxy_cap_exceeded", nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO proxies(proxy_key, resident_id, since) VALUES (?, ?, ?)`, proxyKey, residentID, sqldb.ToDB(at))
	return "", err
}

package server

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
)

// Cursor is a position in a device's feed: every change with a sequence
// number up to Seq, and every scheduled boundary up to Through, were
// delivered; inside the boundary window (Through, now] the position is
// (PosAt, PosResident). On the wire it is opaque (EncodeCursor).
type Cursor struct {
	Seq         int64
	Through     int64 // unix nanoseconds
	PosAt       int64 // unix nanoseconds; 0 = start of the window
	PosResident int64
}

const cursorVersion = 1

// ErrBadCursor is returned for a cursor this service did not write.
var ErrBadCursor = errors.New("bad cursor")

// EncodeCursor writes c as unpadded base64url of a version byte and four
// varints.
func EncodeCursor(c Cursor) string {
	b := []byte{cursorVersion}
	for _, v := range []int64{c.Seq, c.Through, c.PosAt, c.PosResident} {
		b = binary.AppendVarint(b, v)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads a cursor; "" is the start of the feed.
func DecodeCursor(s string) (Cursor, error) {
	var c Cursor
	if s == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) < 1 || b[0] != cursorVersion {
		return c, ErrBadCursor
	}
	b = b[1:]
	vals := []*int64{&c.Seq, &c.Through, &c.PosAt, &c.PosResident}
	for _, p := range vals {
		v, n := binary.Varint(b)
		if n <= 0 || v < 0 {
			return c, ErrBadCursor
		}
		*p, b = v, b[n:]
	}
	if len(b) != 0 || EncodeCursor(c) != s { // only the canonical form: one cursor, one text
		return c, ErrBadCursor
	}
	return c, nil
}

// Feed limits.
const (
	DefaultFeedLimit = 100
	MaxFeedLimit     = 500
)

// Feed returns the next page of the device's feed. Entries are the
// current state of each resident that changed (an event, a token issued,
// superseded or revoked, the device starting to serve it) or whose
// scheduled boundary passed since the cursor. A boundary needs no job:
// the page reads the boundaries that fall in (Through, now].
func (s *Service) Feed(ctx context.Context, deviceID, cursor string, limit int) (api.FeedResponse, error) {
	resp, _, err := s.feed(ctx, deviceID, cursor, limit)
	return resp, err
}

// feed is Feed with the keys of the residents of its entries, in order.
func (s *Service) feed(ctx context.Context, deviceID, cursor string, limit int) (api.FeedResponse, [][]byte, error) {
	cur, err := DecodeCursor(cursor)
	if err != nil {
		return api.FeedResponse{}, nil, err
	}
	if limit <= 0 {
		limit = DefaultFeedLimit
	}
	limit = min(limit, MaxFeedLimit)
	now := s.Now()
	changes, err := s.Store.Changes(ctx, deviceID, cur.Seq, limit)
	if err != nil {
		return api.FeedResponse{}, nil, err
	}
	type pick struct {
		id    int64
		cause string
	}
	var picks []pick
	next := cur
	for _, c := range changes {
		picks = append(picks, pick{c.ResidentID, "change"})
		next.Seq = c.Seq
	}
	more := len(changes) == limit
	if !more {
		left := limit - len(changes)
		through := now
		if through.UnixNano() <= cur.Through {
			through = time.Unix(0, cur.Through)
		}
		bs, err := s.Store.Boundaries(ctx, deviceID, time.Unix(0, cur.Through), through, time.Unix(0, cur.PosAt), cur.PosResident, left)
		if err != nil {
			return api.FeedResponse{}, nil, err
		}
		for _, b := range bs {
			picks = append(picks, pick{b.ResidentID, "scheduled"})
			next.PosAt, next.PosResident = b.At.UnixNano(), b.ResidentID
		}
		if len(bs) == left {
			more = true
		} else {
			next.Through, next.PosAt, next.PosResident = through.UnixNano(), 0, 0
		}
	}
	_, tlVersion, err := s.trustVersion(ctx)
	if err != nil {
		return api.FeedResponse{}, nil, err
	}
	resp := api.FeedResponse{Entries: []api.FeedEntry{}, NextCursor: EncodeCursor(next), More: more, ServerTime: now, TrustListVersion: tlVersion}
	seen := map[int64]int{}
	var keys [][]byte
	for _, p := range picks {
		if i, ok := seen[p.id]; ok {
			if p.cause == "change" {
				resp.Entries[i].Cause = "change"
			}
			continue
		}
		e, key, err := s.feedEntry(ctx, p.id, now)
		if err != nil {
			return api.FeedResponse{}, nil, err
		}
		keys = append(keys, key)
		e.Cause = p.cause
		seen[p.id] = len(resp.Entries)
		resp.Entries = append(resp.Entries, e)
	}
	return resp, keys, nil
}

func (s *Service) feedEntry(ctx context.Context, residentID int64, now time.Time) (api.FeedEntry, []byte, error) {
	r, evs, toks, err := s.Store.ResidentByID(ctx, residentID)
	if err != nil {
		return api.FeedEntry{}, nil, err
	}
	e := api.FeedEntry{ResidentRef: r.Ref, MaskedName: r.MaskedName, MaskedID: r.MaskedID,
		Status: s.APIStatus(s.Evaluate(evs, now)), Tokens: []api.TokenState{}}
	for _, t := range toks {
		e.Tokens = append(e.Tokens, api.TokenState{TokenID: t.ID, State: tokenState(t, now), ExpiresAt: t.ExpiresAt})
	}
	return e, r.Key, nil
}

func (s *Service) trustVersion(ctx context.Context) (int, uint64, error) {
	tl, err := s.TrustList(ctx)
	if err != nil {
		return 0, 0, err
	}
	return len(tl.Keys), tl.Version, nil
}

package server

import (
	"context"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/healthcode"
)

// Export limits.
const (
	DefaultExportLimit = 100
	MaxExportLimit     = 500
	// exportBatch bounds the changes and boundaries one catch-up step
	// reads.
	exportBatch = 500
	// exportRounds bounds the catch-up steps one page request takes; a
	// backlog larger than that is caught up by the next requests.
	exportRounds = 16
)

// chain is the export's store.ExportChain: api.ExportHash.
func (s *Service) chain(prev []byte, e store.ExportEntry) []byte {
	return api.ExportHash(prev, apiExport(e))
}

func apiExport(e store.ExportEntry) api.ExportEntry {
	return api.ExportEntry{Seq: e.Seq, Subject: e.Subject, Kind: e.Kind, At: e.At.UTC(), Colour: healthcode.Colour(e.Colour),
		ExpiresAt: e.ExpiresAt.UTC(), Hash: ""}
}

// Export returns the entries of the export after cursor (a decimal
// sequence number; "" is the start), first appending what happened to
// residents who share since the export last looked. It also returns the
// row IDs of the residents of the entries, for their access records.
func (s *Service) Export(ctx context.Context, cursor string, limit int) (api.ExportPage, []int64, error) {
	var after int64
	if cursor != "" {
		n, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || n < 0 || strconv.FormatInt(n, 10) != cursor {
			return api.ExportPage{}, nil, ErrBadCursor
		}
		after = n
	}
	if limit <= 0 {
		limit = DefaultExportLimit
	}
	limit = min(limit, MaxExportLimit)
	if err := s.catchUp(ctx); err != nil {
		return api.ExportPage{}, nil, err
	}
	es, err := s.Store.Exports(ctx, after, limit+1)
	if err != nil {
		return api.ExportPage{}, nil, err
	}
	page := api.ExportPage{Entries: []api.ExportEntry{}, NextCursor: strconv.FormatInt(after, 10)}
	if len(es) > limit {
		es, page.More = es[:limit], true
	}
	var ids []int64
	for _, e := range es {
		x := apiExport(e)
		x.Hash = hex.EncodeToString(e.Hash)
		page.Entries = append(page.Entries, x)
		page.NextCursor = strconv.FormatInt(e.Seq, 10)
		if !slices.Contains(ids, e.ResidentID) {
			ids = append(ids, e.ResidentID)
		}
	}
	return page, ids, nil
}

// catchUp appends to the export what happened since it last looked, in
// steps; another instance doing the same at once makes a step fail with
// store.ErrConflict, and the step is read again from where that one left.
func (s *Service) catchUp(ctx context.Context) error {
	for range exportRounds {
		done, err := s.catchUpStep(ctx)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil || done {
			return err
		}
	}
	return nil
}

// exportPick is one reason to look at a resident again: a change of
// hers, or a boundary at which her colour may change by rule alone.
type exportPick struct {
	residentID int64
	kind       string // a change's kind, or "boundary"
	at         time.Time
}

// catchUpStep reads up to exportBatch changes, then boundaries that have
// passed, of residents who share, and appends the entries they make. done
// is true when nothing more is waiting.
func (s *Service) catchUpStep(ctx context.Context) (done bool, err error) {
	from, err := s.Store.ExportState(ctx)
	if err != nil {
		return false, err
	}
	to := from
	changes, err := s.Store.ExportChanges(ctx, from.ChangeSeq, exportBatch)
	if err != nil {
		return false, err
	}
	var picks []exportPick
	for _, c := range changes {
		picks = append(picks, exportPick{c.ResidentID, c.Kind, c.At})
		to.ChangeSeq = c.Seq
	}
	full := len(changes) == exportBatch
	if !full {
		bs, err := s.Store.ExportBoundaries(ctx, from, s.Now(), exportBatch)
		if err != nil {
			return false, err
		}
		for _, b := range bs {
			picks = append(picks, exportPick{b.ResidentID, "boundary", b.At})
			to.Through, to.ThroughResident = b.At, b.ResidentID
		}
		full = len(bs) == exportBatch
	}
	if len(picks) == 0 {
		return true, nil
	}
	entries, err := s.exportEntries(ctx, picks)
	if err != nil {
		return false, err
	}
	return !full, s.Store.AppendExport(ctx, from, to, entries, s.chain)
}

// exportEntries turns picks into entries: a code issued at a token change,
// and a colour wherever it differs from the last one exported for her.
// A resident who no longer shares is skipped.
func (s *Service) exportEntries(ctx context.Context, picks []exportPick) ([]store.ExportEntry, error) {
	marks := map[int64]*store.ExportMark{}
	var out []store.ExportEntry
	for _, p := range picks {
		m, ok := marks[p.residentID]
		if !ok {
			got, err := s.Store.ExportMark(ctx, p.residentID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
			if err == nil {
				m = &got
			}
			marks[p.residentID] = m
		}
		if m == nil {
			continue
		}
		_, evs, toks, err := s.Store.ResidentByID(ctx, p.residentID)
		if err != nil {
			return nil, err
		}
		at := p.at.Truncate(time.Second)
		if p.kind == "token" {
			for _, t := range toks {
				if t.IssuedAt.Equal(p.at) {
					out = append(out, store.ExportEntry{ResidentID: m.ResidentID, Subject: m.Subject, Kind: api.ExportCodeIssued,
						At: t.IssuedAt.Truncate(time.Second), ExpiresAt: t.ExpiresAt.Truncate(time.Second)})
				}
			}
		}
		var known []store.Event
		for _, e := range evs {
			if !e.RecordedAt.After(p.at) {
				known = append(known, e)
			}
		}
		if c := string(s.Evaluate(known, p.at).Colour); c != m.Colour {
			out = append(out, store.ExportEntry{ResidentID: m.ResidentID, Subject: m.Subject, Kind: api.ExportColour, At: at, Colour: c})
			m.Colour = c
		}
	}
	return out, nil
}

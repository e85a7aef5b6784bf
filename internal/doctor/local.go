package doctor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/sync/localstore"
	"github.com/shcommunity/kiosk/sync/syncer"
)

// damagedFix is what to do about a damaged database file.
const damagedFix = "close the kiosk, copy the file away for the developers, restore the last backup (PACKAGING.md, \"Back up\") or delete it and register the kiosk again; records not yet synced are lost."

type localResult struct {
	results  []Result
	identity *syncer.Identity // nil when the kiosk is not registered or the database is unusable
}

// checkLocal checks the database file, its audit chain, the outbox, the
// registration and the trust list, in that order; a database that cannot
// be opened ends the local checks with one line.
func checkLocal(ctx context.Context, cfg Config) localResult {
	var out localResult
	add := func(r Result) { out.results = append(out.results, r) }
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()

	st, db := openDatabase(ctx, cfg)
	add(db)
	if st == nil {
		return out
	}
	defer st.Close()
	add(checkAudit(ctx, st))
	add(checkOutbox(ctx, cfg, st))

	reg := Result{Check: CheckIdentity}
	id, err := syncer.LoadIdentity(ctx, st)
	switch {
	case errors.Is(err, syncer.ErrNotRegistered):
		reg.Level, reg.Detail = Fail, "this kiosk is not registered with the code service."
		reg.Fix = "register it with a one-time provisioning code from the service administrator."
		add(reg)
		return out
	case err != nil:
		reg.Level, reg.Detail = Fail, fmt.Sprintf("the stored identity is unreadable (%v).", err)
		reg.Fix = "register the kiosk again with a new provisioning code."
		add(reg)
		return out
	}
	reg.Detail = "registered as device " + id.DeviceID + "."
	add(reg)
	out.identity = &id

	add(checkTrustList(cfg, id))
	return out
}

// openDatabase opens the kiosk's database and says how it is: missing,
// unreadable, damaged, or intact (and how large). The store is nil when
// it cannot be used.
func openDatabase(ctx context.Context, cfg Config) (*localstore.Store, Result) {
	db := Result{Check: CheckDatabase}
	if cfg.DBPath == "" {
		db.Level, db.Detail, db.Fix = Fail, "no database path in the settings.", "set the database path, or start the kiosk once so it makes one."
		return nil, db
	}
	size, err := fileSize(cfg.DBPath)
	if errors.Is(err, fs.ErrNotExist) {
		db.Level, db.Detail = Fail, cfg.DBPath+": no database yet."
		db.Fix = "start the kiosk once and register it with a provisioning code from the service administrator."
		return nil, db
	}
	if err != nil {
		db.Level, db.Detail, db.Fix = Fail, fmt.Sprintf("%s: cannot read (%v).", cfg.DBPath, err), "check the file's owner and permissions."
		return nil, db
	}
	st, err := localstore.Open(ctx, cfg.DBPath, localstore.Options{Now: cfg.Now, KeyFile: cfg.KeyFile})
	switch {
	case errors.Is(err, localstore.ErrCorrupt):
		db.Level, db.Detail = Fail, cfg.DBPath+": the database file is damaged; the kiosk will not start on it."
		db.Fix = damagedFix
		return nil, db
	case errors.Is(err, localstore.ErrKeysMissing), errors.Is(err, localstore.ErrKeysMismatch):
		db.Level, db.Detail = Fail, fmt.Sprintf("%s: %v (key file %s).", cfg.DBPath, err, cfg.KeyFile)
		db.Fix = "restore the key file from where it was kept, or start a new database and provision the kiosk again (docs/security.md)."
		return nil, db
	case err != nil:
		db.Level, db.Detail, db.Fix = Fail, fmt.Sprintf("%s: cannot open (%v).", cfg.DBPath, err), "close other copies of the kiosk; check the disk is not full."
		return nil, db
	}
	db.Detail = fmt.Sprintf("%s: intact, %s.", cfg.DBPath, megabytes(size))
	if size > cfg.DBSizeWarn {
		db.Level = Warn
		db.Detail = fmt.Sprintf("%s: intact, but large (%s).", cfg.DBPath, megabytes(size))
		db.Fix = "check that the kiosk syncs (acknowledged records are deleted after a week)."
	}
	return st, db
}

// checkAudit verifies the audit log's hash chain.
func checkAudit(ctx context.Context, st *localstore.Store) Result {
	audit := Result{Check: CheckAudit, Detail: "hash chain intact."}
	switch err := st.VerifyAudit(ctx); {
	case errors.Is(err, localstore.ErrCorrupt):
		// quick_check at open reads every page but not every index entry;
		// damage found here is the file's, not the chain's.
		audit.Level, audit.Detail = Fail, fmt.Sprintf("the database file is damaged (%v); the kiosk is out of service.", err)
		audit.Fix = damagedFix
	case err != nil:
		audit.Level, audit.Detail = Fail, fmt.Sprintf("the hash chain is broken (%v): records were changed or lost.", err)
		audit.Fix = "do not delete anything; report it to the service administrator with this line."
	}
	return audit
}

func checkOutbox(ctx context.Context, cfg Config, st *localstore.Store) Result {
	r := Result{Check: CheckOutbox}
	c, err := st.Counts(ctx)
	if err != nil {
		r.Level, r.Detail, r.Fix = Fail, fmt.Sprintf("cannot count the outbox (%v).", err), "see the database line."
		return r
	}
	last := "never synced"
	var since = -1.0
	if at, ok, err := syncer.LastSuccess(ctx, st); err == nil && ok {
		d := cfg.Now().Sub(at)
		since = d.Seconds()
		last = "last sync " + ago(d)
	}
	r.Detail = fmt.Sprintf("%d waiting to sync, %d refused by the service; %s.", c.Pending, c.Quarantined, last)
	switch {
	case c.Quarantined > 0:
		r.Level = Warn
		r.Fix = "records the service refused need a technician: note the count and call the service administrator."
	case c.Pending > cfg.OutboxWarn:
		r.Level = Warn
		r.Fix = "the kiosk is not getting its records out: check the code service lines below and the network."
	case c.Pending > 0 && (since < 0 || since > cfg.SyncMaxAge.Seconds()):
		r.Level = Warn
		r.Fix = "records are waiting and the kiosk has not synced for a while: check the code service lines below."
	}
	return r
}

func checkTrustList(cfg Config, id syncer.Identity) Result {
	r := Result{Check: CheckTrust}
	if len(id.TrustList) == 0 {
		r.Level, r.Detail = Warn, "none yet: paper codes cannot be checked offline."
		r.Fix = "let the kiosk sync once with the service online."
		return r
	}
	tl, err := token.ParseTrustList(id.TrustList, id.TrustRoot)
	if err != nil {
		r.Level, r.Detail = Fail, fmt.Sprintf("the stored list does not verify (%v).", err)
		r.Fix = "register the kiosk again so it gets a fresh list."
		return r
	}
	now := cfg.Now()
	age := now.Sub(tl.IssuedAt)
	r.Detail = fmt.Sprintf("version %d, issued %s.", tl.Version, ago(age))
	switch {
	case age > cfg.TrustMaxAge:
		r.Level, r.Fix = Warn, "the kiosk has not fetched a new list for too long: check the code service lines."
	case !tl.NextUpdate.IsZero() && now.After(tl.NextUpdate):
		r.Level = Warn
		r.Detail = fmt.Sprintf("version %d, issued %s; a newer one was due %s.", tl.Version, ago(age), ago(now.Sub(tl.NextUpdate)))
		r.Fix = "let the kiosk sync with the service online."
	}
	return r
}

// fileSize is the database's size on disk: the file and its write-ahead
// log.
func fileSize(path string) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	n := st.Size()
	if wal, err := os.Stat(path + "-wal"); err == nil {
		n += wal.Size()
	}
	return n, nil
}

func megabytes(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", (n+1023)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

-- 0005: slips printed offline for a resident this kiosk knows but whose status
-- it could not check: the answer it holds is past its valid_until or
-- older than the freshness bound, so it printed a slip that says so
-- instead of a colour. The counter lists them until the resident's status
-- is answered live here or a code is printed for her. Only the keyed
-- hash, the masked name and the slip's serial number are kept.
CREATE TABLE unchecked_slips (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	resident_key BLOB    NOT NULL,
	masked_name  TEXT    NOT NULL,
	serial       TEXT    NOT NULL,
	why          TEXT    NOT NULL,             -- why the status could not be shown
	printed_at   INTEGER NOT NULL,
	done_at      INTEGER,
	done_by      TEXT    NOT NULL DEFAULT ''   -- 'live_answer', 'printed_here'
) STRICT;
CREATE INDEX unchecked_slips_key ON unchecked_slips(resident_key);

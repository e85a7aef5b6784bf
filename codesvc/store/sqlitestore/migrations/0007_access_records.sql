-- 0007: purpose-bound access and the health cloud.
--
-- access_records: one row per access to a resident, with its declared
-- purpose (codesvc/api.Purpose), kept for the service's retention (180
-- days by default) and then purged. The resident is her keyed hash, as
-- residents.key; place is the asking device's name at the time, so that a
-- record still reads after the device is gone.
CREATE TABLE access_records (
	id           INTEGER PRIMARY KEY,
	resident_key BLOB NOT NULL,
	at           INTEGER NOT NULL,
	device_id    TEXT NOT NULL,
	place        TEXT NOT NULL,
	role         TEXT NOT NULL DEFAULT '',
	purpose      TEXT NOT NULL,
	action       TEXT NOT NULL,
	worker_id    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_by_resident ON access_records(resident_key, at);
CREATE INDEX access_by_time ON access_records(at);

-- A resident's agreements to share with the health cloud and their
-- withdrawals; the newest row is in force. subject is her pseudonym in
-- the export.
CREATE TABLE health_consents (
	id          INTEGER PRIMARY KEY,
	resident_id INTEGER NOT NULL REFERENCES residents(id),
	given       INTEGER NOT NULL,
	version     TEXT NOT NULL DEFAULT '',
	subject     TEXT NOT NULL,
	at          INTEGER NOT NULL,
	device_id   TEXT NOT NULL,
	worker_id   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX health_consents_by_resident ON health_consents(resident_id, id);

-- The append-only export to the health cloud: each entry hashed with the
-- one before it. resident_id is not exported.
CREATE TABLE exports (
	seq         INTEGER PRIMARY KEY,
	resident_id INTEGER NOT NULL REFERENCES residents(id),
	subject     TEXT NOT NULL,
	kind        TEXT NOT NULL,
	at          INTEGER NOT NULL,
	colour      TEXT NOT NULL DEFAULT '',
	expires_at  INTEGER,
	hash        BLOB NOT NULL
);

-- One row per resident who shares now: her pseudonym and the last colour
-- exported for her.
CREATE TABLE export_marks (
	resident_id INTEGER PRIMARY KEY REFERENCES residents(id),
	subject     TEXT NOT NULL,
	colour      TEXT NOT NULL DEFAULT ''
);

-- How far the export has read the changes and the boundaries: one row.
CREATE TABLE export_state (
	id               INTEGER PRIMARY KEY CHECK (id = 1),
	change_seq       INTEGER NOT NULL,
	through          INTEGER NOT NULL,
	through_resident INTEGER NOT NULL
);
INSERT INTO export_state(id, change_seq, through, through_resident) VALUES (1, 0, 0, 0);

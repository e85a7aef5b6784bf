-- 0004: device sessions and the replay (nonce) cache move from one
-- process's memory into the database, so that every service instance on
-- it accepts a session another opened and refuses a request another has
-- already accepted, and a restart ends no session. Nothing to convert:
-- sessions and nonces held in memory before this migration are simply
-- gone, as after any restart of that release.

-- One row per session. key is the session key wrapped with the KEK under
-- the purpose "sessions" and the ID (kek.go); seq orders a device's
-- sessions for the per-device cap.
CREATE TABLE sessions (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	id         TEXT    NOT NULL UNIQUE,
	device_id  TEXT    NOT NULL REFERENCES devices(id),
	key        BLOB    NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_device ON sessions(device_id, seq);
CREATE INDEX sessions_by_expiry ON sessions(expires_at);

-- (device, nonce) pairs seen, each until its request's timestamp leaves
-- the service's window; a row past expires_at may be taken again.
CREATE TABLE nonces (
	device_id  TEXT    NOT NULL,
	nonce      TEXT    NOT NULL,
	expires_at INTEGER NOT NULL,
	PRIMARY KEY (device_id, nonce)
) WITHOUT ROWID;
CREATE INDEX nonces_by_expiry ON nonces(expires_at);
